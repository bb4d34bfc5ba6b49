/**
 * A perfect provider, without HTTP: applies a Plan's changes to Snapshots the way Okta, OneLogin and
 * Salesforce would, so a test can check convergence (plan → apply → plan again is empty).
 * Pure: returns new snapshots and leaves its input alone.
 */
import type { Change } from '../../src/model/change.js';
import type {
  IdpAccount,
  IdpId,
  IdpSnapshot,
  SalesforceSnapshot,
  Snapshots,
} from '../../src/model/snapshot.js';
import { FIELD_NAMES } from '../../src/plan/diff-idp.js';
import { TYPED_USER_FIELDS } from '../../src/plan/diff-salesforce.js';
import type { Plan } from '../../src/plan/types.js';

/** Platform field names back to neutral attribute names: the planner's FIELD_NAMES, inverted. */
const invert = (names: Record<string, string>) =>
  Object.fromEntries(Object.entries(names).map(([neutralName, platformName]) => [platformName, neutralName]));
const NEUTRAL: Record<IdpId, Record<string, string>> = {
  okta: invert(FIELD_NAMES.okta),
  onelogin: invert(FIELD_NAMES.onelogin),
};
const neutral = (idp: IdpId, fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [NEUTRAL[idp][k] ?? k, v as string | null]));

const SF_CORE = new Set([
  'Username',
  'Email',
  'FirstName',
  'LastName',
  'Alias',
  'FederationIdentifier',
  'Profile',
  'UserRole',
  'Manager',
  'IsActive',
]);

export class ApplyError extends Error {}

export function applyToSnapshots(snapshots: Snapshots, plan: Plan | readonly Change[]): Snapshots {
  const out = structuredClone(snapshots);
  const changes = 'changes' in plan ? plan.changes : plan;
  const applied = new Set<string>();
  let seq = 0;
  for (const c of changes) {
    for (const d of c.dependsOn)
      if (!applied.has(d) && changes.some((x) => x.id === d))
        throw new ApplyError(`${c.action} ${c.address} runs before its dependency ${d}`);
    if (c.platform === 'okta' || c.platform === 'onelogin') applyIdp(out, c.platform, c, () => ++seq);
    else applySalesforce(out.salesforce[c.platform.slice('salesforce:'.length)]!, c, () => ++seq);
    applied.add(c.id);
  }
  return out;
}

function idpOf(s: Snapshots, platform: IdpId): IdpSnapshot {
  const snap = platform === 'okta' ? s.okta : s.onelogin;
  if (!snap) throw new ApplyError(`no ${platform} snapshot`);
  return snap;
}

function applyIdp(s: Snapshots, platform: IdpId, c: Change, next: () => number) {
  const snap = idpOf(s, platform);
  const byLogin = (key: string) => {
    const a = snap.accounts.find((x) => x.login.toLowerCase() === key.toLowerCase());
    if (!a) throw new ApplyError(`${c.action} ${c.address}: no ${platform} account ${key}`);
    return a;
  };
  if (c.kind === 'group') {
    if (c.action !== 'create') throw new ApplyError(`unexpected ${c.action} on group`);
    if (snap.groups.some((g) => g.name === c.target!.name))
      throw new ApplyError(`group ${c.target!.name} exists`);
    snap.groups.push({
      id: `${platform}-group-new-${next()}`,
      name: c.target!.name,
      kind: 'managed',
      memberIds: [],
    });
    snap.missingGroups = snap.missingGroups.filter((n) => n !== c.target!.name);
    return;
  }
  if (c.kind === 'membership') {
    const group = snap.groups.find((g) => g.name === c.target!.name);
    if (!group) throw new ApplyError(`${c.address}: no group ${c.target!.name}`);
    const id = byLogin(c.account.key).id;
    if (c.action === 'grant') {
      if (group.memberIds.includes(id)) throw new ApplyError(`${c.address}: already a member`);
      group.memberIds.push(id);
    } else if (c.action === 'revoke') {
      if (!group.memberIds.includes(id)) throw new ApplyError(`${c.address}: not a member`);
      group.memberIds = group.memberIds.filter((m) => m !== id);
    } else throw new ApplyError(`unexpected ${c.action} on membership`);
    return;
  }
  if (c.kind !== 'account') throw new ApplyError(`unexpected kind ${c.kind} on ${platform}`);
  const after = (c.after ?? {}) as Record<string, unknown>;
  switch (c.action) {
    case 'create': {
      const fields = neutral(
        platform,
        (platform === 'okta' ? after.profile : after) as Record<string, unknown>,
      );
      if (snap.accounts.some((a) => a.login.toLowerCase() === c.account.key.toLowerCase()))
        throw new ApplyError(`${c.address}: account exists`);
      const account: IdpAccount = {
        id: `${platform}-new-${next()}`,
        login: c.account.key,
        email: fields.email ?? c.account.key,
        status: 'active',
        rawStatus: 'ACTIVE',
        attributes: { ...fields, login: c.account.key },
      };
      snap.accounts.push(account);
      return;
    }
    case 'update': {
      const a = byLogin(c.account.key);
      const fields = neutral(
        platform,
        (platform === 'okta' ? after.profile : after) as Record<string, unknown>,
      );
      a.attributes = { ...a.attributes, ...fields };
      return;
    }
    case 'activate':
      setStatus(byLogin(c.account.key), 'active', 'ACTIVE');
      return;
    case 'suspend':
      setStatus(byLogin(c.account.key), 'suspended', 'SUSPENDED');
      return;
    case 'deactivate':
      setStatus(byLogin(c.account.key), 'deprovisioned', 'DEPROVISIONED');
      return;
    default:
      throw new ApplyError(`unexpected ${c.action} on ${platform} account`);
  }
}

const setStatus = (a: IdpAccount, status: IdpAccount['status'], raw: string) => {
  a.status = status;
  a.rawStatus = raw;
};

function applySalesforce(snap: SalesforceSnapshot, c: Change, next: () => number) {
  const user = () => {
    const u = snap.users.find((x) => x.username.toLowerCase() === c.account.key.toLowerCase());
    if (!u) throw new ApplyError(`${c.action} ${c.address}: no user ${c.account.key}`);
    return u;
  };
  const setProfile = (u: SalesforceSnapshot['users'][number], name: string) => {
    const p = snap.profiles.find((x) => x.name === name);
    if (!p) throw new ApplyError(`${c.address}: unknown profile ${name}`);
    u.profile = p.name;
    u.profileId = p.id;
    u.license = p.license;
  };
  const setRole = (u: SalesforceSnapshot['users'][number], name: string | null) => {
    const r = name === null ? null : snap.roles.find((x) => x.name === name);
    if (r === undefined) throw new ApplyError(`${c.address}: unknown role ${name}`);
    u.role = r?.name ?? null;
    u.roleId = r?.id ?? null;
  };
  const setManager = (u: SalesforceSnapshot['users'][number], username: string | null) => {
    if (username === null) return void (u.managerId = null);
    const m = snap.users.find((x) => x.username.toLowerCase() === username.toLowerCase());
    if (!m) throw new ApplyError(`${c.address}: manager ${username} does not exist yet`);
    u.managerId = m.id;
  };
  const after = (c.after ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
  if (c.kind === 'account') {
    switch (c.action) {
      case 'create': {
        if (snap.users.some((x) => x.username.toLowerCase() === c.account.key.toLowerCase()))
          throw new ApplyError(`${c.address}: user exists`);
        const u: SalesforceSnapshot['users'][number] = {
          id: `005new${next()}`,
          username: String(after.Username),
          email: String(after.Email),
          firstName: str(after.FirstName),
          lastName: String(after.LastName),
          alias: String(after.Alias),
          federationId: str(after.FederationIdentifier),
          employeeNumber: str(after.EmployeeNumber),
          isActive: true,
          frozen: false,
          profileId: '',
          profile: '',
          license: '',
          roleId: null,
          role: null,
          managerId: null,
          fields: {},
        };
        setProfile(u, String(after.Profile));
        setRole(u, str(after.UserRole));
        if ('Manager' in after) setManager(u, str(after.Manager));
        for (const [k, v] of Object.entries(after)) if (!SF_CORE.has(k)) u.fields[k] = str(v);
        snap.users.push(u);
        return;
      }
      case 'update': {
        const u = user();
        for (const [k, v] of Object.entries(after)) {
          if (k === 'Profile') setProfile(u, String(v));
          else if (k === 'UserRole') setRole(u, str(v));
          else if (k === 'Manager') setManager(u, str(v));
          else if (k in TYPED_USER_FIELDS)
            Object.assign(u, { [TYPED_USER_FIELDS[k]!]: k === 'LastName' ? String(v) : str(v) });
          else u.fields[k] = str(v);
        }
        return;
      }
      case 'activate':
        user().isActive = true;
        return;
      case 'freeze':
        // `frozen: false` thaws the login of a person who is entitled again.
        user().frozen = (after.frozen ?? true) === true;
        return;
      case 'deactivate':
        user().isActive = false;
        return;
      default:
        throw new ApplyError(`unexpected ${c.action} on a Salesforce user`);
    }
  }
  if (c.kind === 'records') {
    if (c.action !== 'transfer') throw new ApplyError(`unexpected ${c.action} on records`);
    user(); // records are not part of the snapshot; the owner must exist
    return;
  }
  if (c.kind === 'permissionSet' || c.kind === 'permissionSetGroup') {
    const u = user();
    const name = c.target!.name;
    const kind = c.kind;
    const held = snap.assignments.filter((a) => a.userId === u.id && a[kind] === name);
    if (c.action === 'grant') {
      if (held.length > 0) throw new ApplyError(`${c.address}: already assigned`);
      snap.assignments.push({ id: `0Pa-new-${next()}`, userId: u.id, [kind]: name });
    } else if (c.action === 'revoke') {
      if (held.length === 0) throw new ApplyError(`${c.address}: not assigned`);
      snap.assignments = snap.assignments.filter((a) => !held.includes(a));
    } else throw new ApplyError(`unexpected ${c.action} on ${kind}`);
    return;
  }
  if (c.kind === 'crmAccount' || c.kind === 'contact') return applyCrm(snap, c, after, next);
  throw new ApplyError(`unexpected kind ${c.kind}`);
}

/** Accounts and Contacts (UC-14, UC-15): an upsert by external id, an Account by its lookup. */
function applyCrm(
  snap: SalesforceSnapshot,
  c: Change,
  after: Record<string, unknown>,
  next: () => number,
): void {
  const field = c.target!.name;
  const scalar = (v: unknown) => (typeof v === 'boolean' || v === null ? v : String(v));
  if (c.kind === 'crmAccount') {
    if (c.action !== 'create') throw new ApplyError(`unexpected ${c.action} on an Account`);
    const fields: Record<string, string | boolean | null> = {};
    for (const [k, v] of Object.entries(after)) fields[k] = scalar(v);
    (snap.accounts ??= []).push({ id: `001new${next()}`, fields });
    return;
  }
  const contacts = (snap.contacts ??= []);
  const key = c.account.key.toLowerCase();
  let contact = contacts.find((x) => String(x.fields[field] ?? '').toLowerCase() === key);
  if (c.action === 'create' && contact) throw new ApplyError(`${c.address}: contact exists`);
  if (c.action !== 'create' && !contact) throw new ApplyError(`${c.address}: no contact ${c.account.key}`);
  if (!contact)
    contacts.push((contact = { id: `003new${next()}`, accountId: null, fields: { [field]: c.account.key } }));
  for (const [k, v] of Object.entries(after)) {
    if (k !== 'Account') contact.fields[k] = scalar(v);
    else {
      const [[lookup, value]] = Object.entries(v as Record<string, string>) as [[string, string]];
      const account = (snap.accounts ?? []).find(
        (a) => String(a.fields[lookup] ?? '').toLowerCase() === value.toLowerCase(),
      );
      if (!account) throw new ApplyError(`${c.address}: no Account has ${lookup} = ${value}`);
      contact.accountId = account.id;
    }
  }
}
