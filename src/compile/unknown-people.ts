import type { Finding } from '../model/findings.js';
import type { Policy } from '../policy/policy.js';
import { didYouMean } from '../policy/suggest.js';
import type { Person } from './people.js';

/**
 * Exceptions, links and successors that name nobody the identity source (or state) knows. They
 * validated, since only the snapshot can tell, and would quietly do nothing: a misspelt login in
 * an exception grants nothing, a successor who does not exist receives nothing. Each one is a
 * blocking finding that says where the name is written (file:line when the policy was loaded from
 * files) and which person it was probably meant for.
 */
export function unknownPeople(
  policy: Pick<Policy, 'exceptions' | 'links' | 'lifecycle' | 'personReferences'>,
  people: readonly Person[],
): Finding[] {
  const known = new Set(people.map((p) => p.key));
  const where = new Map((policy.personReferences ?? []).map((r) => [`${r.what}\n${r.person}`, r.where]));
  const named: { person: string; what: string }[] = [
    ...policy.exceptions.map((x) => ({ person: x.person, what: `exceptions["${x.id}"].person` })),
    ...policy.links.map((l) => ({ person: l.person, what: `links["${l.person}"].person` })),
    ...Object.entries(policy.lifecycle.successors ?? {}).flatMap(([leaver, successor]) => [
      { person: leaver, what: `lifecycle.successors["${leaver}"]` },
      { person: successor, what: `lifecycle.successors["${leaver}"] (the successor)` },
    ]),
  ];
  return named
    .filter((ref) => !known.has(ref.person))
    .map((ref) => {
      const hint = didYouMean(ref.person, known);
      const at = where.get(`${ref.what}\n${ref.person}`);
      return {
        code: 'unknown-person',
        severity: 'block',
        message: `${at ? `${at} ` : ''}${ref.what}: "${ref.person}" is no person in the identity source or state${hint ? `; ${hint}` : ''}`,
        rule: ref.what,
      } satisfies Finding;
    });
}
