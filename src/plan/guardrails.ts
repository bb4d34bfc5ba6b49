import type { DesiredState } from '../compile/compile.js';
import { matchesAnyGlob } from '../compile/conditions.js';
import type { Finding } from '../compile/types.js';
import type { Change } from '../model/change.js';
import { orgOf, type PlatformId } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import type { EntitlementRef } from '../policy/types.js';
import type { Planned } from './diff-salesforce.js';

/**
 * Guard rails (UC-09), applied to the planned changes: protected accounts are never touched,
 * deprovisioning is capped, separation of duties blocks, sensitive grants are called out.
 */

/** Drops every change to a protected account, turning each into a finding. */
export function withoutProtected(
  planned: Planned[],
  policy: Policy,
  emailOf: (c: Change) => string | undefined,
) {
  const patterns = policy.guardrails.protectedAccounts ?? [];
  if (patterns.length === 0) return { planned, findings: [] as Finding[] };
  const findings: Finding[] = [];
  const kept = planned.filter((p) => {
    const keys = [p.change.account.key, emailOf(p.change), p.person].filter((k): k is string => !!k);
    if (!keys.some((k) => matchesAnyGlob(k, patterns))) return true;
    findings.push({
      code: 'protected-account',
      severity: 'warn',
      platform: p.change.platform,
      address: p.change.address,
      ...(p.person ? { person: p.person } : {}),
      message: `${p.change.action} ${p.change.address} is not planned: the account is protected by guardrails.protectedAccounts`,
    });
    return false;
  });
  return { planned: kept, findings };
}

const OFFBOARDING = new Set(['deactivate', 'suspend', 'freeze']);

export function deprovisionCap(
  changes: readonly Change[],
  people: Map<string, string>,
  policy: Policy,
  inScope: number,
) {
  const leaving = new Set<string>();
  // A freeze with `frozen: false` thaws a returning person: that is the opposite of leaving.
  const thaws = (c: Change) =>
    c.action === 'freeze' && (c.after as { frozen?: boolean } | null)?.frozen === false;
  for (const c of changes)
    if (c.kind === 'account' && OFFBOARDING.has(c.action) && !thaws(c))
      leaving.add(people.get(c.id) ?? c.account.key);
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

const refMatches = (ref: EntitlementRef, org: string | undefined, label: string) => {
  if (ref.org !== undefined && ref.org !== '*' && ref.org !== org) return false;
  const [kind, ...rest] = label.split(':');
  const name = rest.join(':');
  return (
    (ref.permissionSet !== undefined && kind === 'permissionSet' && ref.permissionSet === name) ||
    (ref.permissionSetGroup !== undefined &&
      kind === 'permissionSetGroup' &&
      ref.permissionSetGroup === name) ||
    (ref.profile !== undefined && kind === 'profile' && ref.profile === name) ||
    (ref.role !== undefined && kind === 'role' && ref.role === name) ||
    (ref.oktaGroup !== undefined && kind === 'group' && org === undefined && ref.oktaGroup === name) ||
    (ref.oneloginRole !== undefined && kind === 'role-membership' && ref.oneloginRole === name)
  );
};

/** The impact label an entitlement reference names (`permissionSet:Billing_Approver`). */
const refLabel = (ref: EntitlementRef): string =>
  ref.permissionSet !== undefined
    ? entitlementLabel('permissionSet', ref.permissionSet)
    : ref.permissionSetGroup !== undefined
      ? entitlementLabel('permissionSetGroup', ref.permissionSetGroup)
      : ref.profile !== undefined
        ? entitlementLabel('profile', ref.profile)
        : ref.role !== undefined
          ? entitlementLabel('role', ref.role)
          : ref.oktaGroup !== undefined
            ? entitlementLabel('group', ref.oktaGroup)
            : entitlementLabel('role-membership', ref.oneloginRole ?? '');

export const isSensitive = (policy: Policy, platform: PlatformId, label: string) =>
  (policy.guardrails.sensitive ?? []).some((ref) => refMatches(ref, orgOf(platform), label));

/** Separation of duties over the desired state: who would hold two entitlements of one set. */
export function separationOfDuties(policy: Policy, desired: DesiredState): Finding[] {
  const rules = policy.guardrails.separationOfDuties ?? [];
  if (rules.length === 0) return [];
  // Only entitlements some rule names are worth remembering: at 100k people, holding every
  // group membership would be a million entries for a handful of rules.
  const relevant = new Set(rules.flatMap((r) => r.entitlements.map(refLabel)));
  const held = new Map<string, { org?: string; label: string }[]>();
  const hold = (person: string, org: string | undefined, label: string) => {
    if (!relevant.has(label)) return;
    (held.get(person) ?? held.set(person, []).get(person)!).push({ ...(org ? { org } : {}), label });
  };
  for (const d of desired.salesforce) {
    if (!d.present) continue;
    if (d.profile) hold(d.person, d.org, entitlementLabel('profile', d.profile.name));
    if (d.role) hold(d.person, d.org, entitlementLabel('role', d.role.name));
    for (const g of d.permissionSets) hold(d.person, d.org, entitlementLabel('permissionSet', g.name));
    for (const g of d.permissionSetGroups)
      hold(d.person, d.org, entitlementLabel('permissionSetGroup', g.name));
  }
  for (const p of desired.people) {
    for (const g of p.facts.oktaGroups) hold(p.key, undefined, entitlementLabel('group', g));
    for (const r of p.facts.oneloginRoles) hold(p.key, undefined, entitlementLabel('role-membership', r));
  }
  const findings: Finding[] = [];
  for (const [person, entitlements] of held) {
    for (const rule of rules) {
      const hits = rule.entitlements.filter((ref) =>
        entitlements.some((e) => refMatches(ref, e.org, e.label)),
      );
      if (hits.length < 2) continue;
      findings.push({
        code: 'separation-of-duties',
        severity: 'block',
        person,
        rule: rule.id,
        message: `${person} would hold ${hits.length} entitlements that separation-of-duties rule ${rule.id} forbids together`,
      });
    }
  }
  return findings;
}
