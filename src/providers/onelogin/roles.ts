import type { Change, ChangeResult } from '../../model/change.js';
import type { OneLoginClient } from './client.js';
import type { Directory } from './directory.js';
import { applied, failed } from './results.js';

/**
 * Creates a managed role that doesn't exist yet. Role names are unique, so the name is looked up
 * first (a role made by an earlier, interrupted run counts as done) and again before any re-send of
 * the POST, which is not idempotent. `POST /api/2/roles` answers 201 `[{"id":N}]`.
 */
export async function applyGroup(
  client: OneLoginClient,
  directory: Directory,
  change: Change,
): Promise<ChangeResult> {
  const name = change.target?.name;
  if (!name) return failed(change, 'onelogin: a role change needs a target name');
  if (change.action !== 'create') return failed(change, `onelogin: cannot ${change.action} a role`);
  try {
    const existing = await directory.findRole(name);
    if (existing) return applied(change, { createdId: String(existing.id), message: 'role already exists' });
    const { body } = await client.request<{ id: number }[] | { id: number }>('POST', 'api/2/roles', {
      json: { name },
      verifyBeforeRetry: () => directory.findRole(name),
    });
    const id = Array.isArray(body) ? body[0]?.id : body.id;
    if (typeof id !== 'number') return failed(change, 'onelogin: POST /api/2/roles answered without an id');
    directory.rememberRole(name, id);
    return applied(change, { createdId: String(id) });
  } catch (error) {
    return failed(change, error);
  }
}
