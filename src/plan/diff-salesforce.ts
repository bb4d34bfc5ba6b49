import type { DesiredSalesforceUser } from '../compile/desired-salesforce.js';
import type { Finding } from '../model/findings.js';
import type { Change } from '../model/change.js';
import type { SalesforceSnapshot, SalesforceUser } from '../model/snapshot.js';
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
  const platform = snapshot.platform;
  const findings: Finding[] = [];
  const changes: Change[] = [];
  const known = {
    profile: new Set(snapshot.profiles.map((p) => p.name)),
    role: new Set(snapshot.roles.map((r) => r.name)),
    permissionSet: new Set(snapshot.permissionSets.map((p) => p.name)),
    permissionSetGroup: new Set(snapshot.permissionSetGroups.map((p) => p.developerName)),
  };
  const usernameById = new Map(snapshot.users.map((u) => [u.id, u.username]));
  const assignmentsByUser = new Map<string, SalesforceSnapshot['assignments']>();
  for (const a of snapshot.assignments)
    (assignmentsByUser.get(a.userId) ?? assignmentsByUser.set(a.userId, []).get(a.userId)!).push(a);
  const unknown = (kind: keyof typeof known, name: string, d: DesiredSalesforceUser, rule?: string) => {
    if (known[kind].has(name)) return false;
    findings.push({
      code: 'unknown-entitlement',
      severity: 'warn',
      platform,
      person: d.person,
      ...(rule ? { rule } : {}),
      message: `${kind} "${name}" does not exist in Salesforce org ${org}; it is not assigned`,
    });
    return true;
  };
  const createdIds = new Map<string, string>();
  const revoke = (
    d: DesiredSalesforceUser,
    a: SalesforceSnapshot['assignments'][number],
    reason: Change['reason'],
    dependsOn: string[],
  ) => {
    const kind = a.permissionSet !== undefined ? 'permissionSet' : 'permissionSetGroup';
    const name = (a.permissionSet ?? a.permissionSetGroup)!;
    const address = kind === 'permissionSet' ? salesforcePermissionSet : salesforcePermissionSetGroup;
    return add(
      {
        address: address(org, d.username, name),
        platform,
        kind,
        action: 'revoke',
        account: { key: d.username, ...(d.live ? { id: d.live.id } : {}) },
        target: { name, id: a.id },
        before: { assigned: true },
        after: null,
        reason,
        dependsOn,
      },
      d.person,
    );
  };
  const add = (input: ChangeInput, person: string) => {
    const change = makeChange(input);
    // Set after the fact rather than spread into the input: makeChange puts it last either way.
    if (person) change.person = person;
    changes.push(change);
    return change;
  };

  for (const d of desired) {
    const live = d.live;
    // Built only for a user that has a change: most have none.
    const user = () => salesforceUser(org, d.username);
    const account = () => (live ? { key: d.username, id: live.id } : { key: d.username });
    if (d.present) {
      const profile =
        d.profile && !unknown('profile', d.profile.name, d, d.profile.rule) ? d.profile : undefined;
      const role = d.role && !unknown('role', d.role.name, d, d.role.rule) ? d.role : undefined;
      let userChange: Change | undefined;
      if (!live) {
        if (!profile) continue; // reported: a user cannot be created without a known profile
        userChange = add(
          {
            address: user(),
            platform,
            kind: 'account',
            action: 'create',
            account: account(),
            before: null,
            after: {
              ...d.createFields,
              ...ownedInPlan(d.ownedFields),
              Profile: profile.name,
              UserRole: role?.name ?? null,
              IsActive: true,
            },
            reason: { rule: profile.rule, source: d.fact },
          },
          d.person,
        );
        createdIds.set(d.username.toLowerCase(), userChange.id);
      } else {
        const fields = changedFields(d, live, profile?.name, role?.name, usernameById);
        if (!live.isActive) {
          userChange = add(
            {
              address: user(),
              platform,
              kind: 'account',
              action: 'activate',
              account: account(),
              before: { IsActive: false },
              after: { IsActive: true },
              reason: { source: d.fact },
            },
            d.person,
          );
        }
        if (live.frozen) {
          // The provider's freeze with `frozen: false` thaws the login: the person is entitled again.
          userChange = add(
            {
              address: user(),
              platform,
              kind: 'account',
              action: 'freeze',
              account: account(),
              before: { frozen: true },
              after: { frozen: false },
              reason: { source: `unfreeze: ${d.fact}` },
              dependsOn: userChange ? [userChange.id] : [],
            },
            d.person,
          );
        }
        if (fields) {
          const { before, after } = fields;
          const rule = 'Profile' in after ? profile?.rule : 'UserRole' in after ? role?.rule : undefined;
          userChange = add(
            {
              address: user(),
              platform,
              kind: 'account',
              action: 'update',
              account: account(),
              before,
              after,
              reason: { ...(rule ? { rule } : {}), source: d.fact },
              dependsOn: userChange ? [userChange.id] : [],
            },
            d.person,
          );
        }
      }
      // A user holds a handful of assignments: scanning them beats building an index per user.
      const held = (live && assignmentsByUser.get(live.id)) || NO_ASSIGNMENTS;
      for (const kind of ['permissionSet', 'permissionSetGroup'] as const) {
        const wanted = kind === 'permissionSet' ? d.permissionSets : d.permissionSetGroups;
        const address = kind === 'permissionSet' ? salesforcePermissionSet : salesforcePermissionSetGroup;
        for (const g of wanted) {
          if (unknown(kind, g.name, d, g.rule) || held.some((a) => a[kind] === g.name)) continue;
          add(
            {
              address: address(org, d.username, g.name),
              platform,
              kind,
              action: 'grant',
              account: account(),
              target: { name: g.name },
              before: null,
              after: { assigned: true },
              reason: { rule: g.rule, source: d.fact },
              dependsOn: userChange ? [userChange.id] : [],
            },
            d.person,
          );
        }
        for (const a of held) {
          const name = a[kind];
          if (name === undefined || wanted.some((g) => g.name === name && known[kind].has(name))) continue;
          revoke(d, a, { source: `not granted by any rule (${d.fact})` }, []);
        }
      }
    } else if (live && d.offboard) {
      const { settings, transfers } = d.offboard;
      const steps: string[] = [];
      let freeze: Change | undefined;
      if (settings.freeze && !live.frozen) {
        freeze = add(
          {
            address: user(),
            platform,
            kind: 'account',
            action: 'freeze',
            account: account(),
            before: { frozen: false },
            after: { frozen: true },
            reason: { rule: 'lifecycle', source: d.fact },
          },
          d.person,
        );
        steps.push(freeze.id);
      }
      for (const t of transfers) {
        const change = add(
          {
            address: salesforceRecords(org, d.username, t.object),
            platform,
            kind: 'records',
            action: 'transfer',
            account: account(),
            target: { name: t.object },
            before: { owner: d.username },
            after: { to: t.to },
            reason: {
              rule: 'lifecycle.transfer',
              source: `${d.fact}; open ${t.object} records go to the ${t.via}`,
            },
            dependsOn: freeze ? [freeze.id] : [],
          },
          d.person,
        );
        steps.push(change.id);
      }
      if (settings.revokePermissionSets) {
        for (const a of assignmentsByUser.get(live.id) ?? []) {
          steps.push(revoke(d, a, { rule: 'lifecycle', source: d.fact }, freeze ? [freeze.id] : []).id);
        }
      }
      if (settings.deactivate) {
        add(
          {
            address: user(),
            platform,
            kind: 'account',
            action: 'deactivate',
            account: account(),
            before: { IsActive: true },
            after: { IsActive: false },
            reason: { rule: 'lifecycle', source: d.fact },
            dependsOn: steps,
          },
          d.person,
        );
      }
    }
  }
  // A user created, or updated, with a manager who is created in the same plan waits for the manager.
  for (const c of changes) {
    const manager =
      c.action === 'create' || c.action === 'update'
        ? ((c.after as { Manager?: string | null }).Manager ?? undefined)
        : undefined;
    const managerCreate = manager ? createdIds.get(manager.toLowerCase()) : undefined;
    if (managerCreate && managerCreate !== c.id)
      c.dependsOn = [...new Set([...c.dependsOn, managerCreate])].sort();
  }
  return { changes, findings };
}
