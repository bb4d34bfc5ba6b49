import type { Policy } from '../policy/policy.js';
import type { AccessRule } from '../policy/types.js';
import { matches } from './conditions.js';
import type { Person } from './people.js';

/** The access rules whose conditions a person meets, in policy order. */
export type RulesOf = (p: Person) => readonly AccessRule[];

/**
 * Evaluates each person's conditions once, whatever the number of orgs. People meeting the same
 * rules get the same array, so what a combination of rules grants can be worked out once per
 * combination: 100k people fall into a few dozen of them.
 */
export function ruleMatcher(policy: Policy): RulesOf {
  const byPerson = new Map<Person, readonly AccessRule[]>();
  const combinations = new Map<string, readonly AccessRule[]>();
  return (p) => {
    let rules = byPerson.get(p);
    if (rules) return rules;
    const matched = policy.access.filter((r) => matches(r.when, p.facts));
    const key = matched.map((r) => r.id).join('\n');
    rules = combinations.get(key);
    if (!rules) combinations.set(key, (rules = matched));
    byPerson.set(p, rules);
    return rules;
  };
}
