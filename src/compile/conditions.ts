import type { Attributes } from '../model/snapshot.js';
import type { AttributeTest, Condition } from '../policy/types.js';
import type { Memberships } from './memberships.js';

/** The facts a condition can test about one person. */
export interface PersonFacts {
  attributes: Attributes;
  /** Okta group names (of the person's Okta account). */
  oktaGroups: Memberships;
  /** OneLogin role names (of the person's OneLogin account). */
  oneloginRoles: Memberships;
  /** Lower-cased labels of the apps the person's home account is assigned (directly or through a group or role). */
  apps: Memberships;
  /**
   * The home account's MFA enrolment (UC-17), when its factors were read: whether it has an
   * ACTIVE factor, and if not, the whole days since its grace started (activation, else creation).
   */
  mfa?: MfaFact;
  /** What the person's Salesforce users say, by org, where the policy reads it (UC-16). */
  salesforce?: Record<string, SalesforceFacts>;
}

/** One org's facts about a person (UC-16): only the fields and Case types conditions name. */
export interface SalesforceFacts {
  /** Fields of the person's user there, by API name as the policy writes it; absent without a user. */
  fields: Record<string, string | null>;
  /** Open Cases naming the person (Contact.Email), as `type` and `subject`. */
  cases: { type: string; subject: string | null }[];
}

export interface MfaFact {
  enrolled: boolean;
  /** Whole days without an active factor since the grace started; undefined when enrolled or unknown. */
  daysWithout?: number;
}

/** A glob with `*` and `?`, matched without case. */
const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

const globCache = new Map<string, (value: string) => boolean>();
/**
 * A glob as a test. The common `*@domain` form (protected accounts, populations) is a suffix test:
 * it runs for every account, and a regular expression starting with `.*` backtracks.
 */
const glob = (pattern: string) => {
  let test = globCache.get(pattern);
  if (!test) {
    const rest = pattern.slice(1);
    if (pattern.startsWith('*') && !/[*?]/.test(rest)) {
      const suffix = rest.toLowerCase();
      test = (value) => value.length >= suffix.length && value.toLowerCase().endsWith(suffix);
    } else {
      const re = globToRegExp(pattern);
      test = (value) => re.test(value);
    }
    globCache.set(pattern, test);
  }
  return test;
};

type Predicate = (facts: PersonFacts) => boolean;

/**
 * A condition as a function, built once per condition object: evaluating the parsed policy
 * directly would re-read its shape for every person (a million evaluations at 100k people).
 * Attribute comparisons ignore case, as people write policy by hand.
 */
function predicate(condition: Condition): Predicate {
  const { oktaGroup, oneloginRole, app, mfa } = condition;
  if (oktaGroup !== undefined) return (facts) => facts.oktaGroups.has(oktaGroup);
  if (oneloginRole !== undefined) return (facts) => facts.oneloginRoles.has(oneloginRole);
  if (app !== undefined) {
    const label = app.toLowerCase();
    return (facts) => facts.apps.has(label);
  }
  if (mfa !== undefined) {
    if (mfa.enrolled) return (facts) => facts.mfa?.enrolled === true;
    const grace = mfa.graceDays ?? 0;
    return (facts) =>
      facts.mfa?.enrolled === false && facts.mfa.daysWithout !== undefined && facts.mfa.daysWithout > grace;
  }
  if (condition.salesforceField !== undefined) {
    const { org, name } = condition.salesforceField;
    return valueTest(condition.salesforceField, (facts) => facts.salesforce?.[org]?.fields[name] ?? null);
  }
  if (condition.salesforceCase !== undefined) {
    const { org, type, subject } = condition.salesforceCase;
    const subjectTest = subject === undefined ? () => true : glob(subject);
    return (facts) =>
      facts.salesforce?.[org]?.cases.some((c) => c.type === type && subjectTest(c.subject ?? '')) ?? false;
  }
  // Loops, not every/some: those would make a closure per evaluation.
  if (condition.all) {
    const all = condition.all.map(predicate);
    return (facts) => {
      for (const p of all) if (!p(facts)) return false;
      return true;
    };
  }
  if (condition.any) {
    const any = condition.any.map(predicate);
    return (facts) => {
      for (const p of any) if (p(facts)) return true;
      return false;
    };
  }
  if (condition.not) {
    const not = predicate(condition.not);
    return (facts) => !not(facts);
  }
  const test = condition.attribute;
  if (!test) return () => false;
  const { name } = test;
  return valueTest(test, (facts) => facts.attributes[name] ?? null);
}

/** An attribute-style test (equals, in, matches, present) on the value `read` gives. */
function valueTest(
  test: Omit<AttributeTest, 'name'>,
  read: (facts: PersonFacts) => string | null,
): Predicate {
  if (test.present !== undefined) {
    const present = test.present;
    return (facts) => {
      const value = read(facts);
      return present === (value !== null && value !== '');
    };
  }
  const compare = attributeTest(test);
  return (facts) => {
    const value = read(facts);
    return value !== null && compare(value);
  };
}

function attributeTest(test: Omit<AttributeTest, 'name'>): (value: string) => boolean {
  if (test.equals !== undefined) {
    const equals = test.equals.toLowerCase();
    return (value) => value.toLowerCase() === equals;
  }
  if (test.in !== undefined) {
    const values = new Set(test.in.map((v) => v.toLowerCase()));
    return (value) => values.has(value.toLowerCase());
  }
  if (test.matches !== undefined) return glob(test.matches);
  return () => false;
}

const predicates = new WeakMap<Condition, Predicate>();

/** A condition as a function (built once per condition): for loops over everyone. */
export function conditionTest(condition: Condition): Predicate {
  let p = predicates.get(condition);
  if (!p) predicates.set(condition, (p = predicate(condition)));
  return p;
}

/** Evaluates a condition. */
export const matches = (condition: Condition, facts: PersonFacts): boolean => conditionTest(condition)(facts);

/** Does a login/email match any of the protected-account globs? */
export const matchesAnyGlob = (value: string, patterns: readonly string[]): boolean =>
  patterns.some((p) => glob(p)(value));
