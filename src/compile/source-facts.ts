import { sha256 } from '../model/canonical-json.js';
import type { Person } from './people.js';

/**
 * A short digest of everything the directories say about one person that policy can act on:
 * status, attributes, the referenced groups, roles and apps they are in, and whether their home
 * account has an active MFA factor when the policy tests it. Apply records these
 * (state `sourceFacts`); drift compares them, so a change for someone whose facts moved since
 * the last apply is lifecycle (a leaver, a joiner, a new title), not an edit made outside Git.
 */
export function factsDigest(p: Person, graces: readonly number[]): string {
  const sortedNames = (names: Iterable<string>) => [...names].sort();
  const attributes = Object.keys(p.facts.attributes)
    .sort()
    .map((k) => [k, p.facts.attributes[k] ?? null]);
  return sha256(
    JSON.stringify([
      p.status,
      attributes,
      sortedNames(p.facts.oktaGroups),
      sortedNames(p.facts.oneloginRoles),
      sortedNames(p.facts.apps),
      // Only where factors were read (UC-17), so digests of policies without mfa stay as they were;
      // with the graces the person is past, so the day one runs out is lifecycle, not drift.
      ...(p.facts.mfa ? [p.facts.mfa.enrolled, gracesOver(p.facts.mfa.daysWithout, graces)] : []),
      // The Salesforce fields and open Cases conditions read (UC-16): a Case closing is lifecycle.
      ...(p.facts.salesforce ? [p.facts.salesforce] : []),
    ]),
  ).slice(0, 16);
}

/** The policy's MFA grace periods (in days) that `days` without a factor is past. */
const gracesOver = (days: number | undefined, graces: readonly number[]) =>
  days === undefined ? [] : graces.filter((g) => days > g);

/**
 * Person key → facts digest, for everyone compile knows. `graces`: the policy's MFA grace
 * periods (compile/mfa.ts `mfaGraces`), since time passing one changes what conditions see.
 */
export function sourceFacts(people: readonly Person[], graces: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of people) out[p.key] = factsDigest(p, graces);
  return out;
}
