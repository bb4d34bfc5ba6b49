/**
 * Splits long Markdown into bodies that each fit one GitHub comment (65,536 characters), without
 * ever leaving a code fence or a `<details>` block open across a cut: at a cut they are closed,
 * and the next part reopens them (a table's header row is repeated too), so every part renders
 * on its own. Cuts prefer block boundaries (blank lines, list items, headings) over mid-block.
 */

/** Below this, closing and reopening the blocks alone could fill a part. */
const MIN_LIMIT = 200;
/** How far back (as a share of the limit) a cut may move to land on a block boundary. */
const BACK_OFF_SHARE = 0.2;

interface OpenFence {
  indent: string;
  marker: string;
  opening: string;
}

/** The Markdown context after a line: open `<details>` (outermost first), fence, table header. */
interface BlockState {
  details: readonly string[];
  fence: OpenFence | null;
  table: readonly string[];
}

interface Entry {
  line: string;
  after: BlockState;
}

const EMPTY: BlockState = { details: [], fence: null, table: [] };

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const DETAILS_TAG = /<(\/?)details\b[^>]*>/gi;
const TABLE_ROW = /^\s*\|/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

function closesFence(line: string, fence: OpenFence): boolean {
  const m = FENCE_OPEN.exec(line);
  if (!m || m[3]?.trim() !== '') return false;
  const marker = m[2] ?? '';
  return marker[0] === fence.marker[0] && marker.length >= fence.marker.length;
}

function openedFence(line: string): OpenFence | null {
  const m = FENCE_OPEN.exec(line);
  if (!m) return null;
  const marker = m[2] ?? '';
  // CommonMark: a backtick fence's info string may not contain backticks (that is inline code).
  if (marker.startsWith('`') && (m[3] ?? '').includes('`')) return null;
  return { indent: m[1] ?? '', marker, opening: line };
}

function nextDetails(line: string, details: readonly string[]): readonly string[] {
  const stack = [...details];
  for (const m of line.matchAll(DETAILS_TAG)) {
    if (m[1] === '/') stack.pop();
    else stack.push(line.slice(m.index));
  }
  return stack;
}

/** Only the header and delimiter rows are kept: that is what a continued table needs. */
function nextTable(line: string, table: readonly string[]): readonly string[] {
  if (!TABLE_ROW.test(line)) return [];
  if (table.length === 0) return [line];
  if (table.length === 1) return TABLE_DELIMITER.test(line) ? [table[0] ?? '', line] : [line];
  return table;
}

function advance(state: BlockState, line: string): BlockState {
  if (state.fence) return closesFence(line, state.fence) ? { ...state, fence: null } : state;
  const fence = openedFence(line);
  if (fence) return { ...state, fence, table: [] };
  return { details: nextDetails(line, state.details), fence: null, table: nextTable(line, state.table) };
}

function closingLines(state: BlockState): string[] {
  const fence = state.fence ? [`${state.fence.indent}${state.fence.marker}`] : [];
  return [...fence, ...state.details.flatMap(() => ['', '</details>'])];
}

const continued = (opening: string): string => opening.replace(/<\/summary>/i, ' (continued)</summary>');

function reopeningLines(state: BlockState): string[] {
  const details = state.details.flatMap((d) => [continued(d), '']);
  if (state.fence) return [...details, state.fence.opening];
  return state.table.length === 2 ? [...details, ...state.table] : details;
}

/** Counts a newline per line, one more than the join needs: a harmless margin. */
const size = (lines: readonly string[]): number => lines.reduce((n, l) => n + l.length + 1, 0);

/** A line longer than half a part is cut into pieces (it can only be data, never structure). */
function chunkLongLines(lines: readonly string[], max: number): string[] {
  return lines.flatMap((line) => {
    if (line.length <= max) return [line];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += max) pieces.push(line.slice(i, i + max));
    return pieces;
  });
}

function isBoundary(prev: Entry, next: string): boolean {
  if (prev.after.fence || prev.line.trim() === '') return true;
  if (prev.after.table.length === 2 && TABLE_ROW.test(next)) return true;
  return /^(- |#{1,6} |<\/?details|> )/.test(next);
}

/** The index to cut after: the last block boundary within the back-off window, else the end. */
function cutIndex(entries: readonly Entry[], next: string, window: number): number {
  let spared = 0;
  for (let k = entries.length - 1; k > 0 && spared <= window; k -= 1) {
    const entry = entries[k] as Entry;
    if (isBoundary(entry, k + 1 < entries.length ? (entries[k + 1] as Entry).line : next)) return k;
    spared += entry.line.length + 1;
  }
  return entries.length - 1;
}

interface Part {
  start: BlockState;
  entries: Entry[];
}

const partLines = (part: Part): string[] => {
  const last = part.entries.at(-1)?.after ?? part.start;
  return [...reopeningLines(part.start), ...part.entries.map((e) => e.line), ...closingLines(last)];
};

function cutParts(lines: readonly string[], budget: number): string[][] {
  const parts: Part[] = [];
  let current: Part = { start: EMPTY, entries: [] };
  let state = EMPTY;
  for (const line of lines) {
    const after = advance(state, line);
    const used = size(reopeningLines(current.start)) + size(current.entries.map((e) => e.line));
    if (current.entries.length > 0 && used + line.length + 1 + size(closingLines(after)) > budget) {
      const k = cutIndex(current.entries, line, budget * BACK_OFF_SHARE);
      const carried = current.entries.slice(k + 1);
      parts.push({ start: current.start, entries: current.entries.slice(0, k + 1) });
      current = { start: (current.entries[k] as Entry).after, entries: carried };
    }
    current.entries.push({ line, after });
    state = after;
  }
  parts.push(current);
  return parts.map(partLines);
}

const marker = (i: number, n: number): string => `_(part ${i} of ${n})_`;

export function splitMarkdown(text: string, limit = 65000): string[] {
  if (text.length <= limit) return [text];
  if (limit < MIN_LIMIT) throw new RangeError(`splitMarkdown: limit ${limit} is below ${MIN_LIMIT}`);
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = chunkLongLines(body.split('\n'), Math.floor(limit / 2));
  // The marker's length depends on the part count; retry with a wider reserve in the rare case
  // that the count gains a digit.
  for (let digits = 1; ; digits += 1) {
    const reserve = marker(10 ** digits, 10 ** digits).length + 3;
    const parts = cutParts(lines, limit - reserve);
    if (String(parts.length).length <= digits) {
      return parts.map((p, i) => `${marker(i + 1, parts.length)}\n\n${p.join('\n')}\n`);
    }
  }
}
