/**
 * Appends every item to `target` in place. `target.push(...items)` puts every item on the call
 * stack, and a large list (a 100k-person policy's links, a first run's changes) overflows it.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
