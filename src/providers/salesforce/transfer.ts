import { isAccordError } from '../../errors.js';
import type { Change } from '../../model/change.js';
import { describeError } from './errors.js';
import { saveInChunks, type Outcome } from './collections.js';
import { quote } from './soql.js';
import { accountIds, type Outcomes, type Writer } from './users.js';

/**
 * Moves a leaver's open records of one object to a new owner (UC-07): one query for the records,
 * then OwnerId updates, 200 per call, or one Bulk API 2.0 job above the threshold.
 */

/** What "open" means per object; Accounts and Contacts have no closed state. */
export const OPEN_RECORDS: Readonly<Record<string, string>> = {
  Account: '',
  Contact: '',
  Lead: ' AND IsConverted = false',
  Opportunity: ' AND IsClosed = false',
  Case: ' AND IsClosed = false',
};

export const DEFAULT_BULK_THRESHOLD = 2000;

/** Calls one Bulk API 2.0 load makes: create, upload, close, poll, three result reads. */
const BULK_CALLS = 7;

export interface TransferOptions {
  bulkThreshold: number;
  bulkPollIntervalMs: number;
  bulkPollTimeoutMs: number;
}

export interface TransferResult {
  outcome: Outcome;
  detail: Record<string, unknown>;
}

type Recipient = { user: string } | { queue: string };

function recipientOf(after: unknown): Recipient | undefined {
  const to = (after as { to?: unknown } | null | undefined)?.to as Record<string, unknown> | undefined;
  if (typeof to?.user === 'string') return { user: to.user };
  if (typeof to?.queue === 'string') return { queue: to.queue };
  return undefined;
}

const failed = (message: string, detail: Record<string, unknown>): TransferResult => ({
  outcome: { status: 'failed', message },
  detail,
});

export async function transferRecords(
  writer: Writer,
  change: Change,
  options: TransferOptions,
): Promise<TransferResult> {
  const { session, catalogue } = writer;
  const object = change.target?.name ?? '';
  const detail: Record<string, unknown> = { object };
  const filter = OPEN_RECORDS[object];
  if (filter === undefined)
    return failed(
      `cannot transfer ${object || 'records'}: accord moves ${Object.keys(OPEN_RECORDS).join(', ')}`,
      detail,
    );
  const to = recipientOf(change.after);
  if (!to) return failed('a transfer needs after.to = { user } or { queue }', detail);
  detail.to = to;

  const owner =
    'user' in to
      ? catalogue.userId(await catalogue.userIds([to.user]), to.user)
      : await catalogue.id('Queue', to.queue);
  if (!owner)
    return failed(
      `${'user' in to ? `user ${to.user}` : `queue ${to.queue}`} not found in ${session.platform}`,
      detail,
    );
  const missing: Outcomes = new Map();
  const leaver = (await accountIds(writer, [change], missing)).get(change);
  if (!leaver) return { outcome: missing.get(change)!, detail };

  const records = await session.query(`SELECT Id FROM ${object} WHERE OwnerId = ${quote(leaver)}${filter}`, {
    phase: `${object} of ${change.account.key}`,
  });
  detail.total = records.length;
  if (records.length === 0) return { outcome: { status: 'applied' }, detail: { ...detail, moved: 0 } };
  const updates = records.map((r) => ({ Id: String(r.Id), OwnerId: owner }));

  let moved = 0;
  const errors: string[] = [];
  if (records.length > options.bulkThreshold) {
    detail.via = 'bulk';
    try {
      // Setting OwnerId is idempotent, so running the whole job again after a failure is safe.
      const results = await session.run(BULK_CALLS, () =>
        session.conn.bulk2.loadAndWaitForResults({
          object,
          operation: 'update',
          input: updates,
          pollInterval: options.bulkPollIntervalMs,
          pollTimeout: options.bulkPollTimeoutMs,
        }),
      );
      moved = results.successfulResults.length;
      for (const f of results.failedResults) errors.push(String(f.sf__Error ?? 'failed'));
      if (results.unprocessedRecords.length > 0)
        errors.push(`${results.unprocessedRecords.length} records not processed`);
    } catch (error) {
      if (isAccordError(error)) throw error;
      errors.push(describeError(error, session.context.secrets));
    }
  } else {
    detail.via = 'collections';
    const saved = await saveInChunks(session, {
      operation: 'update',
      sobject: object,
      items: updates.map((record) => ({ key: record.Id, record })),
      signal: writer.signal,
    });
    for (const outcome of saved.values()) {
      if (outcome.status === 'applied') moved++;
      else errors.push(outcome.message);
    }
  }
  detail.moved = moved;
  if (errors.length === 0) return { outcome: { status: 'applied' }, detail };
  detail.failed = records.length - moved;
  return failed(`moved ${moved} of ${records.length} ${object} records; ${errors[0]}`, detail);
}
