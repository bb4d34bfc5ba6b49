/**
 * Drift made directly in the sandbox's stores, the way a person clicking in an admin console
 * would: a manual permission set assignment, a deactivated Salesforce user, a member removed from
 * or added to a group accord owns, a changed department at the source. `a` and `b` pick the
 * victim and the value (modulo the candidates), so fast-check can shrink them.
 */
import type { Sandbox } from '@accord/sandbox';
import { createRecord, updateRecord } from '@accord/sandbox';

export const STORE_DRIFT_KINDS = [
  'add-assignment',
  'deactivate-sf-user',
  'remove-okta-member',
  'add-okta-member',
  'change-department',
  'remove-onelogin-role-member',
] as const;
export type StoreDriftKind = (typeof STORE_DRIFT_KINDS)[number];
export type StoreDrift = [StoreDriftKind, number, number];

/** Groups the demo policy owns in Okta (authoritative group and mirror targets). */
const OWNED_OKTA_GROUPS = ['Salesforce Admins', 'Globex Sales', 'Globex Support'];
const DEPARTMENTS = ['Sales', 'Support', 'Finance', 'Engineering', 'Marketing'];

const byKey = <T>(items: T[], key: (t: T) => string) =>
  [...items].sort((x, y) => key(x).localeCompare(key(y)));

/** Applies the steps; returns what each one did (or why it did nothing), for failure messages. */
export function applyStoreDrift(sandbox: Sandbox, steps: readonly StoreDrift[]): string[] {
  const done: string[] = [];
  const { okta, onelogin, salesforce } = sandbox.stores;
  const orgs = Object.keys(salesforce).sort();
  for (const [kind, a, b] of steps) {
    const store = salesforce[orgs[b % orgs.length]!]!;
    try {
      switch (kind) {
        case 'add-assignment': {
          const users = byKey(
            store.records('User').filter((u) => u.IsActive === true),
            (u) => String(u.Username),
          );
          const sets = byKey(
            store
              .records('PermissionSet')
              .filter((p) => p.IsOwnedByProfile !== true && !p.PermissionSetGroupId),
            (p) => String(p.Name),
          );
          if (users.length === 0 || sets.length === 0) break;
          const user = users[a % users.length]!;
          const set = sets[(a + b) % sets.length]!;
          if (store.assignmentId(user.Id, set.Id)) break;
          createRecord(store, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: set.Id });
          done.push(`${store.org}: assigned ${String(set.Name)} to ${String(user.Username)}`);
          break;
        }
        case 'deactivate-sf-user': {
          const users = byKey(
            store.records('User').filter((u) => u.IsActive === true && u.UserType === 'Standard'),
            (u) => String(u.Username),
          );
          if (users.length === 0) break;
          const user = users[a % users.length]!;
          updateRecord(store, 'User', user.Id, { IsActive: false });
          done.push(`${store.org}: deactivated ${String(user.Username)}`);
          break;
        }
        case 'remove-okta-member': {
          const group = okta.findGroupByName(OWNED_OKTA_GROUPS[b % OWNED_OKTA_GROUPS.length]!);
          const members = group ? okta.members(group.id) : [];
          if (!group || members.length === 0) break;
          const user = byKey(members, (u) => u.profile.login)[a % members.length]!;
          okta.removeMember(group.id, user.id);
          done.push(`okta: removed ${user.profile.login} from ${group.profile.name}`);
          break;
        }
        case 'add-okta-member': {
          const group = okta.findGroupByName(OWNED_OKTA_GROUPS[b % OWNED_OKTA_GROUPS.length]!);
          const users = byKey(
            okta.users().filter((u) => u.status === 'ACTIVE'),
            (u) => u.profile.login,
          );
          if (!group || users.length === 0) break;
          const user = users[a % users.length]!;
          if (okta.isMember(group.id, user.id)) break;
          okta.addMember(group.id, user.id);
          done.push(`okta: added ${user.profile.login} to ${group.profile.name}`);
          break;
        }
        case 'change-department': {
          const users = byKey(
            okta.users().filter((u) => u.status === 'ACTIVE'),
            (u) => u.profile.login,
          );
          if (users.length === 0) break;
          const user = users[a % users.length]!;
          const department = DEPARTMENTS[b % DEPARTMENTS.length]!;
          okta.updateUser(user.id, { profile: { department } });
          done.push(`okta: ${user.profile.login} moved to ${department}`);
          break;
        }
        case 'remove-onelogin-role-member': {
          const roles = byKey(onelogin.roles(), (r) => r.name);
          if (roles.length === 0) break;
          const role = roles[b % roles.length]!;
          const members = [...onelogin.roleMemberIds(role.id)].sort((x, y) => x - y);
          if (members.length === 0) break;
          const userId = members[a % members.length]!;
          onelogin.removeRoleUsers(role.id, [userId]);
          done.push(`onelogin: removed ${onelogin.user(userId)?.username ?? userId} from ${role.name}`);
          break;
        }
      }
    } catch (error) {
      done.push(`${kind}: refused by the sandbox (${(error as Error).message.split('\n')[0]})`);
    }
  }
  return done;
}
