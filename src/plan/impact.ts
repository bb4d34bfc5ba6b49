import type { Change } from '../model/change.js';
import type { PlatformId } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { entitlementLabel, isSensitive, targetLabel } from './guardrails.js';
import type { EntitlementDelta, PersonImpact } from './types.js';

/** What one change means for the person: the entitlements gained and lost (UC-21, UC-25). */
function deltas(c: Change): { gained: string[]; lost: string[] } {
  const after = (c.after ?? {}) as Record<string, unknown>;
  switch (c.kind) {
    case 'permissionSet':
    case 'permissionSetGroup':
    case 'membership': {
      const label = targetLabel(c, c.target!.name);
      return c.action === 'grant' ? { gained: [label], lost: [] } : { gained: [], lost: [label] };
    }
    case 'account': {
      const gained: string[] = [];
      const lost: string[] = [];
      if (c.action === 'create' || c.action === 'activate') gained.push('account');
      if (c.action === 'deactivate' || c.action === 'suspend') lost.push('account');
      if (typeof after.Profile === 'string') gained.push(entitlementLabel('profile', after.Profile));
      if (typeof after.UserRole === 'string') gained.push(entitlementLabel('role', after.UserRole));
      const before = (c.before ?? {}) as Record<string, unknown>;
      if (c.action === 'update' && typeof before.Profile === 'string')
        lost.push(entitlementLabel('profile', before.Profile));
      if (c.action === 'update' && typeof before.UserRole === 'string')
        lost.push(entitlementLabel('role', before.UserRole));
      return { gained, lost };
    }
    default:
      return { gained: [], lost: [] };
  }
}

/**
 * One entitlement of a change. Keys are added in order, not by conditional spreads: those send each
 * of a large plan's deltas down the slow path of object creation.
 */
function delta(
  c: Change,
  entitlement: string,
  sensitive: (platform: PlatformId, entitlement: string) => boolean,
): EntitlementDelta {
  const d: EntitlementDelta = { platform: c.platform, entitlement };
  if (c.reason.rule) d.rule = c.reason.rule;
  if (sensitive(c.platform, entitlement)) d.sensitive = true;
  return d;
}

export function accessImpact(changes: readonly Change[], policy: Policy): PersonImpact[] {
  return impactOf(changes, (platform, entitlement) => isSensitive(policy, platform, entitlement));
}

/**
 * The impact of changes, with which entitlements are sensitive given as a test: what a saved plan
 * derives its impact from (plan-file.ts), since it stores only the sensitive entitlements.
 */
export function impactOf(
  changes: readonly Change[],
  sensitive: (platform: PlatformId, entitlement: string) => boolean,
): PersonImpact[] {
  const byPerson = new Map<string, PersonImpact>();
  for (const c of changes) {
    const person = c.person ?? c.account.key;
    const { gained, lost } = deltas(c);
    if (gained.length === 0 && lost.length === 0) continue;
    let impact = byPerson.get(person);
    if (!impact) byPerson.set(person, (impact = { person, gained: [], lost: [], deprovisioned: false }));
    for (const e of gained) impact.gained.push(delta(c, e, sensitive));
    for (const e of lost) impact.lost.push(delta(c, e, sensitive));
    if (c.kind === 'account' && (c.action === 'deactivate' || c.action === 'suspend'))
      impact.deprovisioned = true;
  }
  return [...byPerson.values()].sort((a, b) => a.person.localeCompare(b.person));
}
