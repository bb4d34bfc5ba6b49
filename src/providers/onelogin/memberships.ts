import type { Change, ChangeResult } from '../../model/change.js';
import { chunk } from '../http/chunk.js';
import { isHttpError, type OneLoginClient } from './client.js';
import type { Directory } from './directory.js';
import { applied, failed } from './results.js';

/**
 * Role membership: `POST` / `DELETE /api/2/roles/:id/users` take a raw array of user ids, so all of
 * a batch's grants to one role are one call, and all its revokes another. Both are safe to re-send:
 * adding a member again and removing a non-member are no-ops.
 *
 * The emulator documents no cap on the array; 1000 ids keep a body around 10 kB and a failed call
 * cheap to bisect. Larger groups go in calls of 1000.
 */
export const MEMBERSHIP_BATCH = 1000;

/**
 * A 422 refuses the whole array (all or nothing, and the message need not say which id). Halving
 * finds the users at fault in about 2·log2(K) calls for one bad id, and applies everyone else.
 */
async function send(
  client: OneLoginClient,
  method: 'POST' | 'DELETE',
  roleId: number,
  userIds: number[],
): Promise<Map<number, unknown>> {
  const errors = new Map<number, unknown>();
  try {
    await client.request(method, `api/2/roles/${roleId}/users`, { json: userIds });
  } catch (error) {
    if (isHttpError(error, 422) && userIds.length > 1) {
      const half = Math.ceil(userIds.length / 2);
      for (const part of [userIds.slice(0, half), userIds.slice(half)])
        for (const [id, e] of await send(client, method, roleId, part)) errors.set(id, e);
    } else for (const id of userIds) errors.set(id, error);
  }
  return errors;
}

export async function applyMemberships(
  client: OneLoginClient,
  directory: Directory,
  changes: Change[],
): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  const groups = new Map<string, { role: string; roleHint?: string; grant: boolean; changes: Change[] }>();
  for (const change of changes) {
    const role = change.target?.name;
    if (!role) {
      results.push(failed(change, 'onelogin: a membership change needs a target role'));
      continue;
    }
    if (change.action !== 'grant' && change.action !== 'revoke') {
      results.push(failed(change, `onelogin: cannot ${change.action} a role membership`));
      continue;
    }
    const key = `${change.action}\u0000${role.toLowerCase()}`;
    let group = groups.get(key);
    if (!group) {
      group = { role, grant: change.action === 'grant', changes: [] };
      if (change.target?.id) group.roleHint = change.target.id;
      groups.set(key, group);
    }
    group.changes.push(change);
  }

  for (const group of groups.values()) {
    let roleId: number | undefined;
    try {
      roleId = await directory.roleId(group.role, group.roleHint);
    } catch (error) {
      for (const change of group.changes) results.push(failed(change, error));
      continue;
    }
    if (roleId === undefined) {
      for (const change of group.changes) results.push(failed(change, `onelogin: no role ${group.role}`));
      continue;
    }
    const byUser = new Map<number, Change[]>();
    for (const change of group.changes) {
      try {
        const userId = await directory.userId(change.account.key, change.account.id);
        if (userId === undefined) {
          results.push(failed(change, `onelogin: no user ${change.account.key}`));
          continue;
        }
        byUser.set(userId, [...(byUser.get(userId) ?? []), change]);
      } catch (error) {
        results.push(failed(change, error));
      }
    }
    for (const ids of chunk([...byUser.keys()], MEMBERSHIP_BATCH)) {
      const errors = await send(client, group.grant ? 'POST' : 'DELETE', roleId, ids);
      for (const id of ids) {
        for (const change of byUser.get(id)!) {
          results.push(errors.has(id) ? failed(change, errors.get(id)) : applied(change));
        }
      }
    }
  }
  return results;
}
