import type { Change } from '../../model/change.js';
import { chunk } from '../http/chunk.js';
import type { Catalogue } from './catalogue.js';
import type { AccountDirectory } from './contacts.js';
import { ABORTED, COLLECTION_SIZE, fail, saveInChunks, type Outcome, type SaveItem } from './collections.js';
import type { Session } from './session.js';
import { inList, isIdentifier } from './soql.js';
import { asRecord } from '../../model/json.js';

/**
 * Account changes on User (create, update, activate, deactivate) and on UserLogin (freeze).
 * Changes name the profile, role and manager (`Profile`, `UserRole`, `Manager`: a profile name,
 * a role name, a manager's Username); they become ProfileId, UserRoleId and ManagerId here.
 * Users are never deleted: Salesforce cannot, and offboarding deactivates.
 */

export interface Writer {
  session: Session;
  catalogue: Catalogue;
  /** Account ids by lookup, for contact changes (contacts.ts). */
  accounts?: AccountDirectory;
  signal?: AbortSignal;
}

export type Outcomes = Map<Change, Outcome>;

const NAMED: Record<string, string> = { Profile: 'ProfileId', UserRole: 'UserRoleId', Manager: 'ManagerId' };

/**
 * Live ids of the changes' accounts: `account.id` when the plan knows it, else by Username. A
 * change whose user does not exist is left out, with its failed outcome put in `outcomes`.
 */
export async function accountIds(
  writer: Writer,
  changes: readonly Change[],
  outcomes: Outcomes,
): Promise<Map<Change, string>> {
  const unknown = changes.filter((c) => !c.account.id).map((c) => c.account.key);
  const found = unknown.length > 0 ? await writer.catalogue.userIds(unknown) : new Map<string, string>();
  const out = new Map<Change, string>();
  for (const c of changes) {
    const id = c.account.id ?? writer.catalogue.userId(found, c.account.key);
    if (id) out.set(c, id);
    else outcomes.set(c, fail(`user ${c.account.key} not found in ${writer.session.platform}`));
  }
  return out;
}

const managersOf = (changes: readonly Change[]): string[] =>
  changes.flatMap((c) => {
    const manager = asRecord(c.after)?.Manager;
    return typeof manager === 'string' ? [manager] : [];
  });

/** The User record for a create or update, or why it cannot be built. */
async function userRecord(
  writer: Writer,
  after: Record<string, unknown>,
  managers: Map<string, string>,
): Promise<Record<string, unknown> | string> {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after)) {
    if (field === 'attributes' || field === 'Id') continue;
    if (!isIdentifier(field)) return `${field} is not a Salesforce field name`;
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      return `${field} must be a string, number, boolean or null`;
    if (!(field in NAMED)) {
      record[field] = value;
      continue;
    }
    const target = NAMED[field]!;
    if (value === null) {
      record[target] = null;
      continue;
    }
    const name = String(value);
    const id =
      field === 'Manager'
        ? writer.catalogue.userId(managers, name)
        : await writer.catalogue.id(field as 'Profile' | 'UserRole', name);
    if (!id)
      return `${field === 'Manager' ? 'manager user' : field === 'Profile' ? 'profile' : 'role'} ${name} not found in ${writer.session.platform}`;
    record[target] = id;
  }
  return record;
}

export async function createUsers(writer: Writer, changes: readonly Change[]): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const managers = await writer.catalogue.userIds(managersOf(changes));
  const items: SaveItem<Change>[] = [];
  for (const change of changes) {
    const after = asRecord(change.after);
    if (!after) {
      outcomes.set(change, fail('a user create needs the fields to set'));
      continue;
    }
    const record = await userRecord(writer, { Username: change.account.key, ...after }, managers);
    if (typeof record === 'string') outcomes.set(change, fail(record));
    else items.push({ key: change, record });
  }
  const saved = await saveInChunks(writer.session, {
    operation: 'create',
    sobject: 'User',
    items,
    signal: writer.signal,
    // A create whose response was lost may have made the user: look for it by Username first.
    verify: async (pending) => {
      const existing = await writer.catalogue.userIds(pending.map((i) => String(i.record.Username)));
      const landed = new Map<SaveItem<Change>, string>();
      for (const item of pending) {
        const id = writer.catalogue.userId(existing, String(item.record.Username));
        if (id) landed.set(item, id);
      }
      return landed;
    },
  });
  for (const [item, outcome] of saved) {
    if (outcome.status === 'applied' && outcome.id)
      writer.catalogue.rememberUser(String(item.record.Username), outcome.id);
    outcomes.set(item.key, outcome);
  }
  return outcomes;
}

/** Field updates, activation and deactivation: one PATCH per 200 users. */
export async function updateUsers(
  writer: Writer,
  changes: readonly Change[],
  fieldsOf: (change: Change) => Record<string, unknown> | undefined,
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const ids = await accountIds(writer, changes, outcomes);
  const managers = await writer.catalogue.userIds(managersOf(changes));
  const items: SaveItem<Change>[] = [];
  for (const [change, id] of ids) {
    const fields = fieldsOf(change);
    if (!fields || Object.keys(fields).length === 0) outcomes.set(change, fail('the update names no fields'));
    else {
      const record = await userRecord(writer, fields, managers);
      if (typeof record === 'string') outcomes.set(change, fail(record));
      else items.push({ key: change, record: { Id: id, ...record } });
    }
  }
  const saved = await saveInChunks(writer.session, {
    operation: 'update',
    sobject: 'User',
    items,
    signal: writer.signal,
  });
  for (const [item, outcome] of saved) outcomes.set(item.key, outcome);
  return outcomes;
}

/**
 * `freeze` sets UserLogin.IsFrozen; a freeze change whose `after` is `false` or `{ frozen: false }`
 * unfreezes. Per chunk of 200: one query for the UserLogin ids, one PATCH.
 */
export function frozenTarget(change: Change): boolean {
  const after = change.after;
  if (after === false) return false;
  const o = asRecord(after);
  return !(o && (o.frozen === false || o.IsFrozen === false));
}

export async function freezeUsers(writer: Writer, changes: readonly Change[]): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const ids = await accountIds(writer, changes, outcomes);
  for (const part of chunk([...ids], COLLECTION_SIZE)) {
    if (writer.signal?.aborted) {
      for (const [c] of part) outcomes.set(c, ABORTED);
      continue;
    }
    const userIds = [...new Set(part.map(([, id]) => id))];
    const rows = await writer.session.query(
      `SELECT Id, UserId FROM UserLogin WHERE UserId IN ${inList(userIds)}`,
      {
        phase: 'UserLogin',
      },
    );
    const loginOf = new Map(rows.map((r) => [String(r.UserId), String(r.Id)]));
    const items: SaveItem<Change>[] = [];
    for (const [c, id] of part) {
      const login = loginOf.get(id);
      if (!login) outcomes.set(c, fail(`user ${c.account.key} has no UserLogin row to freeze`));
      else items.push({ key: c, record: { Id: login, IsFrozen: frozenTarget(c) } });
    }
    const saved = await saveInChunks(writer.session, {
      operation: 'update',
      sobject: 'UserLogin',
      items,
      signal: writer.signal,
    });
    for (const [item, outcome] of saved) outcomes.set(item.key, outcome);
  }
  return outcomes;
}
