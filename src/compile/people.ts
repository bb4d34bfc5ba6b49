import type { AccountFactors, IdpAccount, IdpId, PlatformId, Snapshots } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { matchOrder } from '../policy/match-order.js';
import type { MatchKey } from '../policy/types.js';
import { conditionTest, matches, type MfaFact, type PersonFacts } from './conditions.js';
import type { Decided } from './links.js';
import { MatchValues } from './match-values.js';
import { MembershipIndex, NO_MEMBERSHIPS } from './memberships.js';
import type { Normalizer } from './normalize.js';
import { matchAccounts, type KeyIndex } from './resolve-identities.js';
import type { Conflict } from '../model/findings.js';
import { lifecycleOf, type Leaving, type PersonStatus } from './lifecycle.js';

/**
 * People: who exists, according to the directories. A person is an account of the identity source,
 * or an account of another IdP that belongs to a population that IdP owns (UC-10). Each person is
 * linked to at most one account in the other IdP.
 */
export interface Person {
  /** Login in the home directory: the person's key everywhere in plans and links. */
  key: string;
  home: IdpId;
  homeAccount: IdpAccount;
  /** Population id when owned by a directory other than the identity source. */
  population?: string;
  /** Accounts of this person are mirrored into the other IdP (UC-10). */
  crossProvision: boolean;
  /** The person's accounts in each IdP (home included). */
  accounts: Partial<Record<IdpId, IdpAccount>>;
  facts: PersonFacts;
  /** Active in the home directory. */
  active: boolean;
  /** The home account's status, or `deleted` when the person is gone from the directory. */
  status: PersonStatus;
  /** What that status takes away on the other platforms (UC-06); undefined when it takes nothing. */
  leaving?: Leaving;
  inScope: boolean;
}

const other = (idp: IdpId): IdpId => (idp === 'okta' ? 'onelogin' : 'okta');

const NO_PEOPLE: KeyIndex = new Map();

export interface PeopleResult {
  people: Person[];
  conflicts: Conflict[];
  /** People indexed by their match-key values (positions in `people`), for matching on every platform. */
  matchValues: MatchValues;
}

/** A match-key value of an IdP account, for linking accounts across the two IdPs. */
const idpValue =
  (normalize: Normalizer) =>
  (a: IdpAccount, key: MatchKey): string | undefined =>
    key === 'employeeNumber'
      ? normalize(a.attributes.employeeNumber)
      : key === 'email'
        ? normalize(a.email, 'email')
        : key === 'login'
          ? normalize(a.login, 'email')
          : key === 'phone'
            ? normalize(a.attributes.phone, 'phone')
            : undefined;

type Owned = {
  account: IdpAccount;
  home: IdpId;
  population?: NonNullable<Policy['identity']['populations']>[number];
};
type FactsFor = (
  accounts: Partial<Record<IdpId, IdpAccount>>,
  home: IdpId,
  attributes: IdpAccount['attributes'],
) => PersonFacts;

export function buildPeople(
  policy: Policy,
  snapshots: Snapshots,
  normalize: Normalizer,
  decisions: (platform: PlatformId) => Decided,
  /** People earlier applies linked accounts for (state links): those gone from the directory left. */
  remembered: readonly string[] = [],
  /** Today (UTC, YYYY-MM-DD), for MFA grace periods (UC-17). */
  today?: string,
): PeopleResult {
  const groupsOf = {
    okta: new MembershipIndex(snapshots.okta?.groups),
    onelogin: new MembershipIndex(snapshots.onelogin?.groups),
  };
  // Apps by lower-cased label: the condition names an app by label, which people type freely.
  const appIndex = (idp: IdpId) =>
    new MembershipIndex(
      (idp === 'okta' ? snapshots.okta : snapshots.onelogin)?.apps?.map((a) => ({
        name: a.label.toLowerCase(),
        memberIds: a.memberIds,
      })),
    );
  const appsOf = { okta: appIndex('okta'), onelogin: appIndex('onelogin') };
  const mfaOf = {
    okta: mfaFacts(snapshots.okta?.factors, today),
    onelogin: mfaFacts(snapshots.onelogin?.factors, today),
  };
  const factsFor: FactsFor = (accounts, home, attributes) => ({
    attributes,
    oktaGroups: groupsOf.okta.of(accounts.okta?.id),
    oneloginRoles: groupsOf.onelogin.of(accounts.onelogin?.id),
    apps: appsOf[home].of(accounts[home]?.id),
    mfa: mfaOf[home](accounts[home]?.id),
  });
  const owned = ownedAccounts(policy, snapshots, factsFor);
  const matchValues = new MatchValues(
    owned.map((o) => o.account),
    normalize,
  );
  const { mirrors, conflicts } = linkOtherIdp(
    policy,
    snapshots,
    owned,
    matchValues,
    idpValue(normalize),
    decisions,
  );
  const { include, exclude } = policy.identity.scope ?? {};
  const includes = (include ?? []).map(conditionTest);
  const excludes = (exclude ?? []).map(conditionTest);
  const lifecycle = lifecycleOf(policy);
  const people = owned.map(({ account, home, population }, i): Person => {
    const mirror = mirrors[i];
    // Literals of one shape, not keys added as found: there is one of these per person.
    const accounts: Partial<Record<IdpId, IdpAccount>> =
      home === 'okta' ? { okta: account, onelogin: mirror } : { okta: mirror, onelogin: account };
    const facts = factsFor(accounts, home, account.attributes);
    const inScope =
      (includes.length === 0 || includes.some((test) => test(facts))) &&
      !excludes.some((test) => test(facts));
    return {
      key: account.login,
      home,
      homeAccount: account,
      population: population?.id,
      crossProvision: population?.crossProvision ?? false,
      accounts,
      facts,
      active: account.status === 'active',
      status: account.status,
      leaving: lifecycle(account.status, home),
      inScope,
    };
  });
  for (const p of deletedPeople(policy, snapshots, people, remembered, decisions)) people.push(p);
  return { people, conflicts, matchValues };
}

const DAY_MS = 86_400_000;

/**
 * An account's MFA fact (UC-17) from the factors its directory's snapshot holds: undefined for an
 * account whose factors were not read. Days count from the grace start's day to today (UTC).
 */
function mfaFacts(
  factors: Record<string, AccountFactors> | undefined,
  today: string | undefined,
): (id: string | undefined) => MfaFact | undefined {
  if (!factors) return () => undefined;
  const todayMs = today ? Date.parse(`${today}T00:00:00Z`) : Number.NaN;
  return (id) => {
    const read = id === undefined ? undefined : factors[id];
    if (!read) return undefined;
    if (read.active.length > 0) return { enrolled: true };
    // By calendar day (UTC), so the first day the grace is over is the same for every run that day.
    const from = read.graceFrom ? Date.parse(`${read.graceFrom.slice(0, 10)}T00:00:00Z`) : Number.NaN;
    const days = Math.floor((todayMs - from) / DAY_MS);
    return Number.isFinite(days) ? { enrolled: false, daysWithout: Math.max(0, days) } : { enrolled: false };
  };
}

/**
 * People accord linked accounts for before who are no longer in any directory: deleted, so they
 * left (UC-06). They come last, after every person the match values index, and claim only IdP
 * accounts no present person has: a renamed login is a present person who keeps their accounts.
 * Their Salesforce users are claimed the same way, per org (desired-salesforce).
 */
function deletedPeople(
  policy: Policy,
  snapshots: Snapshots,
  present: readonly Person[],
  remembered: readonly string[],
  decisions: (platform: PlatformId) => Decided,
): Person[] {
  if (remembered.length === 0) return [];
  const known = new Set(present.map((p) => p.key.toLowerCase()));
  const gone = remembered.filter((key) => !known.has(key.toLowerCase()));
  if (gone.length === 0) return [];
  const claimed = new Set<IdpAccount>();
  for (const p of present) for (const a of Object.values(p.accounts)) if (a) claimed.add(a);
  const unclaimed = (idp: IdpId) => {
    const byLogin = new Map<string, IdpAccount>();
    for (const a of (idp === 'okta' ? snapshots.okta : snapshots.onelogin)?.accounts ?? [])
      if (!claimed.has(a)) byLogin.set(a.login.toLowerCase(), a);
    const decided = decisions(idp);
    return (person: string) => {
      const key = decided(person);
      return key ? byLogin.get(key.toLowerCase()) : undefined;
    };
  };
  const okta = unclaimed('okta');
  const onelogin = unclaimed('onelogin');
  const home = policy.identity.source;
  const leaving = lifecycleOf(policy)('deleted', home);
  return gone.map((key): Person => {
    const homeAccount: IdpAccount = {
      id: '',
      login: key,
      email: key,
      status: 'deprovisioned',
      rawStatus: 'deleted',
      attributes: {},
    };
    return {
      key,
      home,
      homeAccount,
      crossProvision: false,
      accounts: { okta: okta(key), onelogin: onelogin(key) },
      facts: {
        attributes: {},
        oktaGroups: NO_MEMBERSHIPS,
        oneloginRoles: NO_MEMBERSHIPS,
        apps: NO_MEMBERSHIPS,
      },
      active: false,
      status: 'deleted',
      leaving,
      inScope: true,
    };
  });
}

/**
 * Whose account is a person: population members first (their copies in the source directory are
 * not people of their own), then the source directory's accounts that no other population owns.
 */
function ownedAccounts(policy: Policy, snapshots: Snapshots, factsFor: FactsFor): Owned[] {
  const source = policy.identity.source;
  const populations = policy.identity.populations ?? [];
  const snapshotOf = (idp: IdpId) => (idp === 'okta' ? snapshots.okta : snapshots.onelogin);
  const bare = (a: IdpAccount, home: IdpId) =>
    factsFor(home === 'okta' ? { okta: a } : { onelogin: a }, home, a.attributes);
  const owned: Owned[] = [];
  for (const pop of populations) {
    if (pop.owner === source) continue; // labels source people below
    for (const a of snapshotOf(pop.owner)?.accounts ?? []) {
      if (matches(pop.when, bare(a, pop.owner))) owned.push({ account: a, home: pop.owner, population: pop });
    }
  }
  const elsewhere = populations.filter((pop) => pop.owner !== source);
  // Populations of the source itself label its people: `crossProvision` then gives them accounts
  // in the other directory (Okta people into OneLogin as well as OneLogin people into Okta).
  const own = populations.filter((pop) => pop.owner === source);
  for (const a of snapshotOf(source)?.accounts ?? []) {
    const facts = elsewhere.length + own.length > 0 ? bare(a, source) : undefined;
    if (elsewhere.some((pop) => matches(pop.when, facts!))) continue;
    const population = own.find((pop) => matches(pop.when, facts!));
    owned.push(population ? { account: a, home: source, population } : { account: a, home: source });
  }
  return owned;
}

/** Each person's account in the other IdP, by position in `owned`, and the conflicts found. */
function linkOtherIdp(
  policy: Policy,
  snapshots: Snapshots,
  owned: readonly Owned[],
  matchValues: MatchValues,
  value: ReturnType<typeof idpValue>,
  decisions: (platform: PlatformId) => Decided,
) {
  const conflicts: Conflict[] = [];
  const mirrors: (IdpAccount | undefined)[] = [];
  for (const home of ['okta', 'onelogin'] as const) {
    const target = other(home);
    const targetSnapshot = target === 'okta' ? snapshots.okta : snapshots.onelogin;
    if (!targetSnapshot) continue;
    const decided = decisions(target);
    const result = matchAccounts({
      platform: target,
      people: owned.length,
      eligible: (i) => owned[i]!.home === home,
      accounts: targetSnapshot.accounts,
      order: matchOrder(policy.identity, target),
      personKey: (i) => owned[i]!.account.login,
      accountKey: (a) => a.login,
      // IdP accounts have no federation id: that key is left out of the order above.
      peopleBy: (key) => (key === 'federationId' ? NO_PEOPLE : matchValues.by(key)),
      accountValue: value,
      decided: (i) => decided(owned[i]!.account.login),
      suggest: (person, key) => ({ person, [target]: key, reason: 'resolve the ambiguous match' }),
    });
    for (const c of result.conflicts) conflicts.push(c);
    result.accounts.forEach((account, i) => {
      if (account) mirrors[i] = account;
    });
  }
  return { mirrors, conflicts };
}
