import type { SalesforceSnapshot, SalesforceUser, Snapshots } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { eachPolicyCondition } from '../policy/each-condition.js';
import type { SalesforceCaseTest, SalesforceFieldTest } from '../policy/types.js';
import type { SalesforceFacts } from './conditions.js';
import { matchOrgUsers, type MatchInput } from './desired-salesforce.js';
import type { Person } from './people.js';

/**
 * Salesforce as a source (UC-16): the fields of each person's Salesforce user and the open Cases
 * naming them, in the orgs `salesforceField` and `salesforceCase` conditions name, as facts the
 * conditions test. The user is the one identity matching gives the person in that org (the same
 * match desired-salesforce makes); a Case names the person whose email its Contact has.
 */

/** The Salesforce terms of a policy's conditions, wherever it has conditions. */
export function salesforceTerms(policy: Policy): {
  fields: SalesforceFieldTest[];
  cases: SalesforceCaseTest[];
} {
  const fields: SalesforceFieldTest[] = [];
  const cases: SalesforceCaseTest[] = [];
  // The identity scope and populations may not use these terms (validate refuses them there).
  eachPolicyCondition(policy, (c) => {
    if (c.salesforceField) fields.push(c.salesforceField);
    if (c.salesforceCase) cases.push(c.salesforceCase);
  });
  return { fields, cases };
}

/** User fields the snapshot keeps in properties of their own, by lower-cased API name. */
const MAPPED: Record<string, (u: SalesforceUser) => string | null> = {
  'profile.name': (u) => u.profile,
  'userrole.name': (u) => u.role,
  username: (u) => u.username,
  email: (u) => u.email,
  firstname: (u) => u.firstName,
  lastname: (u) => u.lastName,
  federationidentifier: (u) => u.federationId,
  employeenumber: (u) => u.employeeNumber,
  isactive: (u) => String(u.isActive),
};

/** A User field by API name (ignoring case, as Salesforce does): a mapped one, else `fields`. */
function userField(u: SalesforceUser, name: string): string | null {
  const lower = name.toLowerCase();
  const mapped = MAPPED[lower];
  if (mapped) return mapped(u);
  if (name in u.fields) return u.fields[name] ?? null;
  const key = Object.keys(u.fields).find((k) => k.toLowerCase() === lower);
  return key === undefined ? null : (u.fields[key] ?? null);
}

/** Open Cases by the lower-cased email of their Contact. */
function casesByEmail(snapshot: SalesforceSnapshot): Map<string, SalesforceFacts['cases']> {
  const out = new Map<string, SalesforceFacts['cases']>();
  for (const c of snapshot.cases ?? []) {
    const email = c.contactEmail?.toLowerCase();
    if (!email) continue;
    (out.get(email) ?? out.set(email, []).get(email)!).push({ type: c.type, subject: c.subject });
  }
  return out;
}

const NO_CASES: SalesforceFacts['cases'] = [];

// Code-unit order, not locale order, so the facts (and their digest) are the same everywhere.
const caseKey = (c: SalesforceFacts['cases'][number]) => `${c.type}\n${c.subject ?? ''}`;
const distinctSorted = (cases: SalesforceFacts['cases']) =>
  [...new Map(cases.map((c) => [caseKey(c), c])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => c);

/**
 * People with their Salesforce facts (UC-16), or the same people when no condition reads any.
 * Facts are sorted (fields by name, Cases by type and subject), so the digest of them
 * (source-facts.ts) is the same for the same facts.
 */
export function withSalesforceFacts(
  match: Omit<MatchInput, 'org' | 'snapshot'>,
  snapshots: Snapshots,
): Person[] {
  const { policy, people } = match;
  const terms = salesforceTerms(policy);
  if (terms.fields.length + terms.cases.length === 0) return [...people];
  const orgs = [...new Set([...terms.fields, ...terms.cases].map((t) => t.org))].sort();
  const perOrg = orgs.map((org) => {
    const snapshot = snapshots.salesforce[org];
    const names = [...new Set(terms.fields.filter((t) => t.org === org).map((t) => t.name))].sort();
    if (!snapshot) return { org, names, users: [], cases: new Map<string, SalesforceFacts['cases']>() };
    const users = names.length > 0 ? matchOrgUsers({ ...match, org, snapshot }).accounts : [];
    return { org, names, users, cases: casesByEmail(snapshot) };
  });
  return people.map((p, i) => {
    if (p.status === 'deleted') return p;
    const salesforce: Record<string, SalesforceFacts> = {};
    for (const { org, names, users, cases } of perOrg) {
      const user = users[i];
      const fields: Record<string, string | null> = {};
      if (user) for (const name of names) fields[name] = userField(user, name);
      const emails = new Set([p.homeAccount.email.toLowerCase(), p.key.toLowerCase()]);
      const open = [...emails].flatMap((e) => cases.get(e) ?? NO_CASES);
      salesforce[org] = {
        fields,
        cases: open.length === 0 ? NO_CASES : distinctSorted(open),
      };
    }
    return { ...p, facts: { ...p.facts, salesforce } };
  });
}
