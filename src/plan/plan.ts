import { compile, type DesiredState } from '../compile/compile.js';
import type { Person } from '../compile/people.js';
import { sourceFacts } from '../compile/source-facts.js';
import { mfaGraces } from '../compile/mfa.js';
import { matchesAnyGlob } from '../compile/conditions.js';
import type { Finding } from '../model/findings.js';
import { AccordError } from '../errors.js';
import type { Change, ChangeAction } from '../model/change.js';
import { fingerprints } from '../model/fingerprint.js';
import { orgOf, type PlatformId, type Snapshots } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';
import { diffIdp } from './diff-idp.js';
import { diffSalesforce } from './diff-salesforce.js';
import { diffContacts } from './diff-contacts.js';
import {
  deprovisionCap,
  isSensitive,
  separationOfDuties,
  targetLabel,
  withoutProtected,
} from './guardrails.js';
import { accessImpact } from './impact.js';
import { changesDigest } from '../model/change-id.js';
import { licenseCapacity } from './license-capacity.js';
import { contentAddress } from './make-change.js';
import { orderChanges } from './order-changes.js';
import { PLAN_FORMAT_VERSION, type Plan } from './types.js';

export interface PlanOptions {
  /** The instant the plan is for; exceptions expire by its date. */
  now: Date;
  /** Keep only changes whose address starts with one of these (plus what they depend on). */
  targets?: string[];
}

/**
 * Plan: Policy × Snapshots × State → Plan. Pure: no network, no clock. Compiles the desired state,
 * then plans it (`planDesired`).
 */
export function createPlan(policy: Policy, snapshots: Snapshots, state: State, options: PlanOptions): Plan {
  return planWithFacts(policy, snapshots, state, options).plan;
}

/** A plan, and the people's source facts it was made from (worked out only when asked for). */
export function planWithFacts(
  policy: Policy,
  snapshots: Snapshots,
  state: State,
  options: PlanOptions,
): { plan: Plan; facts: () => Record<string, string> } {
  const desired = compile(policy, snapshots, state, { today: options.now.toISOString().slice(0, 10) });
  return {
    plan: planDesired(policy, snapshots, desired, options),
    facts: () => sourceFacts(desired.people, mfaGraces(policy)),
  };
}

/**
 * The plan of a compiled desired state: diffs it per platform, applies guard rails, withholds the
 * changes of people in conflict, orders what is left, and works out who gains and loses what.
 */
/** Findings that stop the whole plan, not only one person's changes. */
const blocksThePlan = (f: Finding): boolean =>
  f.code === 'separation-of-duties' ||
  f.code === 'unknown-person' ||
  (f.code === 'missing-app' && f.severity === 'block');

export function planDesired(
  policy: Policy,
  snapshots: Snapshots,
  desired: DesiredState,
  options: PlanOptions,
): Plan {
  const source = policy.identity.source === 'okta' ? snapshots.okta : snapshots.onelogin;
  // A failed or empty source snapshot never means "everyone left".
  if (!source || source.accounts.length === 0) {
    throw new AccordError(
      `the ${policy.identity.source} snapshot (the source of people) is empty; refusing to plan`,
      {
        code: 'guardrail.empty-source',
        hint: `check the ${policy.identity.source} credentials and that the directory has users; an empty source would deprovision everyone`,
      },
    );
  }
  const findings: Finding[] = [...desired.findings];
  let planned: Change[] = [];
  for (const org of Object.keys(snapshots.salesforce).sort()) {
    const result = diffSalesforce(
      org,
      snapshots.salesforce[org]!,
      desired.salesforce.filter((d) => d.org === org),
    );
    for (const c of result.changes) planned.push(c);
    for (const f of result.findings) findings.push(f);
    for (const c of diffContacts(org, snapshots.salesforce[org]!, desired)) planned.push(c);
  }
  const idp = diffIdp(snapshots, desired.idpAccounts, desired.groups, desired.people);
  for (const c of idp.changes) planned.push(c);
  for (const f of idp.findings) findings.push(f);

  const byEmail = protectedByEmail(snapshots, policy.guardrails.protectedAccounts ?? []);
  const guarded = withoutProtected(planned, policy, (c) => byEmail(c.platform, c.account.key));
  planned = guarded.changes;
  for (const f of guarded.findings) findings.push(f);

  // A conflict holds back its person's changes on its platform only: it narrows, it never shields
  // a leaver elsewhere (a leaver stuck behind one is a blocking finding, below).
  const conflicted = new Set(desired.conflicts.map((c) => `${c.platform}\n${c.person}`));
  planned = planned.filter((c) => !c.person || !conflicted.has(`${c.platform}\n${c.person}`));
  for (const f of unresolvedLeavers(desired)) findings.push(f);
  planned = withinTargets(planned, options.targets);

  const changes = orderChanges(planned);
  contentAddress(changes);
  const peopleInScope = desired.people.filter((p) => p.inScope).length;
  const cap = deprovisionCap(changes, policy, peopleInScope);
  const seats = licenseCapacity(changes, snapshots);
  // Loops, not `push(...list)`: a spread puts every element on the stack (issue 17).
  for (const more of [
    cap.findings,
    seats.findings,
    separationOfDuties(policy, desired),
    sensitiveGrants(changes, policy),
    orphanFindings(desired, policy),
  ])
    for (const f of more) findings.push(f);
  const blockedReasons = [
    ...cap.reasons,
    ...seats.reasons,
    ...findings.filter(blocksThePlan).map((f) => f.message),
  ];

  const byAction: Partial<Record<ChangeAction, number>> = {};
  for (const c of changes) byAction[c.action] = (byAction[c.action] ?? 0) + 1;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: options.now.toISOString(),
    environment: policy.settings.environment,
    policyDigest: policy.digest,
    snapshotFingerprints: fingerprints(snapshots),
    changesDigest: changesDigest(changes),
    changes,
    conflicts: [...desired.conflicts].sort(
      (a, b) => a.person.localeCompare(b.person) || a.platform.localeCompare(b.platform),
    ),
    findings: sortFindings(findings),
    impact: accessImpact(changes, policy),
    summary: { byAction, total: changes.length, peopleDeprovisioned: cap.deprovisioned, peopleInScope },
    blocked: blockedReasons.length > 0,
    blockedReasons,
  };
}

/**
 * Whether an account's email makes it protected, by platform and key (without case). Each platform's
 * accounts are tested once, the first time a change there asks, and the few protected keys kept:
 * the cost follows the accounts, not the (possibly far more numerous) changes.
 */
function protectedByEmail(snapshots: Snapshots, patterns: readonly string[]) {
  const byPlatform = new Map<PlatformId, Set<string>>();
  return (platform: PlatformId, key: string): boolean => {
    let keys = byPlatform.get(platform);
    if (!keys) {
      const found = new Set<string>();
      const mark = (key: string, email: string) => {
        if (email && matchesAnyGlob(email, patterns)) found.add(key.toLowerCase());
      };
      const org = orgOf(platform);
      if (org !== undefined)
        for (const u of snapshots.salesforce[org]?.users ?? []) mark(u.username, u.email);
      else
        for (const a of (platform === 'okta' ? snapshots.okta : snapshots.onelogin)?.accounts ?? [])
          mark(a.login, a.email);
      keys = found;
      byPlatform.set(platform, keys);
    }
    return keys.size > 0 && keys.has(key.toLowerCase());
  };
}

function withinTargets(planned: Change[], targets: string[] | undefined): Change[] {
  if (!targets || targets.length === 0) return planned;
  const byId = new Map(planned.map((c) => [c.id, c]));
  const keep = new Set<string>();
  const visit = (id: string) => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d);
  };
  for (const c of planned) if (targets.some((t) => c.address.startsWith(t))) visit(c.id);
  return planned.filter((c) => keep.has(c.id));
}

/**
 * A leaver whose account on a platform is ambiguous or contested may keep access there: accord
 * will not guess which account to offboard, so the person is named with the candidates.
 */
function unresolvedLeavers(desired: DesiredState): Finding[] {
  const leaving = new Map<string, Person>();
  for (const p of desired.people) if (p.leaving) leaving.set(p.key, p);
  return desired.conflicts.flatMap((c): Finding[] => {
    const p = c.kind === 'priority' ? undefined : leaving.get(c.person);
    const takes = orgOf(c.platform) === undefined ? p?.leaving?.idp : p?.leaving?.salesforce;
    if (!p || !takes || takes === 'keep') return [];
    const status = p.status === 'deleted' ? `deleted from ${p.home}` : `${p.home} ${p.homeAccount.rawStatus}`;
    return [
      {
        code: 'unresolved-leaver',
        severity: 'block',
        platform: c.platform,
        person: c.person,
        message: `${c.person} left (${status}) but is not offboarded in ${c.platform}: ${c.message}; add a \`links\` entry naming their account there`,
      },
    ];
  });
}

function sensitiveGrants(changes: readonly Change[], policy: Policy): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    if (c.action !== 'grant' || !c.target) continue;
    const label = targetLabel(c, c.target.name);
    if (isSensitive(policy, c.platform, label))
      out.push({
        code: 'sensitive',
        severity: 'warn',
        platform: c.platform,
        address: c.address,
        ...(c.reason.rule ? { rule: c.reason.rule } : {}),
        message: `grants sensitive ${label} to ${c.account.key}`,
      });
  }
  return out;
}

function orphanFindings(desired: DesiredState, policy: Policy): Finding[] {
  const patterns = policy.guardrails.protectedAccounts ?? [];
  const reclaim = policy.lifecycle.orphans ?? 'report';
  return Object.entries(desired.orphans).flatMap(([org, users]) =>
    users.map((u) => ({
      code: 'orphan-account' as const,
      severity: 'info' as const,
      platform: `salesforce:${org}` as const,
      message: `${u.username} is active in ${org} (license ${u.license}) but matches no person${[u.username, u.email].some((k) => matchesAnyGlob(k, patterns)) ? ' (protected)' : reclaim === 'report' ? '' : ` (lifecycle.orphans: ${reclaim})`}`,
    })),
  );
}

const SEVERITY = { block: 0, warn: 1, info: 2 };
const sortFindings = (findings: Finding[]) =>
  [...findings].sort(
    (a, b) =>
      SEVERITY[a.severity] - SEVERITY[b.severity] ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
