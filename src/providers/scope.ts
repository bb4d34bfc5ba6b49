import type { SnapshotScope } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import type { Condition, EntitlementRef } from '../policy/types.js';
import { matchOrder } from '../policy/match-order.js';

/**
 * What to read from the platforms: exactly the groups, roles and fields the policy references, so
 * a snapshot of a large tenant costs calls in proportion to the policy, not to the tenant.
 */
export function snapshotScope(policy: Policy): SnapshotScope {
  const oktaGroups = new Set<string>();
  const oneloginRoles = new Set<string>();
  const apps = new Set<string>();

  const condition = (c: Condition | undefined): void => {
    if (!c) return;
    if (c.oktaGroup !== undefined) oktaGroups.add(c.oktaGroup);
    if (c.oneloginRole !== undefined) oneloginRoles.add(c.oneloginRole);
    if (c.app !== undefined) apps.add(c.app);
    c.all?.forEach(condition);
    c.any?.forEach(condition);
    condition(c.not);
  };
  const entitlement = (e: EntitlementRef): void => {
    if (e.oktaGroup !== undefined) oktaGroups.add(e.oktaGroup);
    if (e.oneloginRole !== undefined) oneloginRoles.add(e.oneloginRole);
  };

  for (const rule of policy.access) condition(rule.when);
  const { scope, populations, attributes } = policy.identity;
  scope?.include?.forEach(condition);
  scope?.exclude?.forEach(condition);
  for (const population of populations ?? []) condition(population.when);
  for (const group of policy.groups) {
    (group.platform === 'okta' ? oktaGroups : oneloginRoles).add(group.name);
    condition(group.rule);
  }
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
    salesforceFields: sorted(salesforceFields),
    ...(salesforceQueues ? { salesforceQueues } : {}),
  };
}

// Code-unit order, not locale order, so the scope (and the calls it drives) is the same everywhere.
// (A string array's default sort is exactly that order.)
const sorted = (values: Set<string>): string[] => [...values].sort();
