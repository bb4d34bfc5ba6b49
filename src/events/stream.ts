import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AccordError } from '../errors.js';
import { isRecord } from '../model/json.js';
import type { EventPlatform, EventPosition } from '../providers/event-source.js';
import { appendDurably, cutTornTailToLastLine, replaceDurably } from '../state/fsync.js';
import type { NormalizedEvent } from './schema.js';

/**
 * The durable half of `accord events pull` (UC-18): the JSON lines sink and the cursor file, kept
 * so that each event reaches the sink exactly once even when the process is killed at any point.
 *
 * The cursor file (`cursor.json`, replaced atomically) holds each source's position, the sink's
 * length at the last commit, and, while a page is being written, that page (`inflight`). A page
 * goes: cursor with `inflight` → append to the sink (one write, fsync) → cursor with the new
 * position and length, no `inflight`. After a kill:
 * - before the first step: the page was never acknowledged; the source is read from the old
 *   position again;
 * - between the first and the last: the sink's torn last line is cut, and whatever of the
 *   inflight page is not in the sink past the committed length is appended, then committed;
 * - after the last: nothing to do.
 * So the sink never loses an event the cursor moved past, and never holds one twice.
 */

export const CURSOR_VERSION = 1;

interface CursorFile {
  version: typeof CURSOR_VERSION;
  /** The sink's length in bytes when the cursor was last committed. */
  sinkBytes: number;
  /** Counts the sink files: one more each time the sink was rotated (renamed away). */
  generation?: number;
  sources: Partial<Record<EventPlatform, EventPosition>>;
  inflight?: { platform: EventPlatform; position: EventPosition; events: NormalizedEvent[] };
}

/** Where one environment's event files live: beside its state file. */
export interface EventsLayout {
  dir: string;
  cursor: string;
  sink: string;
  /** One `<alert id>.json` per alert: its place in the sink and its burst windows. */
  alerts: string;
}

/** `state/prod.state.json` → `state/prod.events/`; the sink there unless the policy names one. */
export function eventsLayout(statePath: string, sinkPath?: string): EventsLayout {
  const base = statePath.replace(/\.state\.json$/, '').replace(/\.json$/, '');
  const dir = `${base}.events`;
  return {
    dir,
    cursor: join(dir, 'cursor.json'),
    sink: sinkPath ?? join(dir, 'events.jsonl'),
    alerts: join(dir, 'alerts'),
  };
}

async function readCursor(path: string): Promise<CursorFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { version: CURSOR_VERSION, sinkBytes: 0, sources: {} };
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!isRecord(data) || data.version !== CURSOR_VERSION || typeof data.sinkBytes !== 'number')
    throw new AccordError(`the events cursor ${path} is not one accord wrote`, {
      code: 'events.cursor',
      hint: 'restore it from a backup; deleting it pulls again from `events.startHoursAgo` (and may repeat events)',
    });
  return data as unknown as CursorFile;
}

/** The sink's bytes from `from` to its end (what a kill may have left past the commit). */
async function readFrom(path: string, from: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size <= from) return '';
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

export const sinkLine = (e: NormalizedEvent): string => `${JSON.stringify(e)}\n`;

/** The file's size; undefined when there is no file. */
const sizeOf = async (path: string): Promise<number | undefined> => {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

export interface Recovery {
  /** Events of a page the killed run had not finished writing, appended now. */
  appended: number;
  /** Events of that page already in the sink. */
  present: number;
}

export class EventStream {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly layout: EventsLayout,
    private cursor: CursorFile,
    readonly recovered: Recovery | undefined,
  ) {}

  /** Opens the cursor and the sink, finishing a page a killed run left half written. */
  static async open(layout: EventsLayout): Promise<EventStream> {
    const cursor = await readCursor(layout.cursor);
    await mkdir(dirname(layout.sink), { recursive: true });
    const rotated = cursor.sinkBytes > 0 && (await sizeOf(layout.sink)) === undefined;
    // A line the kill cut in half was never acknowledged: it goes before anything else is read.
    await cutTornTailToLastLine(layout.sink);
    const size = (await sizeOf(layout.sink)) ?? 0;
    if (rotated) {
      // Renamed away (rotated): a new file starts, and the alerts start over in it.
      cursor.sinkBytes = 0;
      cursor.generation = (cursor.generation ?? 1) + 1;
    }
    if (size < cursor.sinkBytes)
      throw new AccordError(
        `the events sink ${layout.sink} is shorter than the cursor says (${size} < ${cursor.sinkBytes} bytes)`,
        {
          code: 'events.sink-truncated',
          hint: 'a sink is append-only: rotate it by renaming it away (accord then starts a new file), never by truncating it',
        },
      );
    const stream = new EventStream(layout, cursor, undefined);
    if (!cursor.inflight) {
      if (size > cursor.sinkBytes && cursor.sinkBytes === 0 && Object.keys(cursor.sources).length === 0)
        // A first pull into a sink something else filled: accord's part starts at its end.
        stream.cursor = { ...cursor, sinkBytes: size };
      return stream;
    }
    const { inflight } = cursor;
    const tail = await readFrom(layout.sink, cursor.sinkBytes);
    const present = new Set<string>();
    for (const line of tail.split('\n')) {
      if (!line) continue;
      try {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === 'string') present.add(id);
      } catch {
        // Not an event accord wrote; it is left as it is.
      }
    }
    const missing = inflight.events.filter((e) => !present.has(e.id));
    if (missing.length) await appendDurably(layout.sink, missing.map(sinkLine).join(''));
    await stream.commit(inflight.platform, inflight.position);
    return new EventStream(layout, stream.cursor, {
      appended: missing.length,
      present: inflight.events.length - missing.length,
    });
  }

  position(platform: EventPlatform): EventPosition | undefined {
    return this.cursor.sources[platform];
  }

  /** The sink's committed length: alerts read events up to here. */
  get committedBytes(): number {
    return this.cursor.sinkBytes;
  }

  /** Which sink file this is (1, then one more per rotation): alert places are within one. */
  get generation(): number {
    return this.cursor.generation ?? 1;
  }

  /**
   * Writes a page's events to the sink and moves the platform's position past them, durably
   * and in that order (see the top of this file). Pages of different platforms queue up.
   */
  deliver(platform: EventPlatform, events: NormalizedEvent[], position: EventPosition): Promise<void> {
    const run = this.queue.then(async () => {
      if (events.length === 0) return this.commit(platform, position);
      await this.write({ ...this.cursor, inflight: { platform, position, events } });
      await appendDurably(this.layout.sink, events.map(sinkLine).join(''));
      await this.commit(platform, position);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commit(platform: EventPlatform, position: EventPosition): Promise<void> {
    const { inflight: _, ...rest } = this.cursor;
    await this.write({
      ...rest,
      sources: { ...rest.sources, [platform]: position },
      sinkBytes: (await sizeOf(this.layout.sink)) ?? 0,
      generation: this.generation,
    });
  }

  private async write(next: CursorFile): Promise<void> {
    await replaceDurably(this.layout.cursor, `${JSON.stringify(next)}\n`);
    this.cursor = next;
  }
}
