import { actionOf } from '../model/actions.js';
import type { Change, ChangeKind } from '../model/change.js';

/**
 * The order of a plan is stated once, in the action table (model/actions.ts): explicit
 * `dependsOn` edges first, then the action's rank, then the address. Creating a managed group
 * ranks before every account change, since memberships need the group.
 */
const rankOf = (c: Change) => (c.kind === ('group' satisfies ChangeKind) ? 0 : actionOf(c.action).rank);

/**
 * The indices of `changes` in tie-break order: rank, then address, then action. The keys are read
 * into arrays first because changes come in many shapes, and property reads inside a comparator
 * called millions of times were most of the cost.
 */
function tieBreakOrder(changes: readonly Change[]): number[] {
  const rank = changes.map(rankOf);
  const address = changes.map((c) => c.address);
  const action = changes.map((c) => c.action);
  return changes
    .map((_, i) => i)
    .sort(
      (a, b) =>
        rank[a]! - rank[b]! ||
        (address[a]! < address[b]! ? -1 : address[a]! > address[b]! ? 1 : 0) ||
        (action[a]! < action[b]! ? -1 : 1),
    );
}

export class ChangeCycleError extends Error {
  constructor(readonly addresses: string[]) {
    super(
      `internal error: the changes of this plan depend on each other in a cycle: ${addresses.join(' -> ')}`,
    );
  }
}

/**
 * Topological order (Kahn's algorithm with the tie-break above). A cycle is an internal error naming
 * the changes. The tie-break is a total order, so the changes are sorted by it once and the ready
 * set holds each change's position in that order: at 150k changes, comparing long addresses
 * inside the heap dominated.
 */
export function orderChanges(changes: readonly Change[]): Change[] {
  const n = changes.length;
  // Only changes that something depends on are looked up by id; most (updates, grants) are not.
  const referenced = new Set<string>();
  for (const c of changes) for (const d of c.dependsOn) referenced.add(d);
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n && referenced.size > 0; i++)
    if (referenced.has(changes[i]!.id)) indexOf.set(changes[i]!.id, i);
  const sorted = tieBreakOrder(changes);
  const ordinal = new Int32Array(n);
  for (let k = 0; k < n; k++) ordinal[sorted[k]!] = k;

  const { waiting, dependents, start } = dependencyGraph(changes, indexOf);
  const ready = new IntHeap(n);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(ordinal[i]!);
  const out: Change[] = [];
  while (ready.size > 0) {
    const next = sorted[ready.pop()]!;
    out.push(changes[next]!);
    for (let e = start[next]!; e < start[next + 1]!; e++) {
      const dependent = dependents[e]!;
      if (--waiting[dependent]! === 0) ready.push(ordinal[dependent]!);
    }
  }
  if (out.length !== n) {
    const stuck = changes.filter((_, i) => waiting[i]! > 0);
    throw new ChangeCycleError(findCycle(stuck, new Map(changes.map((c) => [c.id, c]))));
  }
  return out;
}

/**
 * The dependency edges as arrays over change indices: how many changes each one waits for, and
 * its dependents at `dependents[start[i]]` up to `dependents[start[i + 1]]`. Ids outside the plan
 * (dropped by a target or a guard rail) are not waited for.
 */
function dependencyGraph(changes: readonly Change[], indexOf: Map<string, number>) {
  const n = changes.length;
  const waiting = new Int32Array(n);
  const start = new Int32Array(n + 1);
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const d of changes[i]!.dependsOn) {
      const j = indexOf.get(d);
      if (j === undefined) continue;
      waiting[i]!++;
      start[j + 1]!++;
      from.push(j);
      to.push(i);
    }
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const dependents = new Int32Array(from.length);
  const fill = start.slice(0, n);
  for (let e = 0; e < from.length; e++) dependents[fill[from[e]!]!++] = to[e]!;
  return { waiting, dependents, start };
}

function findCycle(stuck: Change[], byId: Map<string, Change>): string[] {
  const onPath: string[] = [];
  const seen = new Set<string>();
  const visit = (c: Change): string[] | undefined => {
    const at = onPath.indexOf(c.id);
    if (at >= 0)
      return [...onPath.slice(at), c.id].map((id) => `${byId.get(id)!.action} ${byId.get(id)!.address}`);
    if (seen.has(c.id)) return undefined;
    seen.add(c.id);
    onPath.push(c.id);
    for (const d of c.dependsOn) {
      const dep = byId.get(d);
      const found = dep && visit(dep);
      if (found) return found;
    }
    onPath.pop();
    return undefined;
  };
  for (const c of stuck) {
    const found = visit(c);
    if (found) return found;
  }
  return stuck.map((c) => `${c.action} ${c.address}`);
}

/** A binary min-heap of integers: the ready set of the sort, O(log n) per change. */
class IntHeap {
  private readonly items: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
  }

  push(item: number): void {
    const a = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= item) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = item;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a[--this.size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const m = l + 1 < this.size && a[l + 1]! < a[l]! ? l + 1 : l;
      if (a[m]! >= last) break;
      a[i] = a[m]!;
      i = m;
    }
    a[i] = last;
    return top;
  }
}
