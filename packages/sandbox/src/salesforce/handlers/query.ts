import { makeId } from '../ids.js';
import { RequestError } from '../errors.js';
import { runSoql } from '../soql/index.js';
import { dataRoute, json, type DataRequest, type SfContext } from './context.js';

/**
 * SOQL over REST: `/query` and `/queryAll`, answered in batches of at most 2000 records (or the
 * `Sforce-Query-Options: batchSize=N` the client asks for, 200..2000), with a query locator per
 * open cursor. jsforce keeps only the locator's last path segment and always asks
 * `/query/<locator>`, so both paths serve any cursor.
 */

interface Cursor {
  records: Record<string, unknown>[];
  totalSize: number;
  batchSize: number;
  kind: 'query' | 'queryAll';
}

// Salesforce keeps a handful of open cursors per user and drops the oldest.
const MAX_OPEN_CURSORS = 50;
const DEFAULT_BATCH = 2000;

function batchSizeOf(request: Request): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(request.headers.get('sforce-query-options') ?? '');
  if (!m) return DEFAULT_BATCH;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

export function queryHandlers(ctx: SfContext) {
  const { store } = ctx;
  const cursors = new Map<string, Cursor>();
  let cursorNo = 0;

  const page = (req: DataRequest, cursorId: string, cursor: Cursor, offset: number) => {
    const end = Math.min(offset + cursor.batchSize, cursor.records.length);
    const done = end >= cursor.records.length;
    const body: Record<string, unknown> = { totalSize: cursor.totalSize, done };
    if (done) cursors.delete(cursorId);
    else body.nextRecordsUrl = `/services/data/v${req.version}/${cursor.kind}/${cursorId}-${end}`;
    body.records = cursor.records.slice(offset, end);
    return json(store, body);
  };

  const run = (kind: Cursor['kind']) => (req: DataRequest) => {
    const q = req.url.searchParams.get('q');
    if (!q) throw new RequestError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = runSoql(q, store, {
      apiVersion: req.version,
      includeDeleted: kind === 'queryAll',
      now: store.now,
    });
    if (result.isCount) return json(store, { totalSize: result.totalSize, done: true, records: [] });
    const cursorId = makeId('01g', store.pod, ++cursorNo);
    const cursor: Cursor = {
      records: result.records,
      totalSize: result.totalSize,
      batchSize: batchSizeOf(req.request),
      kind,
    };
    if (cursor.records.length > cursor.batchSize) {
      cursors.set(cursorId, cursor);
      if (cursors.size > MAX_OPEN_CURSORS) cursors.delete(cursors.keys().next().value!);
    }
    return page(req, cursorId, cursor, 0);
  };

  const more = (req: DataRequest) => {
    const m = /^(.+)-(\d+)$/.exec(req.param('locator'));
    const cursor = m ? cursors.get(m[1]!) : undefined;
    const offset = m ? Number(m[2]) : NaN;
    if (!m || !cursor || offset <= 0 || offset >= cursor.records.length)
      throw new RequestError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(req, m[1]!, cursor, offset);
  };

  return [
    dataRoute(ctx, 'get', '/query', run('query')),
    dataRoute(ctx, 'get', '/queryAll', run('queryAll')),
    dataRoute(ctx, 'get', '/query/:locator', more),
    dataRoute(ctx, 'get', '/queryAll/:locator', more),
  ];
}
