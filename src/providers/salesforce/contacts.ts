import type { Change } from '../../model/change.js';
import { asRecord } from '../../model/json.js';
import type { SalesforceSnapshot } from '../../model/snapshot.js';
import { fail, saveInChunks, type Outcome, type SaveItem } from './collections.js';
import type { Session } from './session.js';
import { inBatches, inList, isIdentifier } from './soql.js';

/**
 * Contacts and the Accounts they go under (UC-14, UC-15). Contacts are upserted by their External
 * ID field through sObject Collections (PATCH composite/sobjects/Contact/{field}, 200 a call), so
 * a create whose response was lost is sent again safely; they are never deleted. A change names
 * its Account by a lookup (`Account: { Website: "initech.test" }`), resolved here to AccountId:
 * from the snapshot, from the Accounts this apply created, else one query per field and 200
 * values.
 */

/** What contact writes use of users.ts's Writer (which names this file's directory). */
interface Writer {
  session: Session;
  signal?: AbortSignal;
}
type Outcomes = Map<Change, Outcome>;

const lookupKey = (field: string, value: string) => `${field.toLowerCase()}\n${value.toLowerCase()}`;

/** Account ids by lookup field and value. */
export class AccountDirectory {
  private readonly ids = new Map<string, string>();

  constructor(snapshot: SalesforceSnapshot | undefined) {
    for (const a of snapshot?.accounts ?? [])
      for (const [field, value] of Object.entries(a.fields))
        if (typeof value === 'string') this.remember(field, value, a.id);
  }

  remember(field: string, value: string, id: string): void {
    const key = lookupKey(field, value);
    if (!this.ids.has(key)) this.ids.set(key, id);
  }

  get(field: string, value: string): string | undefined {
    return this.ids.get(lookupKey(field, value));
  }

  /** Looks up the lookups not known yet: one query per field and batch of values. */
  async resolve(writer: Writer, lookups: readonly { field: string; value: string }[]): Promise<void> {
    const byField = new Map<string, Set<string>>();
    for (const l of lookups) {
      if (this.get(l.field, l.value) || !isIdentifier(l.field)) continue;
      (byField.get(l.field) ?? byField.set(l.field, new Set()).get(l.field)!).add(l.value);
    }
    for (const [field, values] of byField)
      for (const part of inBatches([...values])) {
        const rows = await writer.session.query(
          `SELECT Id, ${field} FROM Account WHERE ${field} IN ${inList(part)}`,
          {
            phase: 'Account',
          },
        );
        for (const r of rows) if (typeof r[field] === 'string') this.remember(field, r[field], String(r.Id));
      }
  }
}

/** The lookup a change names, `{ <field>: <value> }`. */
function lookupOf(value: unknown): { field: string; value: string } | undefined {
  const o = asRecord(value);
  const entries = o ? Object.entries(o) : [];
  if (entries.length !== 1 || typeof entries[0]![1] !== 'string') return undefined;
  return { field: entries[0]![0], value: entries[0]![1] };
}

/** Scalar fields with identifier names, or why not. */
function plainFields(after: Record<string, unknown>, skip: string[]): Record<string, unknown> | string {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after)) {
    if (skip.includes(field)) continue;
    if (!isIdentifier(field)) return `${field} is not a Salesforce field name`;
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      return `${field} must be a string, number, boolean or null`;
    record[field] = value;
  }
  return record;
}

export async function createCrmAccounts(
  writer: Writer,
  changes: readonly Change[],
  accounts: AccountDirectory,
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const items: SaveItem<Change>[] = [];
  for (const change of changes) {
    const after = asRecord(change.after);
    const field = change.target?.name ?? '';
    const record = after
      ? plainFields(after, ['attributes', 'Id'])
      : 'an Account create needs the fields to set';
    if (typeof record === 'string') outcomes.set(change, fail(record));
    else if (typeof record[field] !== 'string')
      outcomes.set(change, fail(`the Account create sets no ${field}`));
    else items.push({ key: change, record: { attributes: { type: 'Account' }, ...record } });
  }
  const valueOf = (item: SaveItem<Change>) => String(item.record[item.key.target!.name]);
  const saved = await saveInChunks(writer.session, {
    operation: 'create',
    sobject: 'Account',
    items,
    signal: writer.signal,
    // A create whose response was lost may have made the Account: look for it by its lookup first.
    verify: async (pending) => {
      await accounts.resolve(
        writer,
        pending.map((i) => ({ field: i.key.target!.name, value: valueOf(i) })),
      );
      const landed = new Map<SaveItem<Change>, string>();
      for (const item of pending) {
        const id = accounts.get(item.key.target!.name, valueOf(item));
        if (id) landed.set(item, id);
      }
      return landed;
    },
  });
  for (const [item, outcome] of saved) {
    if (outcome.status === 'applied' && outcome.id)
      accounts.remember(item.key.target!.name, valueOf(item), outcome.id);
    outcomes.set(item.key, outcome);
  }
  return outcomes;
}

/** Every contact change (create, update, activate, deactivate): upserts by External ID, 200 a call. */
export async function upsertContacts(
  writer: Writer,
  changes: readonly Change[],
  accounts: AccountDirectory,
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const lookups = changes.flatMap((c) => {
    const l = lookupOf(asRecord(c.after)?.Account);
    return l ? [l] : [];
  });
  if (lookups.length > 0) await accounts.resolve(writer, lookups);
  const byField = new Map<string, SaveItem<Change>[]>();
  for (const change of changes) {
    const after = asRecord(change.after);
    const field = change.target?.name ?? '';
    if (!after || !isIdentifier(field)) {
      outcomes.set(change, fail('a contact change needs its External ID field and the fields to set'));
      continue;
    }
    const record = plainFields(after, ['attributes', 'Id', 'Account', field]);
    if (typeof record === 'string') {
      outcomes.set(change, fail(record));
      continue;
    }
    if ('Account' in after) {
      const l = lookupOf(after.Account);
      const id = l ? accounts.get(l.field, l.value) : undefined;
      if (!id) {
        outcomes.set(
          change,
          fail(
            `no Account in ${writer.session.platform} has ${l ? `${l.field} = ${l.value}` : 'the lookup named'}`,
          ),
        );
        continue;
      }
      record.AccountId = id;
    }
    const items = byField.get(field) ?? byField.set(field, []).get(field)!;
    items.push({
      key: change,
      record: { attributes: { type: 'Contact' }, [field]: change.account.key, ...record },
    });
  }
  for (const [field, items] of byField) {
    const saved = await saveInChunks(writer.session, {
      operation: 'upsert',
      sobject: 'Contact',
      externalIdField: field,
      items,
      signal: writer.signal,
    });
    for (const [item, outcome] of saved) outcomes.set(item.key, outcome);
  }
  return outcomes;
}
