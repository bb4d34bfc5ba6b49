import type { Policy } from '../policy/policy.js';
import type { AccessRule } from '../policy/types.js';
import { conditionTest } from './conditions.js';
import type { Person } from './people.js';

/**
 * The access rules whose conditions each person meets (in policy order), by the person's position.
 * Conditions are evaluated once per person, whatever the number of orgs. People meeting the same
 * rules get the same array, so what a combination of rules grants can be worked out once per
 * combination: 100k people fall into a few dozen of them.
 */
export function matchRules(policy: Policy, people: readonly Person[]): (readonly AccessRule[])[] {
  const combinations = new Map<string, readonly AccessRule[]>();
  const tests = policy.access.map((r) => conditionTest(r.when));
  return people.map((p) => {
    const matched = policy.access.filter((_, i) => tests[i]!(p.facts));
    const key = matched.map((r) => r.id).join('\n');
    let rules = combinations.get(key);
    if (!rules) combinations.set(key, (rules = matched));
    return rules;
  });
}
