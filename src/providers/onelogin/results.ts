import type { Change, ChangeResult } from '../../model/change.js';

/** ChangeResult builders: one line per message, and every failure says why. */

export const applied = (
  change: Change,
  extra: Omit<ChangeResult, 'changeId' | 'status'> = {},
): ChangeResult => ({
  changeId: change.id,
  status: 'applied',
  ...extra,
});

export function failed(change: Change, reason: unknown): ChangeResult {
  const text = reason instanceof Error ? reason.message : String(reason);
  return { changeId: change.id, status: 'failed', message: text.replace(/\s+/g, ' ').trim() };
}

export const skipped = (change: Change, message: string): ChangeResult => ({
  changeId: change.id,
  status: 'skipped',
  message,
});
