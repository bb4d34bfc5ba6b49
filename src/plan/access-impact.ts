import { compile, type DesiredState } from '../compile/compile.js';
import type { Finding } from '../model/findings.js';
import { memberPerson } from '../compile/owned-memberships.js';
import {
  salesforcePlatform,
  type PlatformId,
  type Snapshots,
  type SnapshotScope,
} from '../model/snapshot.js';
import type { State } from '../model/state.js';
import { entitlementLabel, isSensitive } from './guardrails.js';
import { planDesired } from './plan.js';
import type { EntitlementDelta } from './types.js';
import type { Policy } from '../policy/policy.js';

/**
 * Access impact between two refs (UC-25): both policies compiled against the same snapshots, and
 * the desired entitlements compared person by person. Comparing desired states (not the two plans'
 * changes) answers "what does this pull request change", whatever is still pending from before.
 */

/** One entitlement a person holds in a desired state, and the rule that gives it. */
interface Held {
  platform: PlatformId;
  entitlement: string;
  rule?: string;
}

export interface PersonAccessChange {
  person: string;
  gained: EntitlementDelta[];
  lost: EntitlementDelta[];
  /** Loses an account somewhere (deprovisioned there by the head policy). */
  losesAccount: boolean;
}

export interface SodViolation {
  person: string;
  rule: string;
  message: string;
}

export interface AccessDiff {
  /** People whose desired entitlements differ, by person key. */
  people: PersonAccessChange[];
  /** Sensitive entitlements gained or lost (a subset of `people`, repeated for the reviewer). */
  sensitive: { person: string; change: 'gains' | 'loses'; delta: EntitlementDelta }[];
  separationOfDuties: {
    /** Violations the head policy has and the base policy had not. */
    introduced: SodViolation[];
    /** Violations of the base policy that the head policy removes. */
    resolved: SodViolation[];
    /** Violations both have. */
    remaining: SodViolation[];
  };
  /** Whether a plan of the head policy would be blocked by a guard rail, and why. */
  headBlocked: boolean;
  headBlockedReasons: string[];
  /** People in scope under each policy. */
  peopleInScope: { base: number; head: number };
}

const key = (h: Held) => `${h.platform}\u0000${h.entitlement}`;

/** Every person's desired entitlements, from the compiled desired state. */
function desiredEntitlements(desired: DesiredState): Map<string, Map<string, Held>> {
  const out = new Map<string, Map<string, Held>>();
  const hold = (person: string, held: Held) => {
    let set = out.get(person);
    if (!set) out.set(person, (set = new Map()));
    if (!set.has(key(held))) set.set(key(held), held);
  };
  const withRule = (rule: string | undefined) => (rule ? { rule } : {});
  for (const d of desired.salesforce) {
    if (!d.present) continue;
    const platform = salesforcePlatform(d.org);
    hold(d.person, { platform, entitlement: 'account' });
    if (d.profile)
      hold(d.person, {
        platform,
        entitlement: entitlementLabel('profile', d.profile.name),
        ...withRule(d.profile.rule),
      });
    if (d.role)
      hold(d.person, {
        platform,
        entitlement: entitlementLabel('role', d.role.name),
        ...withRule(d.role.rule),
      });
    for (const g of d.permissionSets)
      hold(d.person, { platform, entitlement: entitlementLabel('permissionSet', g.name), rule: g.rule });
    for (const g of d.permissionSetGroups)
      hold(d.person, { platform, entitlement: entitlementLabel('permissionSetGroup', g.name), rule: g.rule });
  }
  for (const a of desired.idpAccounts)
    if (a.present)
      hold(a.person, { platform: a.platform, entitlement: 'account', rule: a.population ?? 'identity' });

  // Which rule owns a membership: the managed group or mirror that declares the person.
  const personOf = memberPerson(desired.people);
  const ruleOf = new Map<string, string>();
  for (const g of desired.groups)
    for (const m of g.members) {
      const person = personOf(g.platform, m);
      if (person) ruleOf.set(`${g.platform}:${g.name}:${person}`, m.rule);
    }
  // People's facts already read owned groups at their desired membership (withOwnedMemberships);
  // groups nobody owns are live memberships, equal on both sides, so they never show as a change.
  for (const p of desired.people) {
    if (!p.active) continue;
    for (const name of p.facts.oktaGroups)
      hold(p.key, {
        platform: 'okta',
        entitlement: entitlementLabel('group', name),
        ...withRule(ruleOf.get(`okta:${name}:${p.key}`)),
      });
    for (const name of p.facts.oneloginRoles)
      hold(p.key, {
        platform: 'onelogin',
        entitlement: entitlementLabel('role-membership', name),
        ...withRule(ruleOf.get(`onelogin:${name}:${p.key}`)),
      });
  }
  return out;
}

const sod = (findings: readonly Finding[]): Map<string, SodViolation> =>
  new Map(
    findings
      .filter((f) => f.code === 'separation-of-duties' && f.person && f.rule)
      .map((f) => [`${f.person}\u0000${f.rule}`, { person: f.person!, rule: f.rule!, message: f.message }]),
  );

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The values of `from` whose key `other` has (`shared`) or has not. */
const keyed = <V>(from: Map<string, V>, other: Map<string, unknown>, shared = false): V[] =>
  [...from].filter(([k]) => other.has(k) === shared).map(([, v]) => v);
const ENTITLEMENT_ORDER = (a: EntitlementDelta, b: EntitlementDelta) =>
  byCodeUnit(a.platform, b.platform) || byCodeUnit(a.entitlement, b.entitlement);

export interface AccessDiffInputs {
  base: Policy;
  head: Policy;
  snapshots: Snapshots;
  state: State;
  now: Date;
}

/** Pure: no network, no clock. */
export function diffAccess({ base, head, snapshots, state, now }: AccessDiffInputs): AccessDiff {
  const today = now.toISOString().slice(0, 10);
  const baseDesired = compile(base, snapshots, state, { today });
  const headDesired = compile(head, snapshots, state, { today });
  // The guard rails (separation of duties, blocking) come from the real planner, not a copy of it.
  const basePlan = planDesired(base, snapshots, baseDesired, { now });
  const headPlan = planDesired(head, snapshots, headDesired, { now });

  const was = desiredEntitlements(baseDesired);
  const is = desiredEntitlements(headDesired);
  // Sensitive under either policy: a PR that drops an entitlement from the sensitive list while
  // granting it must still be called out.
  const sensitive = (h: Held) =>
    isSensitive(head, h.platform, h.entitlement) || isSensitive(base, h.platform, h.entitlement);
  const delta = (h: Held): EntitlementDelta => ({
    platform: h.platform,
    entitlement: h.entitlement,
    ...(h.rule ? { rule: h.rule } : {}),
    ...(sensitive(h) ? { sensitive: true } : {}),
  });
  const people: PersonAccessChange[] = [];
  for (const person of [...new Set([...was.keys(), ...is.keys()])].sort(byCodeUnit)) {
    const before = was.get(person) ?? new Map<string, Held>();
    const after = is.get(person) ?? new Map<string, Held>();
    const gained = keyed(after, before).map(delta);
    const lost = keyed(before, after).map(delta);
    if (gained.length === 0 && lost.length === 0) continue;
    people.push({
      person,
      gained: gained.sort(ENTITLEMENT_ORDER),
      lost: lost.sort(ENTITLEMENT_ORDER),
      losesAccount: lost.some((d) => d.entitlement === 'account'),
    });
  }

  const baseSod = sod(basePlan.findings);
  const headSod = sod(headPlan.findings);
  const order = (a: SodViolation, b: SodViolation) =>
    byCodeUnit(a.person, b.person) || byCodeUnit(a.rule, b.rule);
  return {
    people,
    sensitive: people.flatMap((p) => [
      ...p.gained
        .filter((d) => d.sensitive)
        .map((d) => ({ person: p.person, change: 'gains' as const, delta: d })),
      ...p.lost
        .filter((d) => d.sensitive)
        .map((d) => ({ person: p.person, change: 'loses' as const, delta: d })),
    ]),
    separationOfDuties: {
      introduced: keyed(headSod, baseSod).sort(order),
      resolved: keyed(baseSod, headSod).sort(order),
      remaining: keyed(headSod, baseSod, true).sort(order),
    },
    headBlocked: headPlan.blocked,
    headBlockedReasons: headPlan.blockedReasons,
    peopleInScope: { base: basePlan.summary.peopleInScope, head: headPlan.summary.peopleInScope },
  };
}

/** What to read so that both policies see everything they reference. */
export function unionScope(a: SnapshotScope, b: SnapshotScope): SnapshotScope {
  const merge = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])].sort(byCodeUnit);
  return {
    oktaGroups: merge(a.oktaGroups, b.oktaGroups),
    oneloginRoles: merge(a.oneloginRoles, b.oneloginRoles),
    oktaApps: merge(a.oktaApps ?? [], b.oktaApps ?? []),
    oneloginApps: merge(a.oneloginApps ?? [], b.oneloginApps ?? []),
    includeDeprovisioned: a.includeDeprovisioned || b.includeDeprovisioned,
    ...(a.oktaFactors || b.oktaFactors ? { oktaFactors: true } : {}),
    ...(a.oneloginFactors || b.oneloginFactors ? { oneloginFactors: true } : {}),
    salesforceFields: merge(a.salesforceFields, b.salesforceFields),
    ...(a.salesforceContacts || b.salesforceContacts
      ? { salesforceContacts: unionContacts(a.salesforceContacts ?? {}, b.salesforceContacts ?? {}, merge) }
      : {}),
  };
}

/** The Contact and Account reads of both policies, org by org (UC-14, UC-15). */
function unionContacts(
  a: NonNullable<SnapshotScope['salesforceContacts']>,
  b: NonNullable<SnapshotScope['salesforceContacts']>,
  merge: (x: readonly string[], y: readonly string[]) => string[],
): NonNullable<SnapshotScope['salesforceContacts']> {
  const out: NonNullable<SnapshotScope['salesforceContacts']> = {};
  for (const org of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[org] ?? { contactFields: [], externalIdFields: [], accountFields: [] };
    const y = b[org] ?? { contactFields: [], externalIdFields: [], accountFields: [] };
    out[org] = {
      contactFields: merge(x.contactFields, y.contactFields),
      externalIdFields: merge(x.externalIdFields, y.externalIdFields),
      accountFields: merge(x.accountFields, y.accountFields),
    };
  }
  return out;
}
