import { describe, expect, it } from '@jest/globals';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { bigPlan } from './big-plan.js';
import { openBlocks } from './markdown-check.js';
import { change, demoPlan, plan } from './plan-fixture.js';

const one = (bodies: string[]): string => {
  expect(bodies).toHaveLength(1);
  return bodies[0] ?? '';
};

const section = (md: string, heading: string): string => {
  const start = md.indexOf(`${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = md.indexOf('\n### ', start + heading.length);
  return md.slice(start, next === -1 ? undefined : next);
};

describe('renderPlanMarkdown', () => {
  it('warns when anyone is deprovisioned and cautions when the plan is blocked', () => {
    const warned = one(renderPlanMarkdown(demoPlan()));
    expect(warned).toContain('> [!WARNING]\n> This plan deprovisions **1 person**: `carl@acme.test`.\n');
    expect(warned).not.toContain('[!CAUTION]');

    const blocked = one(
      renderPlanMarkdown(
        demoPlan({ blocked: true, blockedReasons: ['41 deprovisions exceed the cap of 25'] }),
      ),
    );
    expect(blocked).toContain(
      '> [!CAUTION]\n> **Plan blocked: 41 deprovisions exceed the cap of 25. Apply refuses it without --allow-large-change.**\n',
    );
    expect(blocked.indexOf('[!CAUTION]')).toBeLessThan(blocked.indexOf('[!WARNING]'));

    const calm = one(renderPlanMarkdown(plan([change('okta.user["ana@acme.test"]', 'create', 'hired')])));
    expect(calm).not.toMatch(/\[!(WARNING|CAUTION)\]/);
  });

  it('opens with a heading and a summary table of actions, deprovisions, conflicts and findings', () => {
    const md = one(renderPlanMarkdown(demoPlan()));
    expect(md.startsWith('## accord plan: `production`\n')).toBe(true);
    expect(md).toContain(
      [
        '| | Count |',
        '| --- | ---: |',
        '| create | 2 |',
        '| update | 1 |',
        '| grant | 4 |',
        '| revoke | 1 |',
        '| freeze | 1 |',
        '| transfer | 1 |',
        '| deactivate | 1 |',
        '| **people deprovisioned** | 1 |',
        '| conflicts | 1 |',
        '| findings | 3 (1 block, 1 warn, 1 info) |',
        '',
        '**Plan: 2 to create, 1 to update, 4 to grant, 1 to revoke, 1 to freeze, 1 to transfer, 1 to deactivate.**',
      ].join('\n'),
    );
  });

  it('collapses each platform and org into a details block with a diff', () => {
    const md = one(renderPlanMarkdown(demoPlan()));
    expect(md.match(/<details><summary>[^<]*<\/summary>/g)).toEqual([
      '<details><summary>Okta: 2 changes</summary>',
      '<details><summary>OneLogin: 1 change</summary>',
      '<details><summary>Salesforce prod: 4 changes</summary>',
      '<details><summary>Salesforce emea: 4 changes</summary>',
    ]);
    expect(md).toContain(
      [
        '<details><summary>Salesforce emea: 4 changes</summary>',
        '',
        '```diff',
        '! salesforce.emea.user["carl@acme.test"] freeze  # offboarding: okta.user["carl@acme.test"] deprovisioned',
        '! salesforce.emea.user["carl@acme.test"].records["Opportunity"] transfer → user dana@acme.test  # offboarding: okta.user["carl@acme.test"].manager',
        '- salesforce.emea.user["carl@acme.test"].permissionSet["Sales_Cloud_User"] revoke  # offboarding: okta.user["carl@acme.test"] deprovisioned',
        '- salesforce.emea.user["carl@acme.test"] deactivate  # offboarding: okta.user["carl@acme.test"] deprovisioned',
        '```',
        '',
        '</details>',
      ].join('\n'),
    );
    expect(openBlocks(md)).toEqual({ fence: false, details: 0 });
  });

  it('lists who gains and loses what, calling out sensitive entitlements first', () => {
    const impact = section(one(renderPlanMarkdown(demoPlan())), '### Access impact');
    expect(impact).toContain(
      '**Sensitive entitlements**\n\n- `bob@acme.test` gains `permissionSetGroup:Sales_Leadership` in Salesforce prod (rule `leadership`) **⚠ sensitive**\n',
    );
    expect(impact).toContain(
      [
        '- `carl@acme.test` (**deprovisioned**)',
        '  - loses `account` in Salesforce emea (rule `offboarding`)',
        '  - loses `permissionSet:Sales_Cloud_User` in Salesforce emea (rule `offboarding`)',
      ].join('\n'),
    );
    expect(impact).toContain('- `ana@acme.test`\n  - gains `account` in Okta (rule `okta-accounts`)\n');
  });

  it('shows each conflict with the links entry that resolves it, and findings blockers first', () => {
    const md = one(renderPlanMarkdown(demoPlan()));
    expect(section(md, '### Conflicts (1)')).toContain(
      '  ```json\n  {\n    "person": "eve@acme.test",\n    "salesforce": {\n      "prod": "eve.adams@acme.test"\n    }\n  }\n  ```\n',
    );
    expect(section(md, '### Findings (3)').trim().split('\n').slice(2)).toEqual([
      '- **block** `protected-account`: admin@acme.test is protected at `salesforce.prod.user["admin@acme.test"]`',
      '- **warn** `sensitive`: Sales_Leadership is sensitive for `bob@acme.test` (rule `leadership`)',
      '- **info** `orphan-account`: no person owns this account at `okta.user["svc-ci@acme.test"]`',
    ]);
  });

  it('keeps a group name with backticks from ending the diff block', () => {
    const md = one(
      renderPlanMarkdown(plan([change('okta.group["```evil"].member["ana@acme.test"]', 'grant', 'x')])),
    );
    expect(md).toContain('````diff\n+ okta.group["```evil"].member["ana@acme.test"] grant  # x\n````\n');
    expect(openBlocks(md)).toEqual({ fence: false, details: 0 });
  });

  it('splits a 5,000-change plan into comment-sized parts that each render on their own', () => {
    const p = bigPlan(1000);
    expect(p.changes).toHaveLength(5000);
    const bodies = renderPlanMarkdown(p);
    expect(bodies.length).toBeGreaterThan(2);
    bodies.forEach((body, i) => {
      expect(body.length).toBeLessThanOrEqual(65000);
      expect(body.startsWith(`_(part ${i + 1} of ${bodies.length})_\n\n`)).toBe(true);
      expect(openBlocks(body)).toEqual({ fence: false, details: 0 });
    });
    const diffLines = bodies.flatMap((b) => b.split('\n').filter((l) => /^[+!-] \S+\[/.test(l)));
    expect(diffLines).toHaveLength(5000);
    expect(bodies[0]).toContain('[!CAUTION]');
  });
});
