/**
 * A set of ids kept in code-unit order, the stable order every list endpoint pages in. Adds append
 * and mark the list unsorted; the next read re-sorts, which TimSort does in near-linear time for a
 * sorted run plus a few appended ids. So bulk loads cost one sort, not one splice per id.
 */
export class SortedIds {
  private ids: string[];
  private readonly present: Set<string>;
  private sorted: boolean;

  constructor(ids: Iterable<string> = []) {
    this.present = new Set(ids);
    this.ids = [...this.present];
    this.sorted = false;
  }

  get size(): number {
    return this.present.size;
  }

  has(id: string): boolean {
    return this.present.has(id);
  }

  /** Returns false when the id was already there. */
  add(id: string): boolean {
    if (this.present.has(id)) return false;
    this.present.add(id);
    this.ids.push(id);
    this.sorted = false;
    return true;
  }

  delete(id: string): boolean {
    if (!this.present.delete(id)) return false;
    const list = this.list();
    const at = lowerBound(list, id);
    list.splice(at, 1);
    return true;
  }

  /** All ids in order. The array is shared: don't mutate it. */
  list(): readonly string[] & string[] {
    if (!this.sorted) {
      // No comparator: the default string order is code-unit order, and much faster than a function.
      this.ids.sort();
      this.sorted = true;
    }
    return this.ids;
  }

  /** Index of the first id after `cursor` (all of them when there is no cursor). */
  indexAfter(cursor: string | undefined): number {
    const list = this.list();
    if (cursor === undefined) return 0;
    const at = lowerBound(list, cursor);
    return list[at] === cursor ? at + 1 : at;
  }
}

function lowerBound(list: readonly string[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
