import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { Change } from './change.js';

/**
 * Content ids: what makes a saved plan applicable exactly as reviewed (issue 15). The planner
 * gives each change its content id (plan/make-change.ts `contentAddress`); apply checks a saved
 * plan against them and runs only saved changes a fresh plan holds with the same content.
 */

/** A change's place in a plan: what it does to what. Two plans agree on it across content edits. */
export const changeKey = (change: Change): string => `${change.action} ${change.address}`;

/** Each change's key by id: how a content id names the changes it waits for. */
export const changeKeys = (changes: readonly Change[]): Map<string, string> =>
  new Map(changes.map((c) => [c.id, changeKey(c)]));

/** The digest a plan carries of its changes: their content ids, in order. */
export const changesDigest = (changes: readonly Change[]): string =>
  hash('sha256', changes.map((c) => c.id).join('\n'));

/**
 * The content id a change should have: the check a saved plan's every change must pass. The
 * changes it waits for count by key (what they do to what), not by their own content ids, so a
 * dependency that went stale leaves its dependents' ids alone: they are skipped, not re-planned.
 */
export function contentId(change: Change, keys: ReadonlyMap<string, string>): string {
  const { account, target, reason } = change;
  const waitsFor = change.dependsOn.map((id) => keys.get(id) ?? id).sort();
  // Every field apply acts on, in a fixed order (a list, so no key order to canonicalise); only
  // the free-form values need canonical JSON. The patch is left out: it is derived from before
  // and after, and a saved plan's patch is checked against them (plan-file.ts).
  const fixed = JSON.stringify([
    change.address,
    change.platform,
    change.kind,
    change.action,
    account.key,
    account.id ?? null,
    target?.name ?? null,
    target?.id ?? null,
    reason.rule ?? null,
    reason.source,
    change.person ?? null,
    waitsFor,
  ]);
  return hash(
    'sha256',
    `${fixed}\n${canonicalJson(change.before ?? null)}\n${canonicalJson(change.after ?? null)}`,
  ).slice(0, 16);
}
