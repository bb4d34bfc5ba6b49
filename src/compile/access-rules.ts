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
  const combinations = new Map<number | string, readonly AccessRule[]>();
  const tests = policy.access.map((r) => conditionTest(r.when));
  // A combination's key says which rules matched: a bit mask (no allocation per person) while
  // the rules fit in one, else a character per rule.
  const keyOf =
    tests.length <= 30
      ? (facts: Person['facts']) => {
          let mask = 0;
          for (let i = 0; i < tests.length; i++) if (tests[i]!(facts)) mask |= 1 << i;
          return mask;
        }
      : (facts: Person['facts']) => tests.map((test) => (test(facts) ? '1' : '0')).join('');
  const matched = (key: number | string, i: number) =>
    typeof key === 'number' ? (key & (1 << i)) !== 0 : key[i] === '1';
  return people.map((p) => {
    const key = keyOf(p.facts);
    let rules = combinations.get(key);
    if (!rules) {
      rules = policy.access.filter((_, i) => matched(key, i));
      combinations.set(key, rules);
    }
    return rules;
  });
}
