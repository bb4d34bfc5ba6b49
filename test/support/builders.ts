/**
 * Builders for hand-made policies and snapshots, so each planner test case is a few lines.
 * Ids are derived from natural keys (`okta-<login>`, `005-<username>`), so expectations can name them.
 */
import type {
  AccountStatus,
  Attributes,
  IdpAccount,
  IdpGroup,
  IdpId,
  IdpSnapshot,
  SalesforceAssignment,
  SalesforceSnapshot,
  SalesforceUser,
  Snapshots,
} from '../../src/model/snapshot.js';
import { emptyState, type State } from '../../src/model/state.js';
import type { Change } from '../../src/model/change.js';
import { createPlan, type PlanOptions } from '../../src/plan/plan.js';
import { makeChange } from '../../src/plan/make-change.js';
import type { Plan } from '../../src/plan/types.js';
import { type Policy } from '../../src/policy/policy.js';
import { canonicalJson, sha256 } from '../../src/model/canonical-json.js';
import type { Settings } from '../../src/policy/types.js';

export const NOW = new Date('2026-11-23T00:00:00Z');
export const FETCHED = '2026-11-22T00:00:00.000Z';

export type PolicyInput = Partial<Omit<Policy, 'settings' | 'files' | 'digest'>> & {
  settings?: Settings;
};

/** A merged Policy as validation would give it: one Okta source, one `prod` org unless told otherwise. */
export function makePolicy(input: PolicyInput = {}): Policy {
  const body = {
    settings: { allowCode: true, environment: 'test', ...input.settings },
    platforms: input.platforms ?? { okta: {}, salesforce: { prod: {} } },
    identity: input.identity ?? { source: 'okta' as const },
    links: input.links ?? [],
    groups: input.groups ?? [],
    mirrors: input.mirrors ?? [],
    access: input.access ?? [],
    exceptions: input.exceptions ?? [],
    ...(input.contacts ? { contacts: input.contacts } : {}),
    lifecycle: input.lifecycle ?? {},
    guardrails: input.guardrails ?? {},
  };
  return {
    ...body,
    contacts: input.contacts ?? [],
    files: ['test.json'],
    digest: sha256(canonicalJson(body)),
  };
}

export interface PersonSpec {
  login: string;
  email?: string;
  status?: AccountStatus;
  /** Okta groups / OneLogin roles. */
  groups?: string[];
  /** Labels of the apps the account is assigned. */
  apps?: string[];
  attrs?: Attributes;
  id?: string;
}

const RAW: Record<AccountStatus, string> = {
  active: 'ACTIVE',
  provisioned: 'PROVISIONED',
  staged: 'STAGED',
  suspended: 'SUSPENDED',
  locked: 'LOCKED_OUT',
  deprovisioned: 'DEPROVISIONED',
};

export const accountId = (platform: IdpId, login: string) => `${platform}-${login}`;

export function idpAccount(platform: IdpId, spec: PersonSpec): IdpAccount {
  const email = spec.email ?? spec.login;
  const local = spec.login.split('@')[0]!;
  const [first, last] = local.split('.');
  const cap = (s: string | undefined) => (s ? s[0]!.toUpperCase() + s.slice(1) : null);
  const status = spec.status ?? 'active';
  return {
    id: spec.id ?? accountId(platform, spec.login),
    login: spec.login,
    email,
    status,
    rawStatus: RAW[status],
    attributes: {
      login: spec.login,
      email,
      firstName: cap(first),
      lastName: cap(last) ?? cap(first),
      ...spec.attrs,
    },
  };
}

/** An IdP snapshot; every group named by a person exists (managed) unless `missing` or `kinds` say otherwise. */
export function idpSnapshot(
  platform: IdpId,
  people: PersonSpec[],
  options: {
    groups?: string[];
    missing?: string[];
    kinds?: Record<string, IdpGroup['kind']>;
    /** App labels read that exist (each with the people whose `apps` name it) and that don't. */
    apps?: string[];
    missingApps?: string[];
  } = {},
): IdpSnapshot {
  const accounts = people.map((p) => idpAccount(platform, p));
  const names = new Set(options.groups ?? []);
  for (const p of people) for (const g of p.groups ?? []) names.add(g);
  for (const m of options.missing ?? []) names.delete(m);
  const groups = [...names].sort().map((name): IdpGroup => ({
    id: `${platform}-group-${name}`,
    name,
    kind: options.kinds?.[name] ?? 'managed',
    memberIds: people
      .map((p, i) => ((p.groups ?? []).includes(name) ? accounts[i]!.id : undefined))
      .filter((x): x is string => !!x),
  }));
  const apps = options.apps?.map((label) => ({
    id: `${platform}-app-${label}`,
    label,
    memberIds: people
      .map((p, i) =>
        p.apps?.some((a) => a.toLowerCase() === label.toLowerCase()) ? accounts[i]!.id : undefined,
      )
      .filter((x): x is string => !!x),
  }));
  return {
    platform,
    accounts,
    groups,
    missingGroups: options.missing ?? [],
    ...((apps || options.missingApps) && { apps: apps ?? [], missingApps: options.missingApps ?? [] }),
    fetchedAt: FETCHED,
  };
}

export const okta = (people: PersonSpec[], options?: Parameters<typeof idpSnapshot>[2]) =>
  idpSnapshot('okta', people, options);
export const onelogin = (people: PersonSpec[], options?: Parameters<typeof idpSnapshot>[2]) =>
  idpSnapshot('onelogin', people, options);

export const PROFILES = [
  { name: 'Standard User', license: 'Salesforce' },
  { name: 'Sales User', license: 'Salesforce' },
  { name: 'Support User', license: 'Salesforce' },
  { name: 'System Administrator', license: 'Salesforce' },
  { name: 'Minimum Access - Salesforce', license: 'Salesforce' },
  { name: 'Finance User', license: 'Salesforce Platform' },
];
export const ROLES = ['Sales Rep', 'Sales Manager', 'Support Agent', 'Finance'];
export const PERMISSION_SETS = [
  'Sales_Cloud_User',
  'Service_Cloud_User',
  'Knowledge_User',
  'Report_Builder',
  'Billing_Approver',
  'Modify_All_Data',
  'Data_Export',
];
export const PERMISSION_SET_GROUPS = ['Sales_Leadership', 'Support_Tier2'];
export const QUEUES = ['Unassigned Leads', 'Support Queue'];

export type UserSpec = Partial<Omit<SalesforceUser, 'username'>> & {
  username: string;
  permissionSets?: string[];
  permissionSetGroups?: string[];
  /** Manager's Username (resolved to managerId). */
  manager?: string;
};

export const userId = (org: string, username: string) => `005-${org}-${username}`;

/** A Salesforce org snapshot with the standard test catalogue and the given users. */
export function salesforce(org: string, users: UserSpec[]): SalesforceSnapshot {
  const licenseOf = new Map(PROFILES.map((p) => [p.name, p.license]));
  const out: SalesforceUser[] = users.map((u) => {
    const local = u.username.split('@')[0]!;
    const profile = u.profile ?? 'Standard User';
    return {
      id: u.id ?? userId(org, u.username),
      username: u.username,
      email: u.email ?? u.username,
      firstName: u.firstName ?? null,
      lastName: u.lastName ?? local,
      alias: u.alias ?? local.slice(0, 8),
      federationId: u.federationId ?? null,
      employeeNumber: u.employeeNumber ?? null,
      isActive: u.isActive ?? true,
      frozen: u.frozen ?? false,
      profileId: `00e-${profile}`,
      profile,
      license: licenseOf.get(profile) ?? 'Salesforce',
      roleId: u.role ? `00E-${u.role}` : null,
      role: u.role ?? null,
      managerId: u.manager ? userId(org, u.manager) : (u.managerId ?? null),
      fields: u.fields ?? {},
    };
  });
  const assignments: SalesforceAssignment[] = users.flatMap((u, i) => [
    ...(u.permissionSets ?? []).map((name) => ({
      id: `0Pa-${org}-${u.username}-${name}`,
      userId: out[i]!.id,
      permissionSet: name,
    })),
    ...(u.permissionSetGroups ?? []).map((name) => ({
      id: `0Pa-${org}-${u.username}-${name}`,
      userId: out[i]!.id,
      permissionSetGroup: name,
    })),
  ]);
  return {
    platform: `salesforce:${org}`,
    org,
    users: out,
    profiles: PROFILES.map((p) => ({ id: `00e-${p.name}`, ...p })),
    roles: ROLES.map((name) => ({ id: `00E-${name}`, name })),
    permissionSets: PERMISSION_SETS.map((name) => ({ id: `0PS-${name}`, name, label: name, license: null })),
    permissionSetGroups: PERMISSION_SET_GROUPS.map((developerName) => ({
      id: `0PG-${developerName}`,
      developerName,
      label: developerName,
    })),
    assignments,
    licenses: [{ id: '100-Salesforce', name: 'Salesforce', total: 100, used: 0 }],
    queues: QUEUES.map((name) => ({ id: `00G-${name}`, name })),
    fetchedAt: FETCHED,
  };
}

export function snapshots(parts: {
  okta?: IdpSnapshot;
  onelogin?: IdpSnapshot;
  salesforce?: SalesforceSnapshot[];
}): Snapshots {
  return {
    ...(parts.okta ? { okta: parts.okta } : {}),
    ...(parts.onelogin ? { onelogin: parts.onelogin } : {}),
    salesforce: Object.fromEntries((parts.salesforce ?? []).map((s) => [s.org, s])),
  };
}

export function plan(
  policy: Policy,
  snaps: Snapshots,
  options: Partial<PlanOptions> & { state?: State } = {},
): Plan {
  const { state, ...rest } = options;
  return createPlan(policy, snaps, state ?? emptyState(), { now: NOW, ...rest });
}

/** `action address` lines, in plan order: the readable shape most assertions compare. */
export const lines = (p: Plan | readonly Change[]) =>
  ('changes' in p ? p.changes : p).map((c) => `${c.action} ${c.address}`);

export const find = (p: Plan, action: string, address: string): Change => {
  const c = p.changes.find((x) => x.action === action && x.address === address);
  if (!c) throw new Error(`no ${action} ${address} in plan:\n${lines(p).join('\n')}`);
  return c;
};

export const indexOf = (p: Plan, action: string, address: string) =>
  p.changes.findIndex((x) => x.action === action && x.address === address);

export const sfUserAddr = (org: string, username: string) =>
  `salesforce.${org}.user[${JSON.stringify(username)}]`;
export const psAddr = (org: string, username: string, name: string) =>
  `${sfUserAddr(org, username)}.permissionSet[${JSON.stringify(name)}]`;
export const psgAddr = (org: string, username: string, name: string) =>
  `${sfUserAddr(org, username)}.permissionSetGroup[${JSON.stringify(name)}]`;
export const recordsAddr = (org: string, username: string, object: string) =>
  `${sfUserAddr(org, username)}.records[${JSON.stringify(object)}]`;
export const memberAddr = (platform: IdpId, group: string, key: string) =>
  `${platform === 'okta' ? 'okta.group' : 'onelogin.role'}[${JSON.stringify(group)}].member[${JSON.stringify(key)}]`;
export const idpUserAddr = (platform: IdpId, key: string) => `${platform}.user[${JSON.stringify(key)}]`;

/** Okta group grant number `n` (content-addressed, as plans make them): apply's record-keeping tests. */
export const membershipGrant = (n: number): Change =>
  makeChange({
    address: `okta.user["u${n}"].group["G"]`,
    platform: 'okta',
    kind: 'membership',
    action: 'grant',
    account: { key: `u${n}` },
    before: null,
    after: { member: true },
    reason: { source: 'test' },
    dependsOn: [],
  });
