import type { Conflict } from '../model/findings.js';
import type { PlatformId } from '../model/snapshot.js';
import type { MatchKey } from '../policy/types.js';

/**
 * Identity resolution (UC-13): links each person to at most one account on a platform by the
 * policy's match keys, in order. Explicit decisions (policy `links`, then state links) win. When a
 * key yields several candidates, or one account is claimed by several people, nobody guesses: the
 * result is a conflict that names the `links` entry resolving it.
 *
 * People are positions in indexes shared by every platform (MatchValues): matching walks the
 * platform's accounts and looks each one up, so its cost follows the accounts a platform has
 * rather than the 100k people asked about on each of several platforms.
 */

/** People by one key's normalised value: a position, or the positions sharing the value. */
export type KeyIndex = ReadonlyMap<string, number | readonly number[]>;

export interface MatchInput<A> {
  platform: PlatformId;
  /** How many people the indexes hold (positions 0 to count - 1). */
  people: number;
  /** Whether a person takes part here (people of the other IdP, say, do not). */
  eligible?: (i: number) => boolean;
  accounts: readonly A[];
  order: readonly MatchKey[];
  personKey: (i: number) => string;
  accountKey: (a: A) => string;
  /** People by the normalised value of a match key. */
  peopleBy: (key: MatchKey) => KeyIndex;
  /** The normalised value of a match key for an account (undefined: no value). */
  accountValue: (a: A, key: MatchKey) => string | undefined;
  /** An explicit decision: the account key, null for "no account here", undefined for none. */
  decided: (i: number) => string | null | undefined;
  /** The `links` entry that would pick `accountKey` for `person`. */
  suggest: (person: string, accountKey: string) => Conflict['resolution'];
}

export interface MatchResult<A> {
  /** The account of each person, by position (undefined: none, or not eligible). */
  accounts: (A | undefined)[];
  conflicts: Conflict[];
}

const NO_KEY = 255;
const FREE = -1;
const CONTESTED = -2;

// Positions and typed arrays throughout: at 100k people, a Map entry or an object per person or
// account is most of the cost of matching.
export function matchAccounts<A>(input: MatchInput<A>): MatchResult<A> {
  const matched: (A | undefined)[] = new Array<A | undefined>(input.people).fill(undefined);
  const conflicts: Conflict[] = [];
  const { takesPart, explicit } = applyDecisions(input, matched);
  const candidates = findCandidates(input, takesPart, explicit);
  const claims = claimCandidates(input, candidates, conflicts);
  settleClaims(input, claims, matched, conflicts);
  return { accounts: matched, conflicts };
}

/** Explicit decisions first: those people and the accounts they name are out of the matching. */
function applyDecisions<A>(input: MatchInput<A>, matched: (A | undefined)[]) {
  const { accounts } = input;
  const eligible = input.eligible ?? (() => true);
  const takesPart = new Uint8Array(input.people);
  const explicit = new Uint8Array(accounts.length);
  let byKey: Map<string, number> | undefined;
  for (let i = 0; i < input.people; i++) {
    if (!eligible(i)) continue;
    const decision = input.decided(i);
    if (decision === undefined) {
      takesPart[i] = 1;
      continue;
    }
    if (decision === null) continue;
    byKey ??= new Map(accounts.map((a, at) => [input.accountKey(a), at]));
    const at = byKey.get(decision);
    if (at !== undefined) {
      matched[i] = accounts[at];
      explicit[at] = 1;
    }
  }
  return { takesPart, explicit };
}

interface Candidates {
  /** Per person, the position in `order` of the first key with a candidate (NO_KEY: none). */
  firstKey: Uint8Array;
  /** Per person, the account found by that key. */
  candidate: Int32Array;
  /** People with several candidates by that key: all of them. */
  more: Map<number, number[]>;
  /** People whom a later key points at another account: that key and the account, per key. */
  elsewhere: Map<number, { k: number; at: number }[]>;
}

/**
 * Each person's candidates: the accounts sharing a value of the first key (in policy order) that
 * has any. Keys are walked in order, so a person's first key is set once. A later key that points
 * the same person, and only them, at another account is kept too: the keys disagree, and the
 * first one winning would be a guess.
 */
function findCandidates<A>(input: MatchInput<A>, takesPart: Uint8Array, explicit: Uint8Array): Candidates {
  const { accounts } = input;
  const firstKey = new Uint8Array(input.people).fill(NO_KEY);
  const candidate = new Int32Array(input.people);
  const more = new Map<number, number[]>();
  const elsewhere = new Map<number, { k: number; at: number }[]>();
  input.order.forEach((key, k) => {
    const index = input.peopleBy(key);
    if (index.size === 0) return;
    let at = 0;
    const disagrees = (i: number) => {
      if (!takesPart[i] || firstKey[i]! >= k || candidate[i] === at || more.has(i)) return;
      const list = elsewhere.get(i);
      if (!list) elsewhere.set(i, [{ k, at }]);
      else if (!list.some((e) => e.at === at)) list.push({ k, at });
    };
    const consider = (i: number) => {
      if (!takesPart[i] || firstKey[i]! < k) return;
      if (firstKey[i] === NO_KEY) {
        firstKey[i] = k;
        candidate[i] = at;
        return;
      }
      const list = more.get(i);
      if (list) list.push(at);
      else more.set(i, [candidate[i]!, at]);
    };
    for (; at < accounts.length; at++) {
      if (explicit[at]) continue;
      const v = input.accountValue(accounts[at]!, key);
      const hit = v === undefined ? undefined : index.get(v);
      if (typeof hit === 'number') {
        disagrees(hit);
        consider(hit);
      } else if (hit) hit.forEach(consider);
    }
  });
  return { firstKey, candidate, more, elsewhere };
}

interface Claims {
  /** Per account, the one person claiming it, FREE, or CONTESTED. */
  claimant: Int32Array;
  claimKey: MatchKey[];
  /** Claimed accounts in the order first claimed. */
  claimOrder: number[];
  contested: Map<number, { person: string; key: MatchKey }[]>;
}

/** One candidate is a claim on it; several are an ambiguous match (a conflict). */
function claimCandidates<A>(
  input: MatchInput<A>,
  { firstKey, candidate, more, elsewhere }: Candidates,
  conflicts: Conflict[],
) {
  const claims: Claims = {
    claimant: new Int32Array(input.accounts.length).fill(FREE),
    claimKey: [],
    claimOrder: [],
    contested: new Map(),
  };
  const { claimant, claimKey, claimOrder, contested } = claims;
  for (let i = 0; i < input.people; i++) {
    if (firstKey[i] === NO_KEY) continue;
    const key = input.order[firstKey[i]!]!;
    const several = more.get(i);
    if (several) {
      conflicts.push(ambiguous(input, i, key, several));
      continue;
    }
    const at = candidate[i]!;
    const others = elsewhere.get(i);
    if (others) {
      conflicts.push(disagreement(input, i, [{ k: firstKey[i]!, at }, ...others]));
      continue;
    }
    const first = claimant[at]!;
    if (first === FREE) {
      claimant[at] = i;
      claimKey[at] = key;
      claimOrder.push(at);
      continue;
    }
    const claim = { person: input.personKey(i), key };
    const list = contested.get(at);
    if (list) list.push(claim);
    else {
      contested.set(at, [{ person: input.personKey(first), key: claimKey[at]! }, claim]);
      claimant[at] = CONTESTED;
    }
  }
  return claims;
}

function ambiguous<A>(input: MatchInput<A>, i: number, key: MatchKey, several: number[]): Conflict {
  const person = input.personKey(i);
  const keys = several.map((at) => input.accountKey(input.accounts[at]!)).sort();
  return {
    person,
    platform: input.platform,
    kind: 'ambiguous',
    key,
    candidates: keys,
    message: `${keys.length} ${input.platform} accounts match ${person} by ${key}: ${keys.join(', ')}`,
    resolution: input.suggest(person, keys[0]!),
  };
}

function disagreement<A>(input: MatchInput<A>, i: number, hits: { k: number; at: number }[]): Conflict {
  const person = input.personKey(i);
  const each = hits.map(({ k, at }) => ({
    key: input.order[k]!,
    account: input.accountKey(input.accounts[at]!),
  }));
  return {
    person,
    platform: input.platform,
    kind: 'disagreement',
    key: each.map((e) => e.key).join(', '),
    candidates: each.map((e) => e.account),
    message: `match keys disagree for ${person} on ${input.platform}: ${each.map((e) => `${e.key} → ${e.account}`).join(', ')}`,
    resolution: input.suggest(person, each[0]!.account),
  };
}

/** A single claim is a match; an account claimed by several people is contested (a conflict each). */
function settleClaims<A>(
  input: MatchInput<A>,
  { claimant, claimOrder, contested }: Claims,
  matched: (A | undefined)[],
  conflicts: Conflict[],
) {
  for (const at of claimOrder) {
    const single = claimant[at]!;
    if (single !== CONTESTED) {
      matched[single] = input.accounts[at];
      continue;
    }
    const claims = contested.get(at)!;
    const names = claims.map((c) => c.person).sort();
    const accountKey = input.accountKey(input.accounts[at]!);
    for (const claim of claims) {
      conflicts.push({
        person: claim.person,
        platform: input.platform,
        kind: 'contested',
        key: claim.key,
        candidates: names,
        message: `${input.platform} account ${accountKey} matches ${names.length} people: ${names.join(', ')}`,
        resolution: input.suggest(claim.person, accountKey),
      });
    }
  }
}
