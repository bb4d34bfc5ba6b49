import type { Change, ChangeAction, ChangeKind } from '../model/change.js';

/**
 * The order of a plan, stated once. Explicit `dependsOn` edges come first (an account before its
 * grants, freeze before transfer before deactivate); among changes free to run, this rank breaks
 * the tie, then the address, so the order is deterministic:
 *   1. groups are created, 2. accounts are created or reactivated, 3. accounts are updated
 *   (profile and license before the grants that need them), 4. access is granted,
 *   5. leavers are frozen, 6. their records move, 7. access is revoked, 8. accounts are suspended
 *   or deactivated.
 */
const RANK: Record<ChangeAction, number> = {
  create: 1,
  activate: 2,
  update: 3,
  grant: 4,
  freeze: 5,
  transfer: 6,
  revoke: 7,
  suspend: 8,
  deactivate: 8,
};
const rankOf = (c: Change) => (c.kind === ('group' satisfies ChangeKind) ? 0 : RANK[c.action]);

const compareChanges = (a: Change, b: Change) =>
  rankOf(a) - rankOf(b) ||
  (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) ||
  (a.action < b.action ? -1 : 1);

export class ChangeCycleError extends Error {
  constructor(readonly addresses: string[]) {
    super(
      `internal error: the changes of this plan depend on each other in a cycle: ${addresses.join(' -> ')}`,
    );
  }
}

/** Topological order (Kahn's algorithm with the tie-break above). A cycle is an internal error naming the changes. */
export function orderChanges(changes: readonly Change[]): Change[] {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const c of changes) {
    const deps = c.dependsOn.filter((d) => byId.has(d));
    waiting.set(c.id, deps.length);
    for (const d of deps) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(c.id);
  }
  const ready = new Heap(compareChanges);
  for (const c of changes) if (waiting.get(c.id) === 0) ready.push(c);
  const out: Change[] = [];
  for (let next = ready.pop(); next; next = ready.pop()) {
    out.push(next);
    for (const id of dependents.get(next.id) ?? []) {
      const left = waiting.get(id)! - 1;
      waiting.set(id, left);
      if (left === 0) ready.push(byId.get(id)!);
    }
  }
  if (out.length !== changes.length) {
    const stuck = changes.filter((c) => (waiting.get(c.id) ?? 0) > 0);
    throw new ChangeCycleError(findCycle(stuck, byId));
  }
  return out;
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

/** A binary min-heap: the ready set of the sort, O(log n) per change. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (this.less(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
