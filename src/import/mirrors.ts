import { distance } from 'fastest-levenshtein';
import { desiredIdp } from '../compile/desired-idp.js';
import type { Person } from '../compile/people.js';
import type { IdpGroup, IdpId, Snapshots } from '../model/snapshot.js';
import { diffIdp } from '../plan/diff-idp.js';
import type { Policy } from '../policy/policy.js';
import type { Mirror } from '../policy/types.js';

/**
 * Mirrors found by import (UC-12, UC-27): Okta groups and OneLogin roles that hold the same
 * people. Pure.
 *
 * - Only people with an account in both directories count (nobody else can be in both). For a
 *   group G and a role R, agreement = |people in both| / |people in either| (Jaccard).
 * - A pair qualifies at `minAgreement` or more, with at least MIN_MIRROR_PEOPLE people in
 *   common. Each group and role goes into one pair at most: the highest agreement first, the
 *   closer names (case-insensitive Levenshtein) only between equal agreements, then the names.
 * - Direction: from the directory most of the pair's people have as home (identity source and
 *   populations, as the plan resolves them); on a tie from the side with more of them; then
 *   from `identity.source`. A target whose members the API cannot change (an app group) is only
 *   reported; Okta's built-in Everyone is never paired.
 * - Written only when exact: the pair is declared, as an authoritative mirror, in a copy of the
 *   policy, and the plan's own code (compile's desiredIdp, plan's diffIdp) says it would grant or
 *   revoke nothing. A pair that agrees but not exactly (someone in one side only, a leaver still in
 *   the target, a target member matching nobody) is only reported, with the changes declaring it
 *   would make: import never changes a membership by accident, and the plan on what it writes
 *   keeps its 0 changes.
 */

export const DEFAULT_MIN_MIRROR_AGREEMENT = 0.95;

/** Fewer people in common than this is a coincidence, not a mirror. */
export const MIN_MIRROR_PEOPLE = 2;

export interface ReportedMirror {
  okta: string;
  onelogin: string;
  direction: Mirror['direction'];
  /** People in both, of the people in either (only people with an account in both directories). */
  agreement: number;
  /** People in both. */
  common: number;
  /** People in either. */
  people: number;
  /** The id of the mirror it was written to; absent when it is only reported. */
  mirror?: string;
  /** What declaring it would change today (membership grants and revokes, by address): none when written. */
  changes: string[];
  /** Why it is not written when that is not a change: the target is not a group accord can change. */
  note?: string;
}

export interface MirrorOptions {
  minAgreement: number;
  /** `okta:<group>` and `onelogin:<role>` some existing declaration owns or mirrors: never paired. */
  taken?: ReadonlySet<string>;
  /** A policy id from a base, clear of every id in use. */
  uniqueId: (base: string) => string;
}

export interface MirrorsFound {
  mirrors: Mirror[];
  report: ReportedMirror[];
}

const similarity = (a: string, b: string): number => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return 1 - distance(x, y) / Math.max(x.length, y.length, 1);
};

const round = (x: number) => Math.round(x * 1000) / 1000;

interface Side {
  group: IdpGroup;
  people: Set<number>;
}

export function findMirrors(
  policy: Policy,
  snapshots: Snapshots,
  people: readonly Person[],
  options: MirrorOptions,
): MirrorsFound {
  const { okta, onelogin } = snapshots;
  if (!okta || !onelogin || !policy.platforms.okta || !policy.platforms.onelogin)
    return { mirrors: [], report: [] };
  const both = { okta: new Map<string, number>(), onelogin: new Map<string, number>() };
  people.forEach((p, i) => {
    if (!p.accounts.okta || !p.accounts.onelogin) return;
    both.okta.set(p.accounts.okta.id, i);
    both.onelogin.set(p.accounts.onelogin.id, i);
  });
  const sides = (idp: IdpId, groups: readonly IdpGroup[]): Side[] =>
    groups
      // Okta's Everyone holds every user by definition: no mirror of anything.
      .filter((group) => group.kind !== 'builtin' && !options.taken?.has(`${idp}:${group.name}`))
      .map((group) => {
        const members = new Set<number>();
        for (const id of group.memberIds) {
          const i = both[idp].get(id);
          if (i !== undefined) members.add(i);
        }
        return { group, people: members };
      })
      .filter((s) => s.people.size >= MIN_MIRROR_PEOPLE);
  const groups = sides('okta', okta.groups);
  const roles = sides('onelogin', onelogin.groups);
  const rolesOf = new Map<number, number[]>();
  roles.forEach((r, j) => {
    for (const i of r.people) (rolesOf.get(i) ?? rolesOf.set(i, []).get(i)!).push(j);
  });

  const pairs: { g: Side; r: Side; common: number; union: number; agreement: number; named: number }[] = [];
  for (const g of groups) {
    const common = new Map<number, number>();
    for (const i of g.people) for (const j of rolesOf.get(i) ?? []) common.set(j, (common.get(j) ?? 0) + 1);
    for (const [j, n] of common) {
      const r = roles[j]!;
      const union = g.people.size + r.people.size - n;
      const agreement = n / union;
      if (n >= MIN_MIRROR_PEOPLE && agreement >= options.minAgreement)
        pairs.push({ g, r, common: n, union, agreement, named: similarity(g.group.name, r.group.name) });
    }
  }
  pairs.sort(
    (a, b) =>
      b.agreement - a.agreement ||
      b.named - a.named ||
      (a.g.group.name < b.g.group.name ? -1 : a.g.group.name > b.g.group.name ? 1 : 0) ||
      (a.r.group.name < b.r.group.name ? -1 : 1),
  );
  const used = new Set<Side>();
  const chosen: (typeof pairs)[number][] = [];
  for (const pair of pairs) {
    if (used.has(pair.g) || used.has(pair.r)) continue;
    used.add(pair.g);
    used.add(pair.r);
    chosen.push(pair);
  }

  const report: ReportedMirror[] = [];
  const reported = (pair: (typeof pairs)[number], direction: Mirror['direction']) => ({
    okta: pair.g.group.name,
    onelogin: pair.r.group.name,
    direction,
    agreement: round(pair.agreement),
    common: pair.common,
    people: pair.union,
  });
  const candidates: { pair: (typeof pairs)[number]; mirror: Mirror }[] = [];
  for (const pair of chosen) {
    const direction = directionOf(policy, people, pair.g, pair.r);
    const target = direction === 'okta-to-onelogin' ? pair.r.group : pair.g.group;
    if (target.kind !== 'managed') {
      report.push({
        ...reported(pair, direction),
        changes: [],
        note: `the target is ${target.kind === 'app' ? 'an app' : 'a built-in'} group: its members are not accord's to change`,
      });
      continue;
    }
    candidates.push({
      pair,
      mirror: {
        id: `candidate-${candidates.length}`,
        direction,
        mode: 'authoritative',
        pairs: [{ okta: pair.g.group.name, onelogin: pair.r.group.name }],
      },
    });
  }
  // Each candidate declared alone (no managed group, no other mirror) and diffed by the plan's code.
  const trial = desiredIdp(
    { ...policy, groups: [], mirrors: candidates.map((c) => c.mirror) },
    snapshots,
    people,
  );
  const changesOf = new Map<string, string[]>();
  for (const g of trial.groups)
    changesOf.set(
      g.owner,
      diffIdp({ okta, onelogin }, [], [g]).changes.map((c) => `${c.action} ${c.address}`),
    );

  const exact = new Map<Mirror['direction'], Mirror['pairs']>();
  for (const { pair, mirror } of candidates) {
    // Every candidate's source exists (it came from the snapshot), so each has its target group.
    const changes = changesOf.get(mirror.id) ?? [];
    if (changes.length === 0) {
      const list = exact.get(mirror.direction) ?? exact.set(mirror.direction, []).get(mirror.direction)!;
      list.push(mirror.pairs[0]!);
    }
    report.push({ ...reported(pair, mirror.direction), changes });
  }
  const mirrors: Mirror[] = [];
  for (const direction of ['onelogin-to-okta', 'okta-to-onelogin'] as const) {
    const list = exact.get(direction);
    if (!list) continue;
    const id = options.uniqueId(
      direction === 'onelogin-to-okta' ? 'onelogin-roles-to-okta' : 'okta-groups-to-onelogin',
    );
    const pairsOf = [...list].sort((a, b) => (a.okta < b.okta ? -1 : a.okta > b.okta ? 1 : 0));
    mirrors.push({ id, direction, mode: 'authoritative', pairs: pairsOf });
    for (const r of report) if (r.direction === direction && r.changes.length === 0 && !r.note) r.mirror = id;
  }
  report.sort((a, b) => b.agreement - a.agreement || (a.okta < b.okta ? -1 : 1));
  return { mirrors, report };
}

/** From the home of most of the pair's people, else the side with more of them, else identity.source. */
function directionOf(policy: Policy, people: readonly Person[], g: Side, r: Side): Mirror['direction'] {
  const homes = { okta: 0, onelogin: 0 };
  for (const i of new Set([...g.people, ...r.people])) homes[people[i]!.home]++;
  const from: IdpId =
    homes.okta !== homes.onelogin
      ? homes.okta > homes.onelogin
        ? 'okta'
        : 'onelogin'
      : g.people.size !== r.people.size
        ? g.people.size > r.people.size
          ? 'okta'
          : 'onelogin'
        : policy.identity.source;
  return from === 'okta' ? 'okta-to-onelogin' : 'onelogin-to-okta';
}
