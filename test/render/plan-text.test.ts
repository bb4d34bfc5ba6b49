import { describe, expect, it } from '@jest/globals';
import { palette } from '../../src/render/colors.js';
import { renderPlanText, summaryLine } from '../../src/render/plan-text.js';
import { change, demoPlan, plan } from './plan-fixture.js';

const plain = palette({ isTTY: true }, { NO_COLOR: '1' });
const ANSI = new RegExp(String.raw`\u001b\[\d+(;\d+)*m`);

describe('renderPlanText', () => {
  it('groups by platform and org, one marked line per change with its reason (NO_COLOR)', () => {
    const text = renderPlanText(demoPlan(), plain);
    expect(text).not.toMatch(ANSI);
    expect(text.split('\n')).toEqual([
      'Okta (2 changes)',
      '  + okta.user["ana@acme.test"] create  # okta-accounts: hr: ana@acme.test hired',
      '  + okta.group["Sales"].member["ana@acme.test"] grant  # sales-group: department = "Sales"',
      '',
      'OneLogin (1 change)',
      '  + onelogin.role["Globex Sales"].member["gina@globex.test"] grant  # mirror-sales: mirror of okta.group["Sales"]',
      '',
      'Salesforce prod (4 changes)',
      '  + salesforce.prod.user["ana@acme.test"] create  # sales-prod: okta.group["Sales"]',
      '  + salesforce.prod.user["ana@acme.test"].permissionSet["Sales_Cloud_User"] grant  # sales-prod: okta.group["Sales"]',
      '  ~ salesforce.prod.user["bob@acme.test"] update Title: "AE" → "Senior AE"  # attributes: okta.user["bob@acme.test"].title',
      '  + salesforce.prod.user["bob@acme.test"].permissionSetGroup["Sales_Leadership"] grant  # leadership: okta.user["bob@acme.test"].title = "Senior AE"',
      '',
      'Salesforce emea (4 changes)',
      '  ~ salesforce.emea.user["carl@acme.test"] freeze  # offboarding: okta.user["carl@acme.test"] deprovisioned',
      '  ~ salesforce.emea.user["carl@acme.test"].records["Opportunity"] transfer → user dana@acme.test  # offboarding: okta.user["carl@acme.test"].manager',
      '  - salesforce.emea.user["carl@acme.test"].permissionSet["Sales_Cloud_User"] revoke  # offboarding: okta.user["carl@acme.test"] deprovisioned',
      '  - salesforce.emea.user["carl@acme.test"] deactivate  # offboarding: okta.user["carl@acme.test"] deprovisioned',
      '',
      "Conflicts (1): these people's changes on the platform named are held back",
      '  ! eve@acme.test (Salesforce prod): 2 Salesforce users match by email',
      '    ambiguous match on email; candidates: eve@acme.test, eve.adams@acme.test',
      '    resolve with links entry: {"person":"eve@acme.test","salesforce":{"prod":"eve.adams@acme.test"}}',
      '',
      'Findings (3)',
      '  block protected-account: admin@acme.test is protected (salesforce.prod.user["admin@acme.test"])',
      '  warn  sensitive: Sales_Leadership is sensitive (bob@acme.test)',
      '  info  orphan-account: no person owns this account (okta.user["svc-ci@acme.test"])',
      '',
      'Plan: 2 to create, 1 to update, 4 to grant, 1 to revoke, 1 to freeze, 1 to transfer, 1 to deactivate.',
      '',
    ]);
  });

  it('colours marks when colour is on', () => {
    const text = renderPlanText(demoPlan(), palette({ isTTY: true }, {}));
    expect(text).toMatch(ANSI);
    expect(text).toContain('\u001b[32m+\u001b[39m'); // green create/grant
    expect(text).toContain('\u001b[31m-\u001b[39m'); // red revoke/deactivate
    expect(text).toContain('\u001b[33m~\u001b[39m'); // yellow update/transfer/freeze
  });

  it('prints the summary in the fixed action order and omits zero counts', () => {
    const p = plan([
      change('salesforce.prod.user["ana@acme.test"]', 'deactivate', 'left'),
      change('okta.group["Sales"].member["bob@acme.test"]', 'revoke', 'moved'),
      change('okta.user["cy@acme.test"]', 'create', 'hired'),
      change('okta.group["Sales"].member["cy@acme.test"]', 'grant', 'hired'),
      change('okta.group["Ops"].member["cy@acme.test"]', 'grant', 'hired'),
    ]);
    expect(summaryLine(p)).toBe('Plan: 1 to create, 2 to grant, 1 to revoke, 1 to deactivate.');
  });

  it('says so when live state matches the policy', () => {
    expect(renderPlanText(plan([]), plain)).toBe('No changes. Live state matches the policy.\n');
  });

  it('does not claim a match when conflicts hold changes back', () => {
    const p = plan([], { conflicts: demoPlan().conflicts });
    expect(renderPlanText(p, plain).trimEnd().split('\n').at(-1)).toBe(
      'No changes to apply; 1 conflict holds back changes.',
    );
  });

  it('shows only the fields an update changes, and scalar updates as before → after', () => {
    const p = plan([
      change('okta.user["ana@acme.test"]', 'update', 'hr.title', {
        before: { title: 'AE', city: 'Lyon', manager: null },
        after: { title: 'AE', city: 'Paris', manager: 'bob@acme.test' },
      }),
      change('onelogin.user["gina@globex.test"]', 'update', 'hr', { before: 'x', after: 'y' }),
    ]);
    const lines = renderPlanText(p, plain).split('\n');
    expect(lines[1]).toBe(
      '  ~ okta.user["ana@acme.test"] update city: "Lyon" → "Paris", manager: null → "bob@acme.test"  # hr.title',
    );
    expect(lines[4]).toBe('  ~ onelogin.user["gina@globex.test"] update "x" → "y"  # hr');
  });

  it('puts a blocked banner with the reasons and the override above the summary', () => {
    const p = demoPlan({
      blocked: true,
      blockedReasons: ['30 deprovisions exceed the cap of 25', 'separation of duties: bob@acme.test'],
    });
    const lines = renderPlanText(p, plain).trimEnd().split('\n');
    expect(lines.at(-2)).toBe(
      'Plan blocked: 30 deprovisions exceed the cap of 25; separation of duties: bob@acme.test. Apply refuses it without --allow-large-change.',
    );
  });

  it('tells how to fix a priority conflict that no links entry resolves', () => {
    const p = plan([], {
      conflicts: [
        {
          person: 'ana@acme.test',
          platform: 'salesforce:prod',
          kind: 'priority',
          key: 'profile',
          candidates: ['Sales User', 'Service User'],
          message: 'rules sales-prod and service-prod give different profiles at priority 10',
        },
      ],
    });
    expect(renderPlanText(p, plain)).toContain(
      '    no links entry resolves it: fix the rules so one has the higher priority\n',
    );
  });
});
