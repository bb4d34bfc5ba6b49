/** Rules are matched once per person; people meeting the same rules share one array. */
import { describe, expect, it } from '@jest/globals';
import { matchRules } from '../../src/compile/access-rules.js';
import type { Person } from '../../src/compile/people.js';
import type { Policy } from '../../src/policy/policy.js';
import type { AccessRule } from '../../src/policy/types.js';

const person = (groups: string[]) =>
  ({
    facts: { attributes: {}, oktaGroups: new Set(groups), oneloginRoles: new Set(), apps: new Set() },
  }) as unknown as Person;
const rules = (count: number): AccessRule[] =>
  Array.from({ length: count }, (_, i) => ({ id: `r${i}`, when: { oktaGroup: `G${i}` }, grants: {} }));
const ids = (matched: readonly AccessRule[]) => matched.map((r) => r.id);

describe('matchRules', () => {
  // 30 rules fit in a bit mask; more take the other path.
  it.each([3, 30, 31, 40])('%i rules', (count) => {
    const policy = { access: rules(count) } as unknown as Policy;
    const last = `G${count - 1}`;
    const people = [person(['G0', last]), person([]), person([last, 'G0']), person(['G1'])];
    const matched = matchRules(policy, people);
    expect(matched.map(ids)).toEqual([['r0', `r${count - 1}`], [], ['r0', `r${count - 1}`], ['r1']]);
    expect(matched[0]).toBe(matched[2]);
  });
});
