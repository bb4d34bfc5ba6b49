import type { IdpId } from '../model/snapshot.js';
import { memberPerson, type DesiredGroup } from './desired-idp.js';
import { adjustedMemberships } from './memberships.js';
import type { Person } from './people.js';

// Re-exported: it lives in desired-idp, whose mirrors need it too.
export { memberPerson };

/**
 * Groups accord owns (managed groups, mirror targets) are read at their desired membership, not
 * their live one: a rule that grants Salesforce access to members of "Salesforce Admins" must see
 * the admin that this same plan adds, or the plan would need two applies to converge.
 */
export function withOwnedMemberships(people: readonly Person[], groups: readonly DesiredGroup[]): Person[] {
  if (groups.length === 0) return [...people];
  const personOf = memberPerson(people);
  const add = new Map<string, Set<string>>();
  const remove = new Map<string, Set<string>>();
  const mark = (map: Map<string, Set<string>>, person: string, key: string) => {
    let set = map.get(person);
    if (!set) map.set(person, (set = new Set()));
    set.add(key);
  };
  const key = (platform: IdpId, name: string) => `${platform}:${name}`;
  for (const g of groups) {
    const members = new Set<string>();
    for (const m of g.members) {
      const person = personOf(g.platform, m);
      if (person) {
        members.add(person);
        mark(add, person, key(g.platform, g.name));
      }
    }
    if (g.mode === 'authoritative') {
      for (const p of people) {
        const current = g.platform === 'okta' ? p.facts.oktaGroups : p.facts.oneloginRoles;
        if (current.has(g.name) && !members.has(p.key)) mark(remove, p.key, key(g.platform, g.name));
      }
    }
  }
  const forPlatform = (keys: ReadonlySet<string> | undefined, platform: IdpId) => {
    const out = new Set<string>();
    for (const k of keys ?? []) if (k.startsWith(`${platform}:`)) out.add(k.slice(platform.length + 1));
    return out;
  };
  return people.map((p) => {
    const plus = add.get(p.key);
    const minus = remove.get(p.key);
    if (!plus && !minus) return p;
    return {
      ...p,
      facts: {
        ...p.facts,
        oktaGroups: adjustedMemberships(
          p.facts.oktaGroups,
          forPlatform(plus, 'okta'),
          forPlatform(minus, 'okta'),
        ),
        oneloginRoles: adjustedMemberships(
          p.facts.oneloginRoles,
          forPlatform(plus, 'onelogin'),
          forPlatform(minus, 'onelogin'),
        ),
      },
    };
  });
}
