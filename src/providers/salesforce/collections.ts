import type { SaveResult } from 'jsforce';
import { isAccordError } from '../../errors.js';
import { chunk } from '../http/chunk.js';
import { describeError, describeSaveErrors, saveErrorCodes } from './errors.js';
import type { Session } from './session.js';

/**
 * Writes through sObject Collections, 200 records per call, with each record's SaveResult kept
 * with the item it came from. jsforce never retries a POST or PATCH, so each chunk runs inside
 * withRetry; before a create is sent again, `verify` finds the records the lost attempt may
 * already have made, and only the rest are sent. Updates set absolute values, so sending one
 * again changes nothing and needs no check.
 */

export const COLLECTION_SIZE = 200;

export type Outcome =
  | { status: 'applied'; id?: string; note?: string }
  | { status: 'failed'; message: string; codes?: string[] }
  | { status: 'skipped'; message: string };

export interface SaveItem<K> {
  key: K;
  record: Record<string, unknown>;
}

export interface SaveOptions<K> {
  /** `upsert` keys on `externalIdField` (PATCH composite/sobjects/{sobject}/{field}); sending it again changes nothing. */
  operation: 'create' | 'update' | 'upsert';
  sobject: string;
  externalIdField?: string;
  items: readonly SaveItem<K>[];
  /** For creates: the ids of pending items that already exist, asked before a retry re-sends. */
  verify?: (pending: SaveItem<K>[]) => Promise<Map<SaveItem<K>, string>>;
  signal?: AbortSignal;
}

export const fail = (message: string): Outcome => ({ status: 'failed', message });

export const ABORTED: Outcome = { status: 'skipped', message: 'not started: the apply was aborted' };

function outcomeOf(result: SaveResult | undefined): Outcome {
  if (!result) return { status: 'failed', message: 'Salesforce returned no result for this record' };
  if (result.success) return { status: 'applied', id: result.id };
  return {
    status: 'failed',
    message: describeSaveErrors(result.errors),
    codes: saveErrorCodes(result.errors),
  };
}

export async function saveInChunks<K>(
  session: Session,
  options: SaveOptions<K>,
): Promise<Map<SaveItem<K>, Outcome>> {
  const outcomes = new Map<SaveItem<K>, Outcome>();
  const api = session.conn.sobject(options.sobject);
  for (const part of chunk(options.items, COLLECTION_SIZE)) {
    if (options.signal?.aborted) {
      for (const item of part) outcomes.set(item, ABORTED);
      continue;
    }
    try {
      await session.run(1, async (attempt) => {
        let pending = part.filter((item) => !outcomes.has(item));
        if (attempt > 1 && options.verify && options.operation === 'create') {
          const landed = await options.verify(pending);
          for (const [item, id] of landed)
            outcomes.set(item, { status: 'applied', id, note: 'found after a retry' });
          pending = pending.filter((item) => !landed.has(item));
        }
        if (pending.length === 0) return;
        const records = pending.map((item) => item.record);
        const results: SaveResult[] =
          options.operation === 'create'
            ? await api.create(records, { allOrNone: false })
            : options.operation === 'upsert'
              ? await api.upsert(records, options.externalIdField!, { allOrNone: false })
              : await api.update(records as ({ Id: string } & Record<string, unknown>)[], {
                  allOrNone: false,
                });
        pending.forEach((item, i) => outcomes.set(item, outcomeOf(results[i])));
      });
    } catch (error) {
      // run() has thrown run-stopping errors as AccordErrors already; what is left is this chunk's.
      if (isAccordError(error)) throw error;
      const message = describeError(error, session.context.secrets);
      for (const item of part) if (!outcomes.has(item)) outcomes.set(item, { status: 'failed', message });
    }
  }
  return outcomes;
}

/** Deletes by id, 200 per call (jsforce retries DELETE itself; a record already gone counts as removed). */
export async function deleteInChunks<K>(
  session: Session,
  sobject: string,
  items: readonly { key: K; id: string }[],
  signal?: AbortSignal,
): Promise<Map<K, Outcome>> {
  const outcomes = new Map<K, Outcome>();
  for (const part of chunk(items, COLLECTION_SIZE)) {
    if (signal?.aborted) {
      for (const item of part) outcomes.set(item.key, ABORTED);
      continue;
    }
    try {
      const results = await session.run(1, () =>
        session.conn.destroy(
          sobject,
          part.map((item) => item.id),
          { allOrNone: false },
        ),
      );
      part.forEach((item, i) => {
        const result = results[i];
        const gone = result && !result.success && saveErrorCodes(result.errors).includes('ENTITY_IS_DELETED');
        outcomes.set(item.key, gone ? { status: 'applied', note: 'already removed' } : outcomeOf(result));
      });
    } catch (error) {
      if (isAccordError(error)) throw error;
      const message = describeError(error, session.context.secrets);
      for (const item of part) outcomes.set(item.key, { status: 'failed', message });
    }
  }
  return outcomes;
}
