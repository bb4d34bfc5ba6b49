import {
  canSignIn,
  needsOffboarding,
  personByAccount,
  type DesiredGroup,
  type DesiredIdpAccount,
} from '../compile/desired-idp.js';
import type { Finding } from '../model/findings.js';
import type { Change } from '../model/change.js';
import type { IdpAccount, IdpId, IdpSnapshot } from '../model/snapshot.js';
import type { Person } from '../compile/people.js';
import { idpGroup, idpMember, idpUser } from './addresses.js';
import { makeChange } from './make-change.js';

/**
 * Diff of the two IdPs: cross-provisioned accounts (UC-10, UC-11) and members of the groups and
 * roles accord owns (UC-12). Account fields travel under each platform's own names.
 */

/** Neutral attribute name → the platform's field name (where they differ). */
export const FIELD_NAMES: Record<IdpId, Record<string, string>> = {
  okta: { phone: 'mobilePhone', country: 'countryCode' },
  onelogin: { firstName: 'firstname', lastName: 'lastname', login: 'username' },
};
function platformFields(idp: IdpId, fields: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k in fields) out[FIELD_NAMES[idp][k] ?? k] = fields[k] as string | null;
  return out;
}

/** A snapshot's accounts by id and by lowercased login, built once per platform (not per group). */
function accountIndex(snapshot: IdpSnapshot) {
  const byId = new Map<string, IdpAccount>();
  const byLogin = new Map<string, IdpAccount>();
  for (const x of snapshot.accounts) {
    byId.set(x.id, x);
    byLogin.set(x.login.toLowerCase(), x);
  }
  return { byId, byLogin };
}

type Account = Change['account'];

/** An account change of one desired account; every account action is spelled by this one builder. */
function accountChange(
  a: DesiredIdpAccount,
  action: 'create' | 'activate' | 'update' | 'suspend' | 'deactivate',
  before: unknown,
  after: unknown,
  reason: Change['reason'],
  dependsOn: string[] = [],
): Change {
  const change = makeChange({
    address: idpUser(a.platform, a.key),
    platform: a.platform,
    kind: 'account',
    action,
    account: { key: a.key, ...(a.live ? { id: a.live.id } : {}) },
    before,
    after,
    reason,
    dependsOn,
  });
  if (a.person) change.person = a.person;
  return change;
}

/** A membership grant or revoke in a group accord owns. */
function membershipChange(
  g: DesiredGroup,
  action: 'grant' | 'revoke',
  account: Account,
  reason: Change['reason'],
  dependsOn: string[] = [],
): Change {
  return makeChange({
    address: idpMember(g.platform, g.name, account.key),
    platform: g.platform,
    kind: 'membership',
    action,
    account,
    target: { name: g.name, ...(g.live ? { id: g.live.id } : {}) },
    before: action === 'grant' ? null : { member: true },
    after: action === 'grant' ? { member: true } : null,
    reason,
    dependsOn,
  });
}

/** The changes of the IdP accounts: create, activate, update, or offboard. */
function diffAccounts(
  accounts: readonly DesiredIdpAccount[],
  changes: Change[],
  created: Map<string, Change>,
) {
  for (const a of accounts) {
    const reason = {
      rule: a.population ? `population:${a.population}` : (a.rule ?? 'identity'),
      source: a.fact,
    };
    if (a.present && !a.live) {
      const person = { ...a.createFields, ...a.fields };
      const after =
        a.platform === 'okta'
          ? { profile: platformFields('okta', person), activate: true }
          : { ...platformFields('onelogin', { ...person, login: a.key }) };
      const create = accountChange(a, 'create', null, after, reason);
      created.set(`${a.platform}:${a.key.toLowerCase()}`, create);
      changes.push(create);
    } else if (a.live && a.present) for (const c of presentAccount(a, a.live, reason)) changes.push(c);
    else if (a.live && a.offboard && needsOffboarding(a.live, a.offboard)) {
      // Okta suspends only ACTIVE users; a PROVISIONED one (activation pending) can only be
      // deactivated, which an owned account comes back from on return (activate).
      const action =
        a.offboard === 'suspend' && a.platform === 'okta' && a.live.status !== 'active'
          ? 'deactivate'
          : a.offboard;
      changes.push(
        accountChange(
          a,
          action,
          { status: a.live.status },
          { status: action === 'suspend' ? 'suspended' : 'deprovisioned' },
          { rule: a.rule ?? 'lifecycle', source: a.fact },
        ),
      );
    }
  }
}

/** An account that exists and should: activated if it cannot sign in, updated where fields differ. */
function presentAccount(a: DesiredIdpAccount, live: IdpAccount, reason: Change['reason']): Change[] {
  const out: Change[] = [];
  // A provisioned account waits for its person to set a password: there is nothing to activate.
  if (!canSignIn(live))
    out.push(accountChange(a, 'activate', { status: live.status }, { status: 'active' }, reason));
  const before: Record<string, string | null> = {};
  const after: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(a.fields)) {
    const current = live.attributes[k] ?? null;
    if (current !== (v ?? null)) {
      before[k] = current;
      after[k] = v ?? null;
    }
  }
  if (Object.keys(after).length > 0) {
    const shape = (f: Record<string, string | null>) =>
      a.platform === 'okta' ? { profile: platformFields('okta', f) } : platformFields('onelogin', f);
    out.push(accountChange(a, 'update', shape(before), shape(after), reason, out[0] ? [out[0].id] : []));
  }
  return out;
}

/** Members of the groups and roles accord owns: creates the group, grants the missing, revokes the extra. */
function diffGroups(
  snapshots: { okta?: IdpSnapshot; onelogin?: IdpSnapshot },
  groups: readonly DesiredGroup[],
  created: Map<string, Change>,
  out: { changes: Change[]; findings: Finding[] },
) {
  const indexes = new Map<IdpId, ReturnType<typeof accountIndex>>();
  for (const g of groups) {
    const snapshot = g.platform === 'okta' ? snapshots.okta : snapshots.onelogin;
    if (!snapshot) continue;
    if (g.live && g.live.kind !== 'managed') {
      out.findings.push({
        code: 'missing-group',
        severity: 'warn',
        platform: g.platform,
        message: `${g.platform} group "${g.name}" is a ${g.live.kind} group; its members are managed elsewhere and accord leaves it alone`,
      });
      continue;
    }
    const groupCreate = g.live ? undefined : createGroup(g);
    if (groupCreate) out.changes.push(groupCreate);
    let index = indexes.get(g.platform);
    if (!index) indexes.set(g.platform, (index = accountIndex(snapshot)));
    diffMembers(g, index, { groupCreate, created }, out);
  }
}

function createGroup(g: DesiredGroup): Change {
  return makeChange({
    address: idpGroup(g.platform, g.name),
    platform: g.platform,
    kind: 'group',
    action: 'create',
    account: { key: g.name },
    target: { name: g.name },
    before: null,
    after: { name: g.name, description: g.description ?? null },
    reason: {
      rule: g.owner,
      source: `${g.platform} has no ${g.platform === 'okta' ? 'group' : 'role'} "${g.name}"`,
    },
  });
}

/** One group's grants (after its own create and the member's) and, when authoritative, revokes. */
function diffMembers(
  g: DesiredGroup,
  { byId, byLogin }: ReturnType<typeof accountIndex>,
  { groupCreate, created }: { groupCreate: Change | undefined; created: Map<string, Change> },
  out: { changes: Change[]; findings: Finding[] },
) {
  const members = new Map<string, { key: string; id: string }>();
  for (const id of g.live?.memberIds ?? []) {
    const acct = byId.get(id);
    if (acct) members.set(acct.login.toLowerCase(), { key: acct.login, id });
  }
  const wanted = new Set<string>();
  const mirrored = `member of the mirrored source (${g.owner})`;
  for (const m of g.members) {
    const lower = m.key.toLowerCase();
    wanted.add(lower);
    if (members.has(lower)) continue;
    const live = byLogin.get(lower);
    const create = created.get(`${g.platform}:${lower}`);
    if (!live && !create) {
      out.findings.push({
        code: 'missing-group',
        severity: 'info',
        platform: g.platform,
        ...(m.person ? { person: m.person } : {}),
        message: `${m.key} should be in ${g.platform} "${g.name}" but has no ${g.platform} account`,
      });
      continue;
    }
    const account = { key: live?.login ?? m.key, ...(live ? { id: live.id } : {}) };
    const dependsOn = [groupCreate?.id, create?.id].filter((x): x is string => !!x);
    const grant = membershipChange(
      g,
      'grant',
      account,
      { rule: m.rule, source: m.why ?? mirrored },
      dependsOn,
    );
    if (m.person) grant.person = m.person;
    out.changes.push(grant);
  }
  if (g.mode !== 'authoritative') return;
  const kind = g.owner === 'groups' ? 'group' : 'mirror';
  for (const [lower, m] of members)
    if (!wanted.has(lower))
      out.changes.push(
        membershipChange(
          g,
          'revoke',
          { key: m.key, id: m.id },
          {
            rule: g.owner,
            source: `not a declared or mirrored member (authoritative ${kind})`,
          },
        ),
      );
}

export function diffIdp(
  snapshots: { okta?: IdpSnapshot; onelogin?: IdpSnapshot },
  accounts: readonly DesiredIdpAccount[],
  groups: readonly DesiredGroup[],
  /** The people, so a revoke says whose membership it is: drift tells lifecycle by person (UC-16). */
  people: readonly Person[] = [],
): { changes: Change[]; findings: Finding[] } {
  const out = { changes: [] as Change[], findings: [] as Finding[] };
  const created = new Map<string, Change>();
  diffAccounts(accounts, out.changes, created);
  diffGroups(snapshots, groups, created, out);
  if (people.length > 0) {
    const personOf = personByAccount(people);
    for (const c of out.changes) {
      if (c.kind !== 'membership' || c.action !== 'revoke' || c.person || !c.account.id) continue;
      const person = personOf(c.platform as IdpId, c.account.id);
      if (person) c.person = person.key;
    }
  }
  return out;
}
