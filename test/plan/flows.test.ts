/** Issue 14, item 6 (UC-03): an attribute flow into Salesforce reads its `from` directory. */
import { describe, expect, it } from '@jest/globals';
import type { AccessRule, AttributeFlow } from '../../src/policy/types.js';
import {
  find,
  lines,
  makePolicy,
  okta,
  onelogin,
  plan,
  salesforce,
  sfUserAddr,
  snapshots,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const BO = 'bo.berg@acme.test';
const sales: AccessRule = {
  id: 'sales',
  when: { oktaGroup: 'Sales' },
  grants: { prod: { profile: 'Sales User' } },
};
const flow = (from: 'okta' | 'onelogin'): AttributeFlow => ({
  from,
  to: 'salesforce',
  fields: { Title: '{title}' },
});
const run = (f: AttributeFlow, live = false) =>
  plan(
    makePolicy({
      platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
      identity: { source: 'okta', attributes: [f] },
      access: [sales],
    }),
    snapshots({
      okta: okta([
        { login: ANA, groups: ['Sales'], attrs: { title: 'AE (Okta)' } },
        { login: BO, groups: ['Sales'], attrs: { title: 'SE (Okta)' } },
      ]),
      // Ana has a OneLogin account too; Bo has none.
      onelogin: onelogin([{ login: ANA, attrs: { title: 'Account Executive (OneLogin)' } }]),
      salesforce: [
        salesforce(
          'prod',
          live
            ? [ANA, BO].map((u) => ({
                username: u,
                federationId: u,
                profile: 'Sales User',
                fields: { Title: 'old' },
              }))
            : [],
        ),
      ],
    }),
  );
const title = (p: ReturnType<typeof run>, who: string, action: string) =>
  (find(p, action, sfUserAddr('prod', who)).after as { Title?: string }).Title;

describe('attribute flows read their from directory', () => {
  it('from okta: the home account', () => {
    const p = run(flow('okta'));
    expect([title(p, ANA, 'create'), title(p, BO, 'create')]).toEqual(['AE (Okta)', 'SE (Okta)']);
  });

  it("from onelogin: the person's OneLogin account; someone without one is not written", () => {
    const p = run(flow('onelogin'));
    expect(title(p, ANA, 'create')).toBe('Account Executive (OneLogin)');
    expect(title(p, BO, 'create')).toBeUndefined();
    const updates = run(flow('onelogin'), true);
    expect(lines(updates)).toEqual([`update ${sfUserAddr('prod', ANA)}`]);
    expect(title(updates, ANA, 'update')).toBe('Account Executive (OneLogin)');
  });
});
