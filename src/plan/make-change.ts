import { hash } from 'node:crypto';
import { changeKey, contentId } from '../model/change-id.js';
import type { Change } from '../model/change.js';

/**
 * The id a change has while its plan is built, for `dependsOn` edges between changes: the same
 * address and action give the same one. `contentAddress` replaces it once the plan is ordered.
 */
const provisionalId = (address: string, action: string): string =>
  hash('sha256', `${action} ${address}`).slice(0, 16);

/**
 * Content addresses (issue 15): each change's id becomes the sha256 of everything apply will do
 * with it (address, action, account, target, values, the patch with its preconditions, reason,
 * person, and which changes it waits for), so an edited saved change matches no fresh one and is
 * never applied. The changes come in topological order, so every dependency has its final id
 * before its dependents are hashed.
 */
export function contentAddress(changes: readonly Change[]): void {
  const renamed = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const change of changes) {
    if (change.dependsOn.length > 0)
      change.dependsOn = change.dependsOn.map((id) => renamed.get(id) ?? id).sort();
    const id = contentId(change, keys);
    renamed.set(change.id, id);
    keys.set(id, changeKey(change));
    change.id = id;
  }
}

export type ChangeInput = Omit<Change, 'id' | 'dependsOn'> & { dependsOn?: string[] };

export function makeChange(input: ChangeInput): Change {
  // Keys are added in the plan's key order; conditional spreads in a literal would send each of
  // the 150k changes of a large plan down the slow path of object creation.
  const change = {
    id: provisionalId(input.address, input.action),
    address: input.address,
    platform: input.platform,
    kind: input.kind,
    action: input.action,
    account: input.account,
  } as Change;
  if (input.target) change.target = input.target;
  change.before = input.before ?? null;
  change.after = input.after ?? null;
  change.dependsOn = uniqueSorted(input.dependsOn ?? []);
  change.reason = input.reason;
  if (input.person) change.person = input.person;
  return change;
}

// Most changes depend on nothing or on one change: no set to build, nothing to sort.
const uniqueSorted = (ids: readonly string[]): string[] =>
  ids.length < 2 ? [...ids] : [...new Set(ids)].sort();
