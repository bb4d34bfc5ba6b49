import type { Conflict } from './types.js';
import type { PlatformId } from '../model/snapshot.js';
import type { MatchKey } from '../policy/types.js';

/**
 * Identity resolution (UC-13): links each person to at most one account on a platform by the
 * policy's match keys, in order. Explicit decisions (policy `links`, then state links) win. When a
 * key yields several candidates, or one account is claimed by several people, nobody guesses: the
 * result is a conflict that names the `links` entry resolving it.
 */

export interface MatchInput<P, A> {
  platform: PlatformId;
  people: readonly P[];
  accounts: readonly A[];
  order: readonly MatchKey[];
  personKey: (p: P) => string;
  accountKey: (a: A) => string;
  /**
   * The normalised value of a match key for a person / an account (undefined: no value). Asked one
   * key at a time: most people match by the first key, so the others are never worked out.
   */
  personValue: (p: P, key: MatchKey) => string | undefined;
  accountValue: (a: A, key: MatchKey) => string | undefined;
  /** An explicit decision: the account key, null for "no account here", undefined for none. */
  decided: (p: P) => string | null | undefined;
  /** The `links` entry that would pick `accountKey` for `person`. */
  suggest: (person: string, accountKey: string) => Conflict['resolution'];
}

export interface MatchResult<A> {
  /** The account of each person, at the person's position in `people`. */
  accounts: (A | undefined)[];
  conflicts: Conflict[];
}

/** An index value: an account's position, or the positions of several accounts sharing the value. */
type Hit = number | number[];

const FREE = -1;
const CONTESTED = -2;

// Positions rather than objects throughout: at 100k people a Map entry or an array per account and
// key is most of the cost of matching, and typed arrays make the claim count allocation-free.
export function matchAccounts<P, A>(input: MatchInput<P, A>): MatchResult<A> {
  const { people, accounts } = input;
  const indexes = new Map<MatchKey, Map<string, Hit>>();
  // An index per key, built the first time a person needs that key.
  const indexOf = (key: MatchKey) => {
    let index = indexes.get(key);
    if (index) return index;
    indexes.set(key, (index = new Map()));
    for (let i = 0; i < accounts.length; i++) {
      const v = input.accountValue(accounts[i]!, key);
      if (v === undefined) continue;
      const hit = index.get(v);
      if (hit === undefined) index.set(v, i);
      else if (typeof hit === 'number') index.set(v, [hit, i]);
      else hit.push(i);
    }
    return index;
  };

  const matched: (A | undefined)[] = new Array<A | undefined>(people.length).fill(undefined);
  const conflicts: Conflict[] = [];
  const explicit = new Uint8Array(accounts.length);
  let anyExplicit = false;
  const undecided: number[] = [];
  let byKey: Map<string, number> | undefined;
  for (let pi = 0; pi < people.length; pi++) {
    const decision = input.decided(people[pi]!);
    if (decision === undefined) {
      undecided.push(pi);
      continue;
    }
    if (decision === null) continue;
    byKey ??= new Map(accounts.map((a, i) => [input.accountKey(a), i]));
    const at = byKey.get(decision);
    if (at !== undefined) {
      matched[pi] = accounts[at];
      explicit[at] = 1;
      anyExplicit = true;
    }
  }

  // Each account's claimant (a person's position), CONTESTED when several people claim it.
  const claimant = new Int32Array(accounts.length).fill(FREE);
  const claimKey: MatchKey[] = [];
  const claimOrder: number[] = [];
  const contested = new Map<number, { person: string; key: MatchKey }[]>();
  for (const pi of undecided) {
    const p = people[pi]!;
    for (const key of input.order) {
      const v = input.personValue(p, key);
      if (v === undefined) continue;
      const hit = indexOf(key).get(v);
      if (hit === undefined) continue;
      let at: number;
      if (typeof hit === 'number') {
        if (anyExplicit && explicit[hit]) continue;
        at = hit;
      } else {
        const candidates = anyExplicit ? hit.filter((i) => !explicit[i]) : hit;
        if (candidates.length === 0) continue;
        if (candidates.length > 1) {
          const person = input.personKey(p);
          const keys = candidates.map((i) => input.accountKey(accounts[i]!)).sort();
          conflicts.push({
            person,
            platform: input.platform,
            kind: 'ambiguous',
            key,
            candidates: keys,
            message: `${keys.length} ${input.platform} accounts match ${person} by ${key}: ${keys.join(', ')}`,
            resolution: input.suggest(person, keys[0]!),
          });
          break;
        }
        at = candidates[0]!;
      }
      const first = claimant[at]!;
      if (first === FREE) {
        claimant[at] = pi;
        claimKey[at] = key;
        claimOrder.push(at);
      } else {
        const claim = { person: input.personKey(p), key };
        const claims = contested.get(at);
        if (claims) claims.push(claim);
        else {
          contested.set(at, [{ person: input.personKey(people[first]!), key: claimKey[at]! }, claim]);
          claimant[at] = CONTESTED;
        }
      }
      break;
    }
  }
  for (const at of claimOrder) {
    const single = claimant[at]!;
    if (single !== CONTESTED) {
      matched[single] = accounts[at];
      continue;
    }
    const claims = contested.get(at)!;
    const names = claims.map((c) => c.person).sort();
    const accountKey = input.accountKey(accounts[at]!);
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
  return { accounts: matched, conflicts };
}
