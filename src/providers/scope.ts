import type { SnapshotScope } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { eachPolicyCondition } from '../policy/each-condition.js';
import type { EntitlementRef } from '../policy/types.js';
import { matchOrder } from '../policy/match-order.js';

/**
 * What to read from the platforms: exactly the groups, roles and fields the policy references, so
 * a snapshot of a large tenant costs calls in proportion to the policy, not to the tenant.
 */
export function snapshotScope(policy: Policy): SnapshotScope {
  const oktaGroups = new Set<string>();
  const oneloginRoles = new Set<string>();
  const apps = new Set<string>();
  let mfa = false;
  // UC-16: the Salesforce user fields and Case types conditions read.
  const sourceFields = new Set<string>();
  const caseTypes = new Map<string, Set<string>>();

  eachPolicyCondition(policy, (c) => {
    if (c.oktaGroup !== undefined) oktaGroups.add(c.oktaGroup);
    if (c.oneloginRole !== undefined) oneloginRoles.add(c.oneloginRole);
    if (c.app !== undefined) apps.add(c.app);
    if (c.mfa !== undefined) mfa = true;
    if (c.salesforceField !== undefined) sourceFields.add(c.salesforceField.name);
    if (c.salesforceCase !== undefined) {
      const { org, type } = c.salesforceCase;
      (caseTypes.get(org) ?? caseTypes.set(org, new Set()).get(org)!).add(type);
    }
  });
  const entitlement = (e: EntitlementRef): void => {
    if (e.oktaGroup !== undefined) oktaGroups.add(e.oktaGroup);
    if (e.oneloginRole !== undefined) oneloginRoles.add(e.oneloginRole);
  };

  const { populations, attributes } = policy.identity;
  for (const group of policy.groups) (group.platform === 'okta' ? oktaGroups : oneloginRoles).add(group.name);
  for (const mirror of policy.mirrors) {
    for (const pair of mirror.pairs) {
      oktaGroups.add(pair.okta);
      oneloginRoles.add(pair.onelogin);
    }
  }
  policy.guardrails.sensitive?.forEach(entitlement);
  for (const rule of policy.guardrails.separationOfDuties ?? []) rule.entitlements.forEach(entitlement);

  const salesforceFields = new Set<string>();
  for (const flow of attributes ?? []) {
    if (flow.to === 'salesforce' || flow.to.startsWith('salesforce.')) {
      for (const field of Object.keys(flow.fields)) salesforceFields.add(field);
    }
  }
  // The phone match key compares Salesforce's Phone: read it only when a key needs it.
  if (matchOrder(policy.identity, 'salesforce').includes('phone')) salesforceFields.add('Phone');
  // Inactivity is judged on LastLoginDate: read only when the policy judges it.
  if (policy.lifecycle?.inactivity) salesforceFields.add('LastLoginDate');

  // Queues only ever receive records, so they are read only when a transfer names one.
  const salesforceQueues = Object.values(policy.lifecycle?.salesforce ?? {}).some((org) =>
    org.transfer?.to.some((target) => typeof target === 'object' && 'queue' in target),
  );

  const salesforceContacts = contactScopes(policy);
  // Profile.Name and UserRole.Name are always read; the user query names the rest.
  for (const field of sourceFields) if (!field.includes('.')) salesforceFields.add(field);

  // An app condition is judged on the person's own account, so apps are read only in the
  // directories that own people: the source and the owners of populations.
  const homes = new Set<string>([policy.identity.source, ...(populations ?? []).map((p) => p.owner)]);
  const appsIn = (idp: 'okta' | 'onelogin') => (homes.has(idp) ? sorted(apps) : []);

  return {
    oktaGroups: sorted(oktaGroups),
    oneloginRoles: sorted(oneloginRoles),
    oktaApps: appsIn('okta'),
    oneloginApps: appsIn('onelogin'),
    // People who left must be read too, or their Salesforce access could never be revoked.
    includeDeprovisioned: true,
    // Factors are judged on the person's own account too, and read one call per account (UC-17).
    ...(mfa && homes.has('okta') ? { oktaFactors: true } : {}),
    ...(mfa && homes.has('onelogin') ? { oneloginFactors: true } : {}),
    salesforceFields: sorted(salesforceFields),
    ...(salesforceQueues ? { salesforceQueues } : {}),
    ...(salesforceContacts ? { salesforceContacts } : {}),
    ...(caseTypes.size > 0
      ? {
          salesforceCases: Object.fromEntries(
            [...caseTypes].sort().map(([org, types]) => [org, sorted(types)]),
          ),
        }
      : {}),
  };
}

/** The Contact and Account fields each org's contact declarations compare (UC-14, UC-15). */
function contactScopes(policy: Policy): SnapshotScope['salesforceContacts'] {
  const byOrg = new Map<string, { contact: Set<string>; ids: Set<string>; account: Set<string> }>();
  for (const s of policy.contacts ?? []) {
    let org = byOrg.get(s.org);
    if (!org)
      byOrg.set(s.org, (org = { contact: new Set(['Email']), ids: new Set(), account: new Set(['Name']) }));
    org.ids.add(s.externalId.field);
    for (const f of [s.externalId.field, s.source.field, s.inactive.field, ...Object.keys(s.fields)])
      org.contact.add(f);
    org.account.add(s.account.field);
  }
  if (byOrg.size === 0) return undefined;
  const out: NonNullable<SnapshotScope['salesforceContacts']> = {};
  for (const [org, f] of byOrg)
    out[org] = {
      contactFields: sorted(f.contact),
      externalIdFields: sorted(f.ids),
      accountFields: sorted(f.account),
    };
  return out;
}

// Code-unit order, not locale order, so the scope (and the calls it drives) is the same everywhere.
// (A string array's default sort is exactly that order.)
const sorted = (values: Set<string>): string[] => [...values].sort();
