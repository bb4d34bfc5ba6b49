import type { DesiredSalesforceUser } from '../compile/desired-salesforce.js';
import type { Finding } from '../model/findings.js';
import type { Change } from '../model/change.js';
import type { PlatformId, SalesforceSnapshot, SalesforceUser } from '../model/snapshot.js';
import {
  salesforcePermissionSet,
  salesforcePermissionSetGroup,
  salesforceRecords,
  salesforceUser,
} from './addresses.js';
import { makeChange, type ChangeInput } from './make-change.js';

/** User fields (by API name) that have a typed home in the snapshot; the others live in `fields`. */
export const TYPED_USER_FIELDS: Record<string, keyof SalesforceUser> = {
  EmployeeNumber: 'employeeNumber',
  FederationIdentifier: 'federationId',
  Email: 'email',
  FirstName: 'firstName',
  LastName: 'lastName',
  Alias: 'alias',
  Username: 'username',
};
/** A User field's live value: fields with a typed home in the snapshot are read from there. */
const liveField = (u: SalesforceUser, field: string): unknown => {
  const typed = TYPED_USER_FIELDS[field];
  return (typed ? u[typed] : u.fields[field]) ?? null;
};

/** A plan names the manager (`Manager`, a username) where Salesforce has the `ManagerId` field. */
const planField = (field: string) => (field === 'ManagerId' ? 'Manager' : field);

/** The owned fields under their plan names, as a plan's `after` carries them. */
function ownedInPlan(ownedFields: Record<string, string | null>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in ownedFields) out[planField(k)] = ownedFields[k];
  return out;
}

/** A compared field's live value, under the plan's naming (the manager by Username). */
const liveInPlan = (live: SalesforceUser, field: string, usernameById: Map<string, string>): unknown =>
  field === 'ManagerId'
    ? live.managerId
      ? (usernameById.get(live.managerId) ?? null)
      : null
    : liveField(live, field);

/**
 * The owned fields, profile and role whose wanted value differs from the live one, before and
 * after, under their plan names; undefined when none does. Most users are as they should be, so
 * nothing is built for them.
 */
function changedFields(
  d: DesiredSalesforceUser,
  live: SalesforceUser,
  profile: string | undefined,
  role: string | undefined,
  usernameById: Map<string, string>,
) {
  let changes: { before: Record<string, unknown>; after: Record<string, unknown> } | undefined;
  const compare = (field: string, current: unknown, wanted: unknown) => {
    if ((current ?? null) === (wanted ?? null)) return;
    changes ??= { before: {}, after: {} };
    changes.before[field] = current ?? null;
    changes.after[field] = wanted ?? null;
  };
  for (const k in d.ownedFields) compare(planField(k), liveInPlan(live, k, usernameById), d.ownedFields[k]);
  if (profile !== undefined) compare('Profile', live.profile, profile);
  if (role !== undefined) compare('UserRole', live.role, role);
  return changes;
}

const NO_ASSIGNMENTS: SalesforceSnapshot['assignments'] = [];

type Assignment = SalesforceSnapshot['assignments'][number];
type AssignmentKind = 'permissionSet' | 'permissionSetGroup';
type Offboard = NonNullable<DesiredSalesforceUser['offboard']>;

const assignmentAddress = (kind: AssignmentKind) =>
  kind === 'permissionSet' ? salesforcePermissionSet : salesforcePermissionSetGroup;

/** The builders of one user's changes in one org: each kind of change is spelled once here. */
class UserChanges {
  constructor(
    private readonly org: string,
    private readonly platform: PlatformId,
    private readonly d: DesiredSalesforceUser,
    private readonly sink: Change[],
  ) {}

  private account() {
    return this.d.live ? { key: this.d.username, id: this.d.live.id } : { key: this.d.username };
  }

  private add(input: ChangeInput): Change {
    const change = makeChange(input);
    // Set after the fact rather than spread into the input: makeChange puts it last either way.
    if (this.d.person) change.person = this.d.person;
    this.sink.push(change);
    return change;
  }

  /** create, activate, freeze (or thaw), update or deactivate the user itself. */
  user(
    action: 'create' | 'activate' | 'freeze' | 'update' | 'deactivate',
    before: unknown,
    after: unknown,
    reason: Change['reason'],
    dependsOn: string[] = [],
  ): Change {
    return this.add({
      address: salesforceUser(this.org, this.d.username),
      platform: this.platform,
      kind: 'account',
      action,
      account: this.account(),
      before,
      after,
      reason,
      dependsOn,
    });
  }

  grant(kind: AssignmentKind, name: string, reason: Change['reason'], dependsOn: string[]): Change {
    return this.add({
      address: assignmentAddress(kind)(this.org, this.d.username, name),
      platform: this.platform,
      kind,
      action: 'grant',
      account: this.account(),
      target: { name },
      before: null,
      after: { assigned: true },
      reason,
      dependsOn,
    });
  }

  revoke(a: Assignment, reason: Change['reason'], dependsOn: string[]): Change {
    const kind = a.permissionSet !== undefined ? 'permissionSet' : 'permissionSetGroup';
    const name = (a.permissionSet ?? a.permissionSetGroup)!;
    return this.add({
      address: assignmentAddress(kind)(this.org, this.d.username, name),
      platform: this.platform,
      kind,
      action: 'revoke',
      account: this.account(),
      target: { name, id: a.id },
      before: { assigned: true },
      after: null,
      reason,
      dependsOn,
    });
  }

  transfer(t: Offboard['transfers'][number], dependsOn: string[]): Change {
    return this.add({
      address: salesforceRecords(this.org, this.d.username, t.object),
      platform: this.platform,
      kind: 'records',
      action: 'transfer',
      account: this.account(),
      target: { name: t.object },
      before: { owner: this.d.username },
      after: { to: t.to },
      reason: {
        rule: 'lifecycle.transfer',
        source: `${this.d.fact}; open ${t.object} records go to the ${t.via}`,
      },
      dependsOn,
    });
  }
}

const after = (change: Change | undefined): string[] => (change ? [change.id] : []);

/** One org's diff: what the snapshot knows, and the changes and findings found so far. */
class OrgDiff {
  readonly changes: Change[] = [];
  readonly findings: Finding[] = [];
  private readonly platform: PlatformId;
  private readonly known: Record<'profile' | 'role' | AssignmentKind, Set<string>>;
  private readonly usernameById: Map<string, string>;
  /** A role's Name by its Name or its DeveloperName: grants may say either, users show the Name. */
  private readonly roleName = new Map<string, string>();
  private readonly assignmentsByUser = new Map<string, Assignment[]>();
  private readonly createdIds = new Map<string, string>();

  constructor(
    private readonly org: string,
    snapshot: SalesforceSnapshot,
  ) {
    this.platform = snapshot.platform;
    this.known = {
      profile: new Set(snapshot.profiles.map((p) => p.name)),
      role: new Set(snapshot.roles.map((r) => r.name)),
      permissionSet: new Set(snapshot.permissionSets.map((p) => p.name)),
      permissionSetGroup: new Set(snapshot.permissionSetGroups.map((p) => p.developerName)),
    };
    this.usernameById = new Map(snapshot.users.map((u) => [u.id, u.username]));
    // DeveloperNames first, so that a Name wins where one role's DeveloperName is another's Name.
    for (const r of snapshot.roles) if (r.developerName) this.roleName.set(r.developerName, r.name);
    for (const r of snapshot.roles) this.roleName.set(r.name, r.name);
    for (const a of snapshot.assignments)
      (this.assignmentsByUser.get(a.userId) ?? this.assignmentsByUser.set(a.userId, []).get(a.userId)!).push(
        a,
      );
  }

  private builders(d: DesiredSalesforceUser) {
    return new UserChanges(this.org, this.platform, d, this.changes);
  }

  /** True (with a finding) when the org has no entitlement of that name. */
  private unknown(kind: keyof OrgDiff['known'], name: string, d: DesiredSalesforceUser, rule?: string) {
    if (this.known[kind].has(name)) return false;
    this.findings.push({
      code: 'unknown-entitlement',
      severity: 'warn',
      platform: this.platform,
      person: d.person,
      ...(rule ? { rule } : {}),
      message: `${kind} "${name}" does not exist in Salesforce org ${this.org}; it is not assigned`,
    });
    return true;
  }

  /** A person entitled to a user here: the user as it should be, then its assignments. */
  entitled(d: DesiredSalesforceUser): void {
    const profile =
      d.profile && !this.unknown('profile', d.profile.name, d, d.profile.rule) ? d.profile : undefined;
    const named = d.role && { ...d.role, name: this.roleName.get(d.role.name) ?? d.role.name };
    const role = named && !this.unknown('role', named.name, d, named.rule) ? named : undefined;
    const build = this.builders(d);
    let userChange: Change | undefined;
    if (!d.live) {
      if (!profile) return; // reported: a user cannot be created without a known profile
      userChange = build.user(
        'create',
        null,
        {
          ...d.createFields,
          ...ownedInPlan(d.ownedFields),
          Profile: profile.name,
          UserRole: role?.name ?? null,
          IsActive: true,
        },
        { rule: profile.rule, source: d.fact },
      );
      this.createdIds.set(d.username.toLowerCase(), userChange.id);
    } else userChange = this.existingUser(d, d.live, build, profile, role);
    this.assignments(d, build, userChange);
  }

  /** Reactivate, thaw and update a user that exists; the last of these is what grants wait for. */
  private existingUser(
    d: DesiredSalesforceUser,
    live: SalesforceUser,
    build: UserChanges,
    profile: DesiredSalesforceUser['profile'],
    role: DesiredSalesforceUser['role'],
  ): Change | undefined {
    const fields = changedFields(d, live, profile?.name, role?.name, this.usernameById);
    let last: Change | undefined;
    if (!live.isActive)
      last = build.user(
        'activate',
        { IsActive: false },
        { IsActive: true },
        { rule: d.rule, source: d.fact },
      );
    // The provider's freeze with `frozen: false` thaws the login: the person is entitled again.
    if (live.frozen)
      last = build.user(
        'freeze',
        { frozen: true },
        { frozen: false },
        { rule: d.rule, source: `unfreeze: ${d.fact}` },
        after(last),
      );
    if (fields) {
      const rule =
        'Profile' in fields.after ? profile?.rule : 'UserRole' in fields.after ? role?.rule : undefined;
      last = build.user(
        'update',
        fields.before,
        fields.after,
        { rule: rule ?? d.rule, source: d.fact },
        after(last),
      );
    }
    return last;
  }

  /** Grants of what the rules give and the user lacks; revokes of what it holds and no rule gives. */
  private assignments(d: DesiredSalesforceUser, build: UserChanges, userChange: Change | undefined): void {
    // A user holds a handful of assignments: scanning them beats building an index per user.
    const held = (d.live && this.assignmentsByUser.get(d.live.id)) || NO_ASSIGNMENTS;
    for (const kind of ['permissionSet', 'permissionSetGroup'] as const) {
      const wanted = kind === 'permissionSet' ? d.permissionSets : d.permissionSetGroups;
      for (const g of wanted) {
        if (this.unknown(kind, g.name, d, g.rule) || held.some((a) => a[kind] === g.name)) continue;
        build.grant(kind, g.name, { rule: g.rule, source: d.fact }, after(userChange));
      }
      for (const a of held) {
        const name = a[kind];
        if (name === undefined || wanted.some((g) => g.name === name && this.known[kind].has(name))) continue;
        build.revoke(a, { rule: 'access', source: `not granted by any rule (${d.fact})` }, []);
      }
    }
  }

  /**
   * Offboarding, in the order that keeps records safe: freeze → transfer → revoke → deactivate.
   * Deactivation waits while records have nowhere to go (`held`, a blocking finding).
   */
  leaver(d: DesiredSalesforceUser, live: SalesforceUser, { settings, transfers, held }: Offboard): void {
    const build = this.builders(d);
    const reason = { rule: d.rule, source: d.fact };
    const steps: string[] = [];
    const freeze =
      settings.freeze && !live.frozen
        ? build.user('freeze', { frozen: false }, { frozen: true }, reason)
        : undefined;
    if (freeze) steps.push(freeze.id);
    for (const t of transfers) steps.push(build.transfer(t, after(freeze)).id);
    if (settings.revokePermissionSets)
      for (const a of this.assignmentsByUser.get(live.id) ?? [])
        steps.push(build.revoke(a, reason, after(freeze)).id);
    if (settings.deactivate && !held)
      build.user('deactivate', { IsActive: true }, { IsActive: false }, reason, steps);
  }

  /** A user created, or updated, with a manager who is created in the same plan waits for the manager. */
  waitForManagers(): void {
    for (const c of this.changes) {
      const manager =
        c.action === 'create' || c.action === 'update'
          ? ((c.after as { Manager?: string | null }).Manager ?? undefined)
          : undefined;
      const managerCreate = manager ? this.createdIds.get(manager.toLowerCase()) : undefined;
      if (managerCreate && managerCreate !== c.id)
        c.dependsOn = [...new Set([...c.dependsOn, managerCreate])].sort();
    }
  }
}

/**
 * Diff of one Salesforce org: desired users against the snapshot. Names in `after` (Profile,
 * UserRole, Manager) are names, not ids: the provider resolves them, so a saved plan reads well
 * and survives id changes between orgs.
 */
export function diffSalesforce(
  org: string,
  snapshot: SalesforceSnapshot,
  desired: readonly DesiredSalesforceUser[],
): { changes: Change[]; findings: Finding[] } {
  const diff = new OrgDiff(org, snapshot);
  for (const d of desired) {
    if (d.present) diff.entitled(d);
    else if (d.live && d.offboard) diff.leaver(d, d.live, d.offboard);
  }
  diff.waitForManagers();
  return { changes: diff.changes, findings: diff.findings };
}
