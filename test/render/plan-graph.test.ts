import { describe, expect, it } from '@jest/globals';
import { renderGraph } from '../../src/render/plan-graph.js';
import { change, plan } from './plan-fixture.js';

/** A joiner's account, a membership in an awkwardly named group, and an unrelated leaver. */
function smallDag() {
  const account = change('okta.user["ana@acme.test"]', 'create', 'hired');
  const member = change('okta.group["R&D \\"<West>\\" #1"].member["ana@acme.test"]', 'grant', 'dept', {
    dependsOn: [account],
  });
  const sf = change(
    'salesforce.prod.user["ana@acme.test"].permissionSet["Sales_Cloud_User"]',
    'grant',
    'group',
    {
      dependsOn: [member, account],
    },
  );
  const leaver = change('salesforce.emea.user["carl@acme.test"]', 'deactivate', 'left', {
    dependsOn: [change('salesforce.emea.user["not-in-plan@acme.test"]', 'freeze', 'left')],
  });
  return plan([account, member, sf, leaver]);
}

describe('renderGraph', () => {
  it('draws the change DAG as dot, dependency → dependent, with quotes escaped', () => {
    expect(renderGraph(smallDag(), 'dot')).toBe(
      [
        'digraph plan {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        '  n0 [label="create okta.user[\\"ana@acme.test\\"]", color="#1a7f37"];',
        '  n1 [label="grant okta.group[\\"R&D \\\\\\"<West>\\\\\\" #1\\"].member[\\"ana@acme.test\\"]", color="#1a7f37"];',
        '  n2 [label="grant salesforce.prod.user[\\"ana@acme.test\\"].permissionSet[\\"Sales_Cloud_User\\"]", color="#1a7f37"];',
        '  n3 [label="deactivate salesforce.emea.user[\\"carl@acme.test\\"]", color="#cf222e"];',
        '  n0 -> n1;',
        '  n0 -> n2;',
        '  n1 -> n2;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('draws the same DAG as mermaid, with quotes, angle brackets, & and # as entity codes', () => {
    expect(renderGraph(smallDag(), 'mermaid')).toBe(
      [
        'flowchart LR',
        '  n0["create okta.user[#quot;ana@acme.test#quot;]"]',
        '  n1["grant okta.group[#quot;R#amp;D \\#quot;#lt;West#gt;\\#quot; #35;1#quot;].member[#quot;ana@acme.test#quot;]"]',
        '  n2["grant salesforce.prod.user[#quot;ana@acme.test#quot;].permissionSet[#quot;Sales_Cloud_User#quot;]"]',
        '  n3["deactivate salesforce.emea.user[#quot;carl@acme.test#quot;]"]',
        '  n0 --> n1',
        '  n0 --> n2',
        '  n1 --> n2',
        '  classDef add stroke:#1a7f37',
        '  class n0,n1,n2 add',
        '  classDef remove stroke:#cf222e',
        '  class n3 remove',
        '',
      ].join('\n'),
    );
  });

  it('draws an empty plan as an empty graph', () => {
    expect(renderGraph(plan([]), 'mermaid')).toBe('flowchart LR\n');
    expect(renderGraph(plan([]), 'dot')).toBe(
      'digraph plan {\n  rankdir=LR;\n  node [shape=box, fontname="Helvetica"];\n}\n',
    );
  });
});
