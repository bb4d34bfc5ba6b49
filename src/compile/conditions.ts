import type { Attributes } from '../model/snapshot.js';
import type { Condition } from '../policy/types.js';
import type { Memberships } from './memberships.js';

/** The facts a condition can test about one person. */
export interface PersonFacts {
  attributes: Attributes;
  /** Okta group names (of the person's Okta account). */
  oktaGroups: Memberships;
  /** OneLogin role names (of the person's OneLogin account). */
  oneloginRoles: Memberships;
  /** App labels assigned in the source directory (not read yet: always empty). */
  apps: ReadonlySet<string>;
}

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
const globCache = new Map<string, RegExp>();
const glob = (pattern: string) => {
  let re = globCache.get(pattern);
  if (!re) globCache.set(pattern, (re = globToRegExp(pattern)));
  return re;
};

/** Evaluates a condition. Attribute comparisons ignore case, as people write policy by hand. */
export function matches(condition: Condition, facts: PersonFacts): boolean {
  if (condition.oktaGroup !== undefined) return facts.oktaGroups.has(condition.oktaGroup);
  if (condition.oneloginRole !== undefined) return facts.oneloginRoles.has(condition.oneloginRole);
  if (condition.app !== undefined) return facts.apps.has(condition.app);
  if (condition.all) return condition.all.every((c) => matches(c, facts));
  if (condition.any) return condition.any.some((c) => matches(c, facts));
  if (condition.not) return !matches(condition.not, facts);
  const test = condition.attribute;
  if (!test) return false;
  const value = facts.attributes[test.name] ?? null;
  if (test.present !== undefined) return test.present === (value !== null && value !== '');
  if (value === null) return false;
  const lower = value.toLowerCase();
  if (test.equals !== undefined) return lower === test.equals.toLowerCase();
  if (test.in !== undefined) return test.in.some((v) => v.toLowerCase() === lower);
  if (test.matches !== undefined) return glob(test.matches).test(value);
  return false;
}

/** Does a login/email match any of the protected-account globs? */
export const matchesAnyGlob = (value: string, patterns: readonly string[]): boolean =>
  patterns.some((p) => glob(p).test(value));
