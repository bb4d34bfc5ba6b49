import type { IdpSnapshot, Snapshots } from '../model/snapshot.js';
import type { Condition, IdpId, Identity, Platforms } from '../policy/types.js';

/**
 * The platforms and identity section of an imported policy, inferred as far as the snapshots tell
 * and otherwise accord's documented defaults. Pure.
 */

/**
 * The platforms whose connections the environment holds, by the connection defaults of the policy
 * language: `OKTA_ORG_URL`, `ONELOGIN_URL`, and one org per `SF_<ORG>_INSTANCE_URL` or
 * `SF_<ORG>_LOGIN_URL` (the org key is `<ORG>` lower-cased). Only names, never values.
 */
export function platformsFromEnv(env: NodeJS.ProcessEnv): Platforms {
  const platforms: Platforms = {};
  if (env.OKTA_ORG_URL) platforms.okta = {};
  if (env.ONELOGIN_URL) platforms.onelogin = {};
  const orgs = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const m = /^SF_([A-Z][A-Z0-9_]*?)_(INSTANCE_URL|LOGIN_URL)$/.exec(name);
    if (m && value) orgs.add(m[1]!.toLowerCase());
  }
  if (orgs.size > 0) platforms.salesforce = Object.fromEntries([...orgs].sort().map((org) => [org, {}]));
  return platforms;
}

export interface InferredIdentity {
  identity: Identity;
  /** One line per inference, for the report. */
  notes: string[];
}

const domainOf = (email: string): string | undefined => {
  const at = email.lastIndexOf('@');
  return at < 0 ? undefined : email.slice(at + 1).toLowerCase();
};

const countDomains = (snapshot: IdpSnapshot | undefined): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const a of snapshot?.accounts ?? []) {
    const d = domainOf(a.email || a.login);
    if (d) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return counts;
};

/**
 * Source: the directory with more accounts (Okta on a tie). Populations: the email domains the
 * other directory has more accounts of than the source (or as many, when the domain is the other
 * directory's main one and not the source's), owned by it (not cross-provisioned: import
 * creates nothing). Match keys: accord's defaults. Salesforce usernames: `{email}` plus the suffix
 * most users of an org carry after their email (e.g. `.emea`), used only for users created later.
 */
export function inferIdentity(snapshots: Snapshots): InferredIdentity {
  const notes: string[] = [];
  const sizes = { okta: snapshots.okta?.accounts.length, onelogin: snapshots.onelogin?.accounts.length };
  const source: IdpId =
    sizes.okta !== undefined && (sizes.onelogin === undefined || sizes.okta >= sizes.onelogin)
      ? 'okta'
      : 'onelogin';
  const other: IdpId = source === 'okta' ? 'onelogin' : 'okta';
  notes.push(
    `identity.source = ${source}: the directory with the most accounts (${sizes[source] ?? 0}` +
      (sizes[other] !== undefined ? ` against ${sizes[other]} in ${other})` : ')'),
  );
  const identity: Identity = { source, match: ['federationId', 'employeeNumber', 'email'] };
  notes.push('identity.match = federationId, employeeNumber, email: the default order (not inferred)');

  const ours = countDomains(source === 'okta' ? snapshots.okta : snapshots.onelogin);
  const theirs = countDomains(other === 'okta' ? snapshots.okta : snapshots.onelogin);
  // A domain both directories hold as many accounts of (one provisioned the other's people, as a
  // cross-provisioned population leaves it) belongs to the directory whose main domain it is.
  const main = (counts: Map<string, number>) =>
    [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const [ourMain, theirMain] = [main(ours), main(theirs)];
  const owned = [...theirs]
    .filter(([d, n]) => n > (ours.get(d) ?? 0) || (n === ours.get(d) && d === theirMain && d !== ourMain))
    .map(([d]) => d)
    .sort();
  if (owned.length > 0) {
    const tests: Condition[] = owned.map((d) => ({ attribute: { name: 'email', matches: `*@${d}` } }));
    identity.populations = [
      { id: other, owner: other, when: tests.length === 1 ? tests[0]! : { any: tests } },
    ];
    notes.push(
      `identity.populations[${other}]: ${other} accounts at ${owned.join(', ')} are people of their own (not cross-provisioned)`,
    );
  }

  const settings: NonNullable<Identity['salesforce']> = {};
  for (const [org, snapshot] of Object.entries(snapshots.salesforce).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const suffixes = new Map<string, number>();
    for (const u of snapshot.users) {
      const email = u.email.toLowerCase();
      const username = u.username.toLowerCase();
      if (email && username.startsWith(email)) {
        const suffix = username.slice(email.length);
        suffixes.set(suffix, (suffixes.get(suffix) ?? 0) + 1);
      }
    }
    const [suffix] = [...suffixes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [''];
    if (suffix && /^[a-z0-9._-]+$/.test(suffix)) {
      settings[org] = { username: `{email}${suffix}` };
      notes.push(`identity.salesforce.${org}.username = {email}${suffix}: what most of its usernames are`);
    }
  }
  if (Object.keys(settings).length > 0) identity.salesforce = settings;
  return { identity, notes };
}
