import type { DesiredState } from '../compile/compile.js';
import { matchesAnyGlob } from '../compile/conditions.js';
import type { Finding } from '../model/findings.js';
import type { Change } from '../model/change.js';
import { orgOf, type PlatformId } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import type { EntitlementRef } from '../policy/types.js';

/**
 * Guard rails (UC-09), applied to the planned changes: protected accounts are never touched,
 * deprovisioning is capped, separation of duties blocks, sensitive grants are called out.
 */

/** Drops every change to a protected account, turning each into a finding. */
export function withoutProtected(
  changes: Change[],
  policy: Policy,
  protectedByEmail: (c: Change) => boolean,
) {
  const patterns = policy.guardrails.protectedAccounts ?? [];
  if (patterns.length === 0) return { changes, findings: [] as Finding[] };
  const findings: Finding[] = [];
  const guarded = (key: string | undefined) => !!key && matchesAnyGlob(key, patterns);
  const kept = changes.filter((c) => {
    if (!guarded(c.account.key) && !guarded(c.person) && !protectedByEmail(c)) return true;
    findings.push({
      code: 'protected-account',
      severity: 'warn',
      platform: c.platform,
      address: c.address,
      ...(c.person ? { person: c.person } : {}),
      message: `${c.action} ${c.address} is not planned: the account is protected by guardrails.protectedAccounts`,
    });
    return false;
  });
  return { changes: kept, findings };
}

const OFFBOARDING = new Set(['deactivate', 'suspend', 'freeze']);

export function deprovisionCap(changes: readonly Change[], policy: Policy, inScope: number) {
  const leaving = new Set<string>();
  // A freeze with `frozen: false` thaws a returning person: that is the opposite of leaving.
  const thaws = (c: Change) =>
    c.action === 'freeze' && (c.after as { frozen?: boolean } | null)?.frozen === false;
  for (const c of changes)
    if (c.kind === 'account' && OFFBOARDING.has(c.action) && !thaws(c))
      leaving.add(c.person ?? c.account.key);
  const cap = policy.guardrails.maxDeprovision;
  const reasons: string[] = [];
  if (cap?.absolute !== undefined && leaving.size > cap.absolute)
    reasons.push(`${leaving.size} people would be deprovisioned, over the cap of ${cap.absolute}`);
  if (cap?.percent !== undefined && inScope > 0 && (leaving.size / inScope) * 100 > cap.percent)
    reasons.push(
      `${leaving.size} of ${inScope} people in scope (${((leaving.size / inScope) * 100).toFixed(1)}%) would be deprovisioned, over the cap of ${cap.percent}%`,
    );
  const findings: Finding[] = reasons.map((message) => ({
    code: 'deprovision-cap',
    severity: 'block',
    message,
  }));
  return { deprovisioned: leaving.size, findings, reasons };
}

/** The label an entitlement has in impact reports: `permissionSet:Sales_Cloud_User`. */
export const entitlementLabel = (kind: string, name: string) => `${kind}:${name}`;

/** The label of what a grant or revoke is about: a permission set (group), or a group or role membership. */
export const targetLabel = (c: Pick<Change, 'kind' | 'platform'>, name: string) =>
  entitlementLabel(
    c.kind === 'membership' ? (c.platform === 'okta' ? 'group' : 'role-membership') : c.kind,
    name,
  );

/** An entitlement as kind and name: the two halves of its label. */
interface Entitlement {
  kind: string;
  name: string;
}

/** The kind and name of a label, split at its first colon (names may hold colons). */
const parseLabel = (label: string): Entitlement => {
  const colon = label.indexOf(':');
  return colon < 0
    ? { kind: label, name: '' }
    : { kind: label.slice(0, colon), name: label.slice(colon + 1) };
};

/** The entitlement a reference names, as in impact labels (`permissionSet:Billing_Approver`). */
const refEntitlement = (ref: EntitlementRef): Entitlement =>
  ref.permissionSet !== undefined
    ? { kind: 'permissionSet', name: ref.permissionSet }
    : ref.permissionSetGroup !== undefined
      ? { kind: 'permissionSetGroup', name: ref.permissionSetGroup }
      : ref.profile !== undefined
        ? { kind: 'profile', name: ref.profile }
        : ref.role !== undefined
          ? { kind: 'role', name: ref.role }
          : ref.oktaGroup !== undefined
            ? { kind: 'group', name: ref.oktaGroup }
            : { kind: 'role-membership', name: ref.oneloginRole ?? '' };

/**
 * Whether a reference names this entitlement (validation makes a reference name exactly one).
 * Okta groups are not per org, so a reference to one never matches an org's entitlement.
 */
const refMatches = (ref: EntitlementRef, org: string | undefined, { kind, name }: Entitlement) => {
  if (ref.org !== undefined && ref.org !== '*' && ref.org !== org) return false;
  const named = refEntitlement(ref);
  return named.kind === kind && named.name === name && (kind !== 'group' || org === undefined);
};

export const isSensitive = (policy: Policy, platform: PlatformId, label: string) => {
  const refs = policy.guardrails.sensitive ?? [];
  if (refs.length === 0) return false;
  const org = orgOf(platform);
  const entitlement = parseLabel(label);
  return refs.some((ref) => refMatches(ref, org, entitlement));
};

/** Separation of duties over the desired state: who would hold two entitlements of one set. */
export function separationOfDuties(policy: Policy, desired: DesiredState): Finding[] {
  const rules = policy.guardrails.separationOfDuties ?? [];
  if (rules.length === 0) return [];
  // Only entitlements some rule names are worth remembering: at 100k people, holding every
  // group membership would be a million entries for a handful of rules. Each relevant
  // entitlement of each org is one shared record (kind → name → org), so holding it costs a slot
  // in the person's list and nothing else.
  type Held = { org?: string; entitlement: Entitlement };
  const relevant = new Map<string, Map<string, Map<string, Held>>>();
  for (const { kind, name } of rules.flatMap((r) => r.entitlements.map(refEntitlement))) {
    const names = relevant.get(kind) ?? relevant.set(kind, new Map()).get(kind)!;
    if (!names.has(name)) names.set(name, new Map());
  }
  const held = new Map<string, Held[]>();
  const hold = (person: string, org: string | undefined, kind: string, name: string) => {
    const byOrg = relevant.get(kind)?.get(name);
    if (!byOrg) return;
    let record = byOrg.get(org ?? '');
    if (!record) byOrg.set(org ?? '', (record = { ...(org ? { org } : {}), entitlement: { kind, name } }));
    const list = held.get(person);
    if (list) list.push(record);
    else held.set(person, [record]);
  };
  for (const d of desired.salesforce) {
    if (!d.present) continue;
    if (d.profile) hold(d.person, d.org, 'profile', d.profile.name);
    if (d.role) hold(d.person, d.org, 'role', d.role.name);
    for (const g of d.permissionSets) hold(d.person, d.org, 'permissionSet', g.name);
    for (const g of d.permissionSetGroups) hold(d.person, d.org, 'permissionSetGroup', g.name);
  }
  // Memberships are asked about, group by group, rather than listed: listing a person's groups
  // means testing every group the snapshot has.
  const groups = [...(relevant.get('group')?.keys() ?? [])];
  const roles = [...(relevant.get('role-membership')?.keys() ?? [])];
  for (const p of desired.people) {
    for (const g of groups) if (p.facts.oktaGroups.has(g)) hold(p.key, undefined, 'group', g);
    for (const r of roles) if (p.facts.oneloginRoles.has(r)) hold(p.key, undefined, 'role-membership', r);
  }
  const findings: Finding[] = [];
  const holds = (entitlements: readonly Held[], ref: EntitlementRef) => {
    for (const e of entitlements) if (refMatches(ref, e.org, e.entitlement)) return true;
    return false;
  };
  for (const [person, entitlements] of held) {
    for (const rule of rules) {
      let hits = 0;
      for (const ref of rule.entitlements) if (holds(entitlements, ref)) hits++;
      if (hits < 2) continue;
      findings.push({
        code: 'separation-of-duties',
        severity: 'block',
        person,
        rule: rule.id,
        message: `${person} would hold ${hits} entitlements that separation-of-duties rule ${rule.id} forbids together`,
      });
    }
  }
  return findings;
}
