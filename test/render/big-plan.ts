import type { Change } from '../../src/model/change.js';
import type { Plan } from '../../src/plan/types.js';
import { change, plan } from './plan-fixture.js';

/** A plan the size of a reorganisation: `people` people, five changes each, on every platform. */
export function bigPlan(people: number): Plan {
  const changes: Change[] = [];
  const impact: Plan['impact'] = [];
  for (let i = 0; i < people; i += 1) {
    const login = `user${String(i).padStart(5, '0')}@acme.test`;
    const leaving = i % 7 === 0;
    const account = change(`okta.user["${login}"]`, leaving ? 'deactivate' : 'create', 'hr feed', {
      rule: 'okta-accounts',
    });
    const org = i % 2 === 0 ? 'prod' : 'emea';
    changes.push(
      account,
      change(`okta.group["Sales"].member["${login}"]`, leaving ? 'revoke' : 'grant', 'department', {
        rule: 'sales-group',
      }),
      change(`onelogin.role["Globex Sales"].member["${login}"]`, 'grant', 'mirror', { rule: 'mirror-sales' }),
      change(`salesforce.${org}.user["${login}"].permissionSet["Sales_Cloud_User"]`, 'grant', 'okta.group', {
        rule: 'sales-prod',
      }),
      change(`salesforce.${org}.user["${login}"].records["Opportunity"]`, 'transfer', 'manager', {
        rule: 'offboarding',
        after: { to: { queue: 'Sales_Pool' } },
      }),
    );
    impact.push({
      person: login,
      gained: [
        { platform: `salesforce:${org}`, entitlement: 'permissionSet:Sales_Cloud_User', rule: 'sales-prod' },
        { platform: 'onelogin', entitlement: 'role-membership:Globex Sales', sensitive: i % 50 === 0 },
      ],
      lost: leaving ? [{ platform: 'okta', entitlement: 'account', rule: 'okta-accounts' }] : [],
      deprovisioned: leaving,
    });
  }
  return plan(changes, { impact, blocked: true, blockedReasons: ['too many deprovisions'] });
}
