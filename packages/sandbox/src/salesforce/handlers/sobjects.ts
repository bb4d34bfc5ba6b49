import { normalizeId } from '../ids.js';
import { notFound, RequestError } from '../errors.js';
import { createRecord, deleteRecord, objectOrThrow, updateRecord } from '../operations.js';
import { OBJECTS, canonicalField, type SfObject } from '../schema.js';
import type { Row, SalesforceStore } from '../store.js';
import {
  apiError,
  dataRoute,
  isObject,
  json,
  noContent,
  readJson,
  type DataRequest,
  type SfContext,
} from './context.js';

/** Single-record sObject REST: describe, create, retrieve, update, delete. */

export function restRecord(
  row: Row,
  object: SfObject,
  version: string,
  fields?: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: `/services/data/v${version}/sobjects/${object.name}/${row.Id}` },
  };
  for (const name of fields ?? Object.keys(object.fields)) out[name] = row[name] ?? null;
  return out;
}

/** The named fields, canonical; an unknown one is a request error as in `?fields=`. */
export function fieldList(object: SfObject, names: string[]): string[] {
  return names.map((n) => {
    const name = canonicalField(object, n.trim());
    if (!name)
      throw new RequestError(400, 'INVALID_FIELD', `No such column '${n}' on entity '${object.name}'`);
    return name;
  });
}

function describeField(name: string, object: SfObject) {
  const f = object.fields[name]!;
  return {
    name,
    label: name,
    type: f.type,
    length: f.maxLength ?? 0,
    nillable: name !== 'Id' && f.type !== 'boolean',
    createable: object.createable && f.create !== false,
    updateable: object.updateable && f.update !== false,
    referenceTo: f.referenceTo ? [f.referenceTo, ...(f.alsoReferences ?? [])] : [],
    relationshipName: f.relationshipName ?? null,
  };
}

function summary(object: SfObject, version: string) {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return {
    name: object.name,
    label: object.label,
    keyPrefix: object.prefix,
    createable: object.createable,
    updateable: object.updateable,
    deletable: object.deletable,
    queryable: true,
    retrieveable: true,
    custom: false,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

function found(store: SalesforceStore, req: DataRequest): { object: SfObject; row: Row } {
  const object = objectOrThrow(req.param('type'));
  const id = normalizeId(req.param('id'));
  const row = id ? store.get(object.name, id) : undefined;
  if (!row) throw notFound();
  return { object, row };
}

export function sobjectHandlers(ctx: SfContext) {
  const { store } = ctx;
  return [
    dataRoute(ctx, 'get', '/sobjects', (req) =>
      json(store, {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: [...OBJECTS.values()].map((o) => summary(o, req.version)),
      }),
    ),
    dataRoute(ctx, 'get', '/sobjects/:type', (req) => {
      const object = objectOrThrow(req.param('type'));
      return json(store, { objectDescribe: summary(object, req.version), recentItems: [] });
    }),
    dataRoute(ctx, 'get', '/sobjects/:type/describe', (req) => {
      const object = objectOrThrow(req.param('type'));
      return json(store, {
        ...summary(object, req.version),
        fields: Object.keys(object.fields).map((n) => describeField(n, object)),
        childRelationships: [],
      });
    }),
    dataRoute(ctx, 'post', '/sobjects/:type', async (req) => {
      const body = await readJson(req.request);
      if (!isObject(body))
        return apiError(store, 400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
      const id = createRecord(store, req.param('type'), body);
      return json(store, { id, success: true, errors: [] }, 201);
    }),
    dataRoute(ctx, 'get', '/sobjects/:type/:id', (req) => {
      const { object, row } = found(store, req);
      const fields = req.url.searchParams.get('fields');
      return json(
        store,
        restRecord(row, object, req.version, fields ? fieldList(object, fields.split(',')) : undefined),
      );
    }),
    dataRoute(ctx, 'patch', '/sobjects/:type/:id', async (req) => {
      const { object, row } = found(store, req);
      const body = await readJson(req.request);
      if (!isObject(body))
        return apiError(store, 400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
      updateRecord(store, object.name, row.Id, body);
      return noContent(store);
    }),
    dataRoute(ctx, 'delete', '/sobjects/:type/:id', (req) => {
      const object = objectOrThrow(req.param('type'));
      // UNCONFIRMED: real orgs refuse User deletes; the exact answer was not checked. This is the
      // shape Salesforce gives for a method a resource does not allow.
      if (!object.deletable)
        return apiError(
          store,
          405,
          'METHOD_NOT_ALLOWED',
          `HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD${object.updateable ? ',PATCH' : ''}`,
        );
      const { row } = found(store, req);
      deleteRecord(store, row.Id, object.name);
      return noContent(store);
    }),
  ];
}
