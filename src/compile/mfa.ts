import type { Finding } from '../model/findings.js';
import type { MfaGap } from '../model/mfa.js';
import type { Snapshots } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { eachConditionNode, eachPolicyCondition } from '../policy/each-condition.js';
import type { Condition } from '../policy/types.js';
import { matches } from './conditions.js';
import type { Person } from './people.js';

/**
 * MFA compliance (UC-17): who lacks an active factor, since when, and whether the policy's grace
 * is over. The conditions themselves are judged in conditions.ts; this is the report of them.
 */

export type { MfaGap };

/** The `mfa` tests of one condition. */
function testsOf(c: Condition | undefined): NonNullable<Condition['mfa']>[] {
  const out: NonNullable<Condition['mfa']>[] = [];
  eachConditionNode(c, (node) => void (node.mfa && out.push(node.mfa)));
  return out;
}

/** Every `mfa` test anywhere the policy has conditions. */
export function mfaConditions(policy: Policy): NonNullable<Condition['mfa']>[] {
  const out: NonNullable<Condition['mfa']>[] = [];
  eachPolicyCondition(policy, (node) => void (node.mfa && out.push(node.mfa)));
  return out;
}

/** Every grace period an `mfa: { enrolled: false }` test of the policy gives, in days, ascending. */
export function mfaGraces(policy: Policy): number[] {
  const graces = new Set(
    mfaConditions(policy)
      .filter((t) => !t.enrolled)
      .map((t) => t.graceDays ?? 0),
  );
  return [...graces].sort((a, b) => a - b);
}

/** The shortest grace an `mfa: { enrolled: false }` test of the policy gives; null when none does. */
export function mfaGraceDays(policy: Policy): number | null {
  const tests = mfaConditions(policy).filter((t) => !t.enrolled);
  return tests.length === 0 ? null : tests.reduce((min, t) => Math.min(min, t.graceDays ?? 0), Infinity);
}

const DAY_MS = 86_400_000;

/**
 * The people in scope whose home account was read for factors and has no active one, in person
 * order. Staged and deprovisioned accounts are never read, so never listed.
 */
export function mfaGaps(policy: Policy, snapshots: Snapshots, people: readonly Person[]): MfaGap[] {
  const graceDays = mfaGraceDays(policy) ?? 0;
  const mfaRules = policy.access.filter((r) => testsOf(r.when).length > 0);
  const out: MfaGap[] = [];
  for (const p of people) {
    if (!p.inScope || p.facts.mfa?.enrolled !== false) continue;
    const factors = (p.home === 'okta' ? snapshots.okta : snapshots.onelogin)?.factors?.[p.homeAccount.id];
    const since = factors?.graceFrom ?? null;
    const days = p.facts.mfa.daysWithout ?? null;
    const graceEnds =
      since === null
        ? null
        : new Date(Date.parse(`${since.slice(0, 10)}T00:00:00Z`) + (graceDays + 1) * DAY_MS)
            .toISOString()
            .slice(0, 10);
    out.push({
      person: p.key,
      platform: p.home,
      status: p.homeAccount.status,
      since,
      days,
      graceDays,
      graceEnds,
      overdue: days !== null && days > graceDays,
      rules: mfaRules.filter((r) => matches(r.when, p.facts)).map((r) => r.id),
    });
  }
  return out.sort((a, b) => (a.person < b.person ? -1 : a.person > b.person ? 1 : 0));
}

/** One info finding per gap: the plan shows who lacks MFA, and since when. */
export function mfaFindings(gaps: readonly MfaGap[]): Finding[] {
  return gaps.map((g) => ({
    code: 'no-mfa',
    severity: 'info',
    platform: g.platform,
    person: g.person,
    message: `no active MFA factor in ${g.platform}${g.since ? ` since ${g.since.slice(0, 10)} (${g.days ?? '?'} days)` : ''}; ${
      g.overdue
        ? `grace of ${g.graceDays} days over`
        : `grace of ${g.graceDays} days ends ${g.graceEnds ?? 'unknown'}`
    }`,
  }));
}
