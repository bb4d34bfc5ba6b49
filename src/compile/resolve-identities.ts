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
  /** Normalised values of each match key for a person / an account (undefined: no value). */
  personValues: (p: P) => Partial<Record<MatchKey, string>>;
  accountValues: (a: A) => Partial<Record<MatchKey, string>>;
  /** An explicit decision: the account key, null for "no account here", undefined for none. */
  decided: (p: P) => string | null | undefined;
  /** The `links` entry that would pick `accountKey` for `person`. */
  suggest: (person: string, accountKey: string) => Conflict['resolution'];
}

export interface MatchResult<A> {
  /** Person key → account. */
  matched: Map<string, A>;
  /** Person key → how (`link`, `state`, or the match key). */
  via: Map<string, string>;
  conflicts: Conflict[];
  /** Accounts no person claims. */
  unmatched: A[];
}

export function matchAccounts<P, A>(input: MatchInput<P, A>): MatchResult<A> {
  const byKey = new Map<string, A>();
  for (const a of input.accounts) byKey.set(input.accountKey(a), a);
  // Each account's key values are computed once, then indexed per key.
  const indexes = new Map<MatchKey, Map<string, A[]>>(input.order.map((k) => [k, new Map()]));
  for (const a of input.accounts) {
    const values = input.accountValues(a);
    for (const key of input.order) {
      const v = values[key];
      if (v === undefined) continue;
      const index = indexes.get(key)!;
      const list = index.get(v);
      if (list) list.push(a);
      else index.set(v, [a]);
    }
  }

  const matched = new Map<string, A>();
  const via = new Map<string, string>();
  const conflicts: Conflict[] = [];
  const claimedExplicitly = new Set<A>();
  const undecided: P[] = [];
  for (const p of input.people) {
    const decision = input.decided(p);
    if (decision === undefined) {
      undecided.push(p);
      continue;
    }
    if (decision === null) continue;
    const account = byKey.get(decision);
    if (account) {
      matched.set(input.personKey(p), account);
      via.set(input.personKey(p), 'link');
      claimedExplicitly.add(account);
    }
  }

  const tentative = new Map<A, { person: string; key: MatchKey }[]>();
  for (const p of undecided) {
    const values = input.personValues(p);
    for (const key of input.order) {
      const v = values[key];
      if (v === undefined) continue;
      const indexed = indexes.get(key)?.get(v) ?? [];
      // Most runs have no explicit links: skip the per-person copy then.
      const candidates =
        claimedExplicitly.size === 0 ? indexed : indexed.filter((a) => !claimedExplicitly.has(a));
      if (candidates.length === 0) continue;
      const person = input.personKey(p);
      if (candidates.length > 1) {
        const keys = candidates.map(input.accountKey).sort();
        conflicts.push({
          person,
          platform: input.platform,
          kind: 'ambiguous',
          key,
          candidates: keys,
          message: `${keys.length} ${input.platform} accounts match ${person} by ${key}: ${keys.join(', ')}`,
          resolution: input.suggest(person, keys[0]!),
        });
      } else {
        const a = candidates[0]!;
        tentative.set(a, [...(tentative.get(a) ?? []), { person, key }]);
      }
      break;
    }
  }
  for (const [account, claims] of tentative) {
    if (claims.length === 1) {
      matched.set(claims[0]!.person, account);
      via.set(claims[0]!.person, claims[0]!.key);
      continue;
    }
    const people = claims.map((c) => c.person).sort();
    for (const claim of claims) {
      conflicts.push({
        person: claim.person,
        platform: input.platform,
        kind: 'contested',
        key: claim.key,
        candidates: people,
        message: `${input.platform} account ${input.accountKey(account)} matches ${people.length} people: ${people.join(', ')}`,
        resolution: input.suggest(claim.person, input.accountKey(account)),
      });
    }
  }
  const taken = new Set(matched.values());
  return { matched, via, conflicts, unmatched: input.accounts.filter((a) => !taken.has(a)) };
}
