import type { Change } from '../../model/change.js';
import { chunk } from '../http/chunk.js';
import { COLLECTION_SIZE, deleteInChunks, fail, saveInChunks, type SaveItem } from './collections.js';
import type { SalesforceRecord } from './session.js';
import { inList } from './soql.js';
import { accountIds, type Outcomes, type Writer } from './users.js';

/**
 * Permission set and permission set group assignments (PermissionSetAssignment rows): grants
 * create rows, 200 per call; revokes delete them by id, 200 per call, looking the ids up with one
 * query per chunk when the change does not carry the assignment's id.
 */

export type AssignmentKind = 'permissionSet' | 'permissionSetGroup';

const PREFIX = { permissionSet: '0PS', permissionSetGroup: '0PG', assignment: '0Pa' } as const;

const label = (kind: AssignmentKind) =>
  kind === 'permissionSet' ? 'permission set' : 'permission set group';

const ASSIGNMENT_FIELDS =
  'Id, AssigneeId, PermissionSetId, PermissionSet.Name, PermissionSetGroupId, PermissionSetGroup.DeveloperName';

/** The existing non-profile assignments of these users (one query; at most a few rows per user). */
async function assignmentsOf(writer: Writer, userIds: string[]): Promise<SalesforceRecord[]> {
  return writer.session.query(
    `SELECT ${ASSIGNMENT_FIELDS} FROM PermissionSetAssignment WHERE AssigneeId IN ${inList(userIds)} AND PermissionSet.IsOwnedByProfile = false`,
    { phase: 'PermissionSetAssignment' },
  );
}

const nested = (r: SalesforceRecord, relation: string, field: string): unknown =>
  (r[relation] as Record<string, unknown> | null | undefined)?.[field];

/** Whether an assignment row grants this kind's target, by id or by name. */
function grants(r: SalesforceRecord, kind: AssignmentKind, target: { id?: string; name?: string }): boolean {
  if (kind === 'permissionSetGroup') {
    if (!r.PermissionSetGroupId) return false;
    return target.id
      ? r.PermissionSetGroupId === target.id
      : nested(r, 'PermissionSetGroup', 'DeveloperName') === target.name;
  }
  if (r.PermissionSetGroupId) return false;
  return target.id ? r.PermissionSetId === target.id : nested(r, 'PermissionSet', 'Name') === target.name;
}

export async function grantAssignments(
  writer: Writer,
  kind: AssignmentKind,
  changes: readonly Change[],
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const users = await accountIds(writer, changes);
  const items: SaveItem<Change>[] = [];
  for (const change of changes) {
    const userId = users.get(change);
    const name = change.target?.name;
    const given = change.target?.id?.startsWith(PREFIX[kind]) ? change.target.id : undefined;
    const targetId =
      given ??
      (name
        ? await writer.catalogue.id(kind === 'permissionSet' ? 'PermissionSet' : 'PermissionSetGroup', name)
        : undefined);
    if (!userId)
      outcomes.set(change, fail(`user ${change.account.key} not found in ${writer.session.platform}`));
    else if (!targetId)
      outcomes.set(
        change,
        fail(`${label(kind)} ${name ?? '(unnamed)'} not found in ${writer.session.platform}`),
      );
    else
      items.push({
        key: change,
        record:
          kind === 'permissionSet'
            ? { AssigneeId: userId, PermissionSetId: targetId }
            : { AssigneeId: userId, PermissionSetGroupId: targetId },
      });
  }
  const saved = await saveInChunks(writer.session, {
    operation: 'create',
    sobject: 'PermissionSetAssignment',
    items,
    signal: writer.signal,
    // A create whose response was lost may have made the rows: find them before sending again.
    verify: async (pending) => {
      const rows = await assignmentsOf(writer, [...new Set(pending.map((i) => String(i.record.AssigneeId)))]);
      const landed = new Map<SaveItem<Change>, string>();
      for (const item of pending) {
        const target = String(item.record.PermissionSetId ?? item.record.PermissionSetGroupId);
        const row = rows.find(
          (r) => r.AssigneeId === item.record.AssigneeId && grants(r, kind, { id: target }),
        );
        if (row) landed.set(item, String(row.Id));
      }
      return landed;
    },
  });
  for (const [item, outcome] of saved) outcomes.set(item.key, outcome);
  return outcomes;
}

export async function revokeAssignments(
  writer: Writer,
  kind: AssignmentKind,
  changes: readonly Change[],
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const deletions: { key: Change; id: string }[] = [];
  const direct = changes.filter((c) => c.target?.id?.startsWith(PREFIX.assignment));
  for (const c of direct) deletions.push({ key: c, id: c.target!.id! });
  const lookedUp = changes.filter((c) => !direct.includes(c));
  const users = await accountIds(writer, lookedUp);
  for (const part of chunk(lookedUp, COLLECTION_SIZE)) {
    const known = part.filter((c) => {
      if (!users.has(c))
        outcomes.set(c, fail(`user ${c.account.key} not found in ${writer.session.platform}`));
      return users.has(c);
    });
    if (known.length === 0) continue;
    const rows = await assignmentsOf(writer, [...new Set(known.map((c) => users.get(c)!))]);
    for (const c of known) {
      const target = c.target?.id?.startsWith(PREFIX[kind]) ? { id: c.target.id } : { name: c.target?.name };
      const row = rows.find((r) => r.AssigneeId === users.get(c) && grants(r, kind, target));
      // Nothing to remove: what the change wants already holds.
      if (!row) outcomes.set(c, { status: 'applied', note: 'already absent' });
      else deletions.push({ key: c, id: String(row.Id) });
    }
  }
  for (const [change, outcome] of await deleteInChunks(
    writer.session,
    'PermissionSetAssignment',
    deletions,
    writer.signal,
  ))
    outcomes.set(change, outcome);
  return outcomes;
}
