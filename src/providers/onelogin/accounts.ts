import type { Change, ChangeResult } from '../../model/change.js';
import { wireBody, type WireUser } from './attributes.js';
import type { OneLoginClient } from './client.js';
import type { Directory } from './directory.js';
import { applied, failed } from './results.js';
import { LIFECYCLE_BODY } from './status.js';

/**
 * Account changes, one API call each (plus a lookup for a name never seen before). Users are never
 * deleted: offboarding is `deactivate`, which keeps the account as a leaver.
 */

const asFields = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

async function bodyFor(
  directory: Directory,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown> | string> {
  const { body, manager } = wireBody(fields);
  if (manager === undefined) return body;
  if (manager === null) return { ...body, manager_user_id: null };
  const managerId = await directory.userId(manager);
  if (managerId === undefined) return `manager ${manager} has no OneLogin account`;
  return { ...body, manager_user_id: managerId };
}

/**
 * POST /api/2/users is not idempotent: before re-sending after a lost answer (5xx, reset), look the
 * username up; if the first attempt landed, that user is the result and nothing is created twice.
 */
async function create(client: OneLoginClient, directory: Directory, change: Change): Promise<ChangeResult> {
  const fields = { ...asFields(change.after) };
  if (fields.username === undefined && fields.login === undefined) fields.username = change.account.key;
  const body = await bodyFor(directory, fields);
  if (typeof body === 'string') return failed(change, body);
  const username = String(body.username ?? change.account.key);
  const { body: user } = await client.request<WireUser>('POST', 'api/2/users', {
    json: body,
    verifyBeforeRetry: () => directory.findUser(username),
  });
  directory.rememberUser(user.username, user.id);
  return applied(change, { createdId: String(user.id) });
}

export async function applyAccount(
  client: OneLoginClient,
  directory: Directory,
  change: Change,
): Promise<ChangeResult> {
  try {
    if (change.action === 'create') return await create(client, directory, change);
    let body: Record<string, unknown> | string;
    if (change.action === 'update') body = await bodyFor(directory, asFields(change.after));
    else if (change.action === 'suspend' || change.action === 'activate' || change.action === 'deactivate')
      body = { ...LIFECYCLE_BODY[change.action] };
    else
      return failed(change, `onelogin: cannot ${change.action} an account (OneLogin has no such operation)`);
    if (typeof body === 'string') return failed(change, body);

    const id = await directory.userId(change.account.key, change.account.id);
    if (id === undefined) return failed(change, `onelogin: no user ${change.account.key}`);
    // A leaver's OneLogin session would outlive the status change (UC-11): logged out first, so
    // that a failure anywhere fails the change and the next run does both again (once the status
    // has landed, nothing is planned for the account any more). v1 is the only API that has it.
    if (change.action === 'suspend' || change.action === 'deactivate')
      await client.request('PUT', `api/1/users/${id}/logout`);
    // PUT replaces only the fields sent, so a retry after a lost answer sets the same values again.
    const { body: user } = await client.request<WireUser>('PUT', `api/2/users/${id}`, { json: body });
    if (change.action !== 'deactivate') return applied(change);
    return await leaveRoles(client, change, id, user.role_ids ?? []);
  } catch (error) {
    return failed(change, error);
  }
}

/**
 * A leaver loses every role (UC-11). The PUT's answer lists them in `role_ids`, so this costs one
 * DELETE per role and no lookup.
 */
async function leaveRoles(
  client: OneLoginClient,
  change: Change,
  userId: number,
  roleIds: number[],
): Promise<ChangeResult> {
  const removed: number[] = [];
  for (const roleId of roleIds) {
    try {
      await client.request('DELETE', `api/2/roles/${roleId}/users`, { json: [userId] });
      removed.push(roleId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ...failed(change, `deactivated, but removing from role ${roleId} failed: ${reason}`),
        detail: { removedFromRoles: removed },
      };
    }
  }
  return applied(change, { detail: { removedFromRoles: removed } });
}
