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
  const users = await accountIds(writer, changes, outcomes);
  const items: SaveItem<Change>[] = [];
  for (const [change, userId] of users) {
    const name = change.target?.name;
    const given = change.target?.id?.startsWith(PREFIX[kind]) ? change.target.id : undefined;
    const targetId =
      given ??
      (name
        ? await writer.catalogue.id(kind === 'permissionSet' ? 'PermissionSet' : 'PermissionSetGroup', name)
        : undefined);
    if (!targetId)
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
  const lookedUp: Change[] = [];
  for (const c of changes) {
    const id = c.target?.id;
    if (id?.startsWith(PREFIX.assignment)) deletions.push({ key: c, id });
    else lookedUp.push(c);
  }
  const users = await accountIds(writer, lookedUp, outcomes);
  for (const part of chunk([...users], COLLECTION_SIZE)) {
    const rows = await assignmentsOf(writer, [...new Set(part.map(([, userId]) => userId))]);
    for (const [c, userId] of part) {
      const target = c.target?.id?.startsWith(PREFIX[kind]) ? { id: c.target.id } : { name: c.target?.name };
      const row = rows.find((r) => r.AssigneeId === userId && grants(r, kind, target));
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
