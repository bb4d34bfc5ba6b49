import { RecordError, RequestError, rolledBack } from '../errors.js';
import { normalizeId } from '../ids.js';
import { createRecord, deleteRecord, objectOrThrow, updateRecord } from '../operations.js';
import type { SalesforceStore } from '../store.js';
import { dataRoute, isObject, json, readJson, type SfContext } from './context.js';
import { fieldList, restRecord } from './sobjects.js';
import { canonicalField } from '../schema.js';
import { findByExternalId } from '../validate-record.js';

/**
 * sObject Collections: up to 200 records per call, always HTTP 200 with one SaveResult per record
 * in order. Each record is atomic on its own; with allOrNone every record is undone when any
 * fails, and the ones that had succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */

const MAX_RECORDS = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: ReturnType<RecordError['toJSON']>[];
}

function tooMany(): RequestError {
  return new RequestError(
    400,
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
  );
}

/** Runs one write per item inside a single undo scope and applies the allOrNone rule. */
function collection<T>(
  store: SalesforceStore,
  items: T[],
  allOrNone: boolean,
  write: (item: T) => string,
  idOf: (item: T) => string | undefined,
): SaveResult[] {
  store.beginUndo();
  try {
    const results: SaveResult[] = items.map((item) => {
      try {
        return { id: write(item), success: true, errors: [] };
      } catch (e) {
        if (!(e instanceof RecordError)) throw e;
        const id = idOf(item);
        return { ...(id ? { id } : {}), success: false, errors: [e.toJSON()] };
      }
    });
    if (allOrNone && results.some((r) => !r.success)) {
      store.rollbackTo(0);
      // A created record no longer exists, so only updates and deletes keep naming their id.
      return results.map((r, i) => {
        if (!r.success) return r;
        const id = idOf(items[i]!);
        return { ...(id ? { id } : {}), success: false, errors: [rolledBack().toJSON()] };
      });
    }
    return results;
  } catch (e) {
    store.rollbackTo(0);
    throw e;
  } finally {
    store.endUndo();
  }
}

async function recordsBody(
  request: Request,
): Promise<{ allOrNone: boolean; records: Record<string, unknown>[] }> {
  const body = await readJson(request);
  if (!isObject(body) || !Array.isArray(body.records) || !body.records.every(isObject))
    throw new RequestError(400, 'JSON_PARSER_ERROR', 'The request body must have a records array of objects');
  if (body.records.length > MAX_RECORDS) throw tooMany();
  // Every record names a known type before any is written.
  for (const r of body.records) objectOrThrow(typeOf(r));
  return { allOrNone: body.allOrNone === true, records: body.records };
}

function typeOf(record: Record<string, unknown>): string {
  const attributes = record.attributes;
  const type = isObject(attributes) ? attributes.type : undefined;
  if (typeof type !== 'string' || type === '')
    throw new RequestError(400, 'INVALID_TYPE', 'Must specify a type in attributes');
  return type;
}

const idField = (record: Record<string, unknown>): unknown =>
  record.Id ?? record[Object.keys(record).find((k) => k.toLowerCase() === 'id') ?? 'Id'];

export function compositeHandlers(ctx: SfContext) {
  const { store } = ctx;
  return [
    dataRoute(ctx, 'post', '/composite/sobjects', async (req) => {
      const { allOrNone, records } = await recordsBody(req.request);
      return json(
        store,
        collection(
          store,
          records,
          allOrNone,
          (r) => createRecord(store, typeOf(r), r),
          () => undefined,
        ),
      );
    }),
    dataRoute(ctx, 'patch', '/composite/sobjects', async (req) => {
      const { allOrNone, records } = await recordsBody(req.request);
      return json(
        store,
        collection(
          store,
          records,
          allOrNone,
          (r) => {
            const id = idField(r);
            if (id === undefined || id === null || id === '')
              throw new RecordError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
            return updateRecord(store, typeOf(r), id, r);
          },
          (r) => {
            const id = idField(r);
            return typeof id === 'string' ? normalizeId(id) : undefined;
          },
        ),
      );
    }),
    // Upsert by External ID: each record is updated when one row has its key, created when none
    // does; the results are UpsertResults (`created` says which).
    dataRoute(ctx, 'patch', '/composite/sobjects/:type/:field', async (req) => {
      const object = objectOrThrow(req.param('type'));
      const field = canonicalField(object, req.param('field'));
      if (!field || !object.fields[field]!.externalId)
        throw new RequestError(
          400,
          'INVALID_FIELD',
          `Provided external ID field does not exist or is not accessible: ${req.param('field')}`,
        );
      const { allOrNone, records } = await recordsBody(req.request);
      for (const r of records)
        if (objectOrThrow(typeOf(r)).name !== object.name)
          throw new RequestError(400, 'INVALID_TYPE', `Records must all be of type ${object.name}`);
      const created = new Set<number>();
      const results = collection(
        store,
        records.map((r, i) => ({ r, i })),
        allOrNone,
        ({ r, i }) => {
          const key = r[Object.keys(r).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field];
          if (typeof key !== 'string' || key === '')
            throw new RecordError('MISSING_ARGUMENT', `${field} not specified`, [field]);
          const rows = findByExternalId(store, object.name, field, key);
          if (rows.length > 1)
            throw new RecordError(
              'DUPLICATE_EXTERNAL_ID',
              `The external id ${key} is used by ${rows.length} records: ${rows.map((x) => x.Id).join(', ')}`,
              [field],
            );
          if (rows[0]) return updateRecord(store, object.name, rows[0].Id, r);
          created.add(i);
          return createRecord(store, object.name, r);
        },
        () => undefined,
      );
      return json(
        store,
        results.map((r, i) => ({ ...r, created: r.success && created.has(i) })),
      );
    }),
    dataRoute(ctx, 'delete', '/composite/sobjects', (req) => {
      const ids = (req.url.searchParams.get('ids') ?? '').split(',').filter((s) => s !== '');
      if (ids.length === 0) throw new RequestError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
      if (ids.length > MAX_RECORDS) throw tooMany();
      const allOrNone = req.url.searchParams.get('allOrNone') === 'true';
      return json(
        store,
        collection(
          store,
          ids,
          allOrNone,
          (id) => deleteRecord(store, id),
          (id) => normalizeId(id) ?? id,
        ),
      );
    }),
    // Retrieve many: {ids, fields} -> records in order, null for ids not found.
    dataRoute(ctx, 'post', '/composite/sobjects/:type', async (req) => {
      const object = objectOrThrow(req.param('type'));
      const body = await readJson(req.request);
      if (!isObject(body) || !Array.isArray(body.ids) || !Array.isArray(body.fields))
        throw new RequestError(400, 'JSON_PARSER_ERROR', 'The request body must have ids and fields arrays');
      if (body.ids.length > 2000) throw tooMany();
      const fields = fieldList(object, body.fields.map(String));
      return json(
        store,
        body.ids.map((raw) => {
          const id = normalizeId(String(raw));
          const row = id ? store.get(object.name, id) : undefined;
          return row
            ? restRecord(row, object, req.version, ['Id', ...fields.filter((f) => f !== 'Id')])
            : null;
        }),
      );
    }),
  ];
}
