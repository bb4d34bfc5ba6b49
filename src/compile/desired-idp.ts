import type { IdpAccount, IdpGroup, IdpId, Snapshots } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { matches } from './conditions.js';
import type { Person } from './people.js';
import { renderTemplate } from './templates.js';
import type { Finding } from '../model/findings.js';

/**
 * Desired state in the two IdPs: members of managed groups (UC-12 mirrors, groups declared in
 * Git) and accounts cross-provisioned for populations (UC-10, UC-11), with owned attributes (UC-03).
 */

export interface DesiredMember {
  /** Account key (login / username) on the group's platform. */
  key: string;
  person?: string;
  rule: string;
  /** Why the account is a member, for the plan's reason; absent: the mirror's source has it. */
  why?: string;
}

export interface DesiredGroup {
  platform: IdpId;
  name: string;
  live?: IdpGroup;
  description?: string;
  mode: 'authoritative' | 'additive';
  /** Who owns the membership: `groups` or the mirror id. */
  owner: string;
  members: DesiredMember[];
}

export interface DesiredIdpAccount {
  platform: IdpId;
  person: string;
  /** Login the account has, or will have. */
  key: string;
  live?: IdpAccount;
  present: boolean;
  fact: string;
  /** Owned attributes under their neutral names. */
  fields: Record<string, string | null>;
  /** Identity basics written only when the account is created (the platform requires them). */
  createFields: Record<string, string | null>;
  offboard?: 'suspend' | 'deactivate';
  population?: string;
  /** The policy behind an offboarding that no population explains. */
  rule?: string;
}

export interface IdpResult {
  groups: DesiredGroup[];
  accounts: DesiredIdpAccount[];
  findings: Finding[];
}

/** Accounts a leaver could still use: active, or provisioned and one password away from it. */
export const canSignIn = (a: IdpAccount) => a.status === 'active' || a.status === 'provisioned';

const otherIdp = (idp: IdpId): IdpId => (idp === 'okta' ? 'onelogin' : 'okta');

type KeyOn = (p: Person, idp: IdpId) => string | undefined;
type LiveGroup = (idp: IdpId, name: string) => NonNullable<DesiredGroup['live']> | undefined;

export function desiredIdp(policy: Policy, snapshots: Snapshots, people: readonly Person[]): IdpResult {
  const snapshotOf = (idp: IdpId) => (idp === 'okta' ? snapshots.okta : snapshots.onelogin);
  const findings: Finding[] = [];
  // Cross-provisioned accounts first: mirrors may need members that do not exist yet.
  const accounts = [...crossProvisioned(policy, people), ...crossDeprovisioned(policy, people, findings)];
  const futureKey = { okta: new Map<string, string>(), onelogin: new Map<string, string>() };
  for (const a of accounts) if (a.present) futureKey[a.platform].set(a.person, a.key);
  const keyOn: KeyOn = (p, idp) =>
    p.active ? (p.accounts[idp]?.login ?? futureKey[idp].get(p.key)) : undefined;
  const liveGroup: LiveGroup = (idp, name) => snapshotOf(idp)?.groups.find((g) => g.name === name);
  const managed = managedGroups(policy, people, keyOn, liveGroup);
  const groups = [...managed, ...mirroredGroups(policy, people, keyOn, liveGroup, findings, managed)];
  return { groups, accounts, findings };
}

/** Accounts in the other IdP for people whose population is cross-provisioned (UC-10, UC-11). */
function crossProvisioned(policy: Policy, people: readonly Person[]): DesiredIdpAccount[] {
  const accounts: DesiredIdpAccount[] = [];
  const flowsInto = (idp: IdpId) => (policy.identity.attributes ?? []).filter((f) => f.to === idp);
  for (const p of people) {
    if (!p.crossProvision) continue;
    const target = otherIdp(p.home);
    if (!policy.platforms[target]) continue;
    const live = p.accounts[target];
    const present = p.inScope && p.active;
    const offboard = present ? undefined : offboardOf(policy, p, target);
    if (!present && !(live && offboard && needsOffboarding(live, offboard))) continue;
    const fields: Record<string, string | null> = {};
    for (const flow of flowsInto(target)) {
      // The account accord provisions takes its values from the home directory only: a flow from
      // the target into itself would read back what accord wrote.
      if (flow.from !== p.home) continue;
      for (const [field, template] of Object.entries(flow.fields))
        fields[field] = renderTemplate(template, p.facts.attributes);
    }
    accounts.push({
      platform: target,
      person: p.key,
      key: live?.login ?? p.homeAccount.login,
      ...(live ? { live } : {}),
      present,
      fact: present
        ? `population ${p.population} owned by ${p.home}`
        : `${p.leaving && p.leaving.status !== 'deprovisioned' ? p.leaving.status : 'left'}: ${p.home} ${p.homeAccount.rawStatus}`,
      fields,
      createFields: {
        login: p.homeAccount.login,
        email: p.homeAccount.email,
        firstName: p.facts.attributes.firstName ?? null,
        lastName: p.facts.attributes.lastName ?? null,
      },
      ...(offboard ? { offboard, rule: offboardRule(p) } : {}),
      ...(p.population ? { population: p.population } : {}),
    });
  }
  return accounts;
}

const offboardRule = (p: Person) =>
  p.leaving ? `lifecycle.statuses.${p.leaving.status}` : !p.inScope ? 'identity.scope' : 'lifecycle';

/** How a cross-provisioned account is offboarded: by the person's status, else by `lifecycle.<idp>`. */
function offboardOf(policy: Policy, p: Person, target: IdpId): DesiredIdpAccount['offboard'] {
  if (p.leaving) return p.leaving.idp === 'keep' ? undefined : p.leaving.idp;
  return policy.lifecycle[target]?.action ?? 'deactivate';
}

/**
 * A leaver's own account in the other IdP, matched rather than cross-provisioned, follows their
 * home status too (UC-11): an Okta leaver's OneLogin account is suspended or deactivated like a
 * mirrored one. accord does not own such an account, so it does not reactivate it on return: a
 * finding says so instead.
 */
function crossDeprovisioned(
  policy: Policy,
  people: readonly Person[],
  findings: Finding[],
): DesiredIdpAccount[] {
  const accounts: DesiredIdpAccount[] = [];
  for (const p of people) {
    if (p.crossProvision) continue;
    for (const idp of ['okta', 'onelogin'] as const) {
      const live = p.accounts[idp];
      // A deleted person has no home account: whatever they still have is theirs to lose.
      if (!live || (idp === p.home && p.status !== 'deleted') || !policy.platforms[idp]) continue;
      if (p.active && p.inScope && live.status === 'suspended')
        findings.push({
          code: 'not-restored',
          severity: 'info',
          platform: idp,
          person: p.key,
          message: `${p.key} is active in ${p.home} but their ${idp} account ${live.login} is suspended; accord does not own it (no cross-provisioned population), so it is not reactivated`,
        });
      const offboard = p.leaving && p.leaving.idp !== 'keep' ? p.leaving.idp : undefined;
      if (!offboard || !needsOffboarding(live, offboard)) continue;
      accounts.push({
        platform: idp,
        person: p.key,
        key: live.login,
        live,
        present: false,
        fact:
          p.status === 'deleted'
            ? `deleted from ${p.home}`
            : `${p.leaving!.status === 'deprovisioned' ? 'left' : p.leaving!.status}: ${p.home} ${p.homeAccount.rawStatus}`,
        fields: {},
        createFields: {},
        offboard,
        rule: offboardRule(p),
      });
    }
  }
  return accounts;
}

/** Whether an account still has more than `offboard` leaves it: a suspended account can still be deactivated. */
export const needsOffboarding = (live: IdpAccount, offboard: 'suspend' | 'deactivate') =>
  offboard === 'suspend' ? canSignIn(live) : live.status !== 'deprovisioned';

/** The groups the policy declares: listed members plus the people its rule matches. */
function managedGroups(
  policy: Policy,
  people: readonly Person[],
  keyOn: KeyOn,
  liveGroup: LiveGroup,
): DesiredGroup[] {
  return policy.groups.map((g) => {
    const members = new Map<string, DesiredMember>();
    const rule = `groups:${g.name}`;
    for (const key of g.members ?? [])
      members.set(key.toLowerCase(), { key, rule, why: 'listed in its members' });
    if (g.rule) {
      for (const p of people) {
        const key = p.inScope ? keyOn(p, g.platform) : undefined;
        if (key && matches(g.rule, p.facts) && !members.has(key.toLowerCase()))
          members.set(key.toLowerCase(), { key, person: p.key, rule, why: "matches the group's rule" });
      }
    }
    const live = liveGroup(g.platform, g.name);
    return {
      platform: g.platform,
      name: g.name,
      ...(live ? { live } : {}),
      ...(g.description ? { description: g.description } : {}),
      mode: g.mode ?? 'authoritative',
      owner: 'groups',
      members: [...members.values()],
    };
  });
}

/** Mirror targets: the source group's members, as accounts on the other IdP (UC-12). */
function mirroredGroups(
  policy: Policy,
  people: readonly Person[],
  keyOn: KeyOn,
  liveGroup: LiveGroup,
  findings: Finding[],
  /** Managed groups' desired members: a mirror of one copies what this plan makes it (UC-16). */
  managed: readonly DesiredGroup[] = [],
): DesiredGroup[] {
  const groups: DesiredGroup[] = [];
  const personOf = personByAccount(people);
  const personByLogin = memberPerson(people);
  let byKey: Map<string, Person> | undefined;
  for (const mirror of policy.mirrors) {
    const [from, to] =
      mirror.direction === 'okta-to-onelogin'
        ? (['okta', 'onelogin'] as const)
        : (['onelogin', 'okta'] as const);
    for (const pair of mirror.pairs) {
      const [sourceName, targetName] =
        from === 'okta' ? [pair.okta, pair.onelogin] : [pair.onelogin, pair.okta];
      const source = liveGroup(from, sourceName);
      const owned = managed.find((g) => g.platform === from && g.name === sourceName);
      if (!source && !owned) {
        findings.push({
          code: 'missing-group',
          severity: 'warn',
          platform: from,
          rule: mirror.id,
          message: `mirror ${mirror.id}: ${from} ${from === 'okta' ? 'group' : 'role'} "${sourceName}" does not exist; its target is left alone`,
        });
        continue;
      }
      const members = new Map<string, DesiredMember>();
      const add = (person: Person | undefined) => {
        const key = person ? keyOn(person, to) : undefined;
        if (person && key) members.set(key.toLowerCase(), { key, person: person.key, rule: mirror.id });
      };
      // A managed source is read at its desired membership (an additive one keeps its live
      // members too), as conditions read it (owned-memberships.ts): one apply converges.
      if (!owned || owned.mode === 'additive')
        for (const id of source?.memberIds ?? []) add(personOf(from, id));
      if (owned) {
        byKey ??= new Map(people.map((p) => [p.key, p]));
        for (const m of owned.members) {
          const key = personByLogin(from, m);
          add(key === undefined ? undefined : byKey.get(key));
        }
      }
      const live = liveGroup(to, targetName);
      groups.push({
        platform: to,
        name: targetName,
        ...(live ? { live } : {}),
        description: `Mirrored from ${from} "${sourceName}" by accord (${mirror.id})`,
        mode: mirror.mode ?? 'authoritative',
        owner: mirror.id,
        members: [...members.values()],
      });
    }
  }
  return groups;
}

/**
 * The person a group member is: members derived from a person say so, members declared by login
 * are looked up (case-insensitively) in an index built the first time one is.
 */
export function memberPerson(people: readonly Person[]) {
  let byLogin: Map<string, string> | undefined;
  return (platform: IdpId, member: DesiredMember): string | undefined => {
    if (member.person) return member.person;
    if (!byLogin) {
      byLogin = new Map();
      for (const p of people)
        for (const [idp, account] of Object.entries(p.accounts))
          if (account) byLogin.set(`${idp}:${account.login.toLowerCase()}`, p.key);
    }
    return byLogin.get(`${platform}:${member.key.toLowerCase()}`);
  };
}

/** Account id → person, per IdP: only mirrors ask, so it is built the first time one does. */
export function personByAccount(
  people: readonly Person[],
): (idp: IdpId, accountId: string) => Person | undefined {
  let index: Record<IdpId, Map<string, Person>> | undefined;
  return (idp, accountId) => {
    if (!index) {
      index = { okta: new Map(), onelogin: new Map() };
      for (const p of people) {
        if (p.accounts.okta) index.okta.set(p.accounts.okta.id, p);
        if (p.accounts.onelogin) index.onelogin.set(p.accounts.onelogin.id, p);
      }
    }
    return index[idp].get(accountId);
  };
}
