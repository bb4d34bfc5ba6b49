import { open, readFile, rename, rm } from 'node:fs/promises';
import { SandboxError } from './sandbox-error.js';

/**
 * `accord sandbox --data FILE`: the tenants' state on disk, so a sandbox survives restarts. This
 * module knows only the file format; the stores turn themselves into the JSON sections.
 */

export const DATA_FORMAT_VERSION = 1;

export interface SandboxDataFile {
  formatVersion: typeof DATA_FORMAT_VERSION;
  /** What the tenants were first seeded with; kept so the demo company can be described again. */
  seed: number;
  people: number;
  okta: unknown;
  onelogin: unknown;
  salesforce: Record<string, unknown>;
}

/** Reads a data file; undefined when it doesn't exist yet (the sandbox then seeds and creates it). */
export async function readDataFile(file: string): Promise<SandboxDataFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SandboxError(`cannot read sandbox data file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SandboxError(
      `sandbox data file ${file} is not valid JSON: ${(error as Error).message}`,
      'delete it (or pass another --data FILE) to seed a fresh sandbox',
    );
  }
  const d = data as Partial<SandboxDataFile> | null;
  if (!d || typeof d !== 'object' || d.formatVersion !== DATA_FORMAT_VERSION) {
    throw new SandboxError(
      `sandbox data file ${file} has format version ${String(d?.formatVersion)}, expected ${DATA_FORMAT_VERSION}`,
      'delete it (or pass another --data FILE) to seed a fresh sandbox',
    );
  }
  if (
    typeof d.seed !== 'number' ||
    typeof d.people !== 'number' ||
    !d.okta ||
    !d.onelogin ||
    !d.salesforce ||
    typeof d.salesforce !== 'object'
  ) {
    throw new SandboxError(
      `sandbox data file ${file} lacks seed, people, okta, onelogin or salesforce`,
      'delete it (or pass another --data FILE) to seed a fresh sandbox',
    );
  }
  return d as SandboxDataFile;
}

let tempCounter = 0;

/**
 * Writes the file atomically (temp file in the same directory, fsync, rename), so a crash or a
 * second signal mid-write leaves the previous version intact.
 */
export async function writeDataFile(file: string, data: SandboxDataFile): Promise<void> {
  // Each section is stringified on its own: one string for a 100k-people sandbox could get near
  // V8's maximum string length. All of them are built before the first await, so the file is one
  // consistent moment of the tenants even while requests keep arriving.
  const parts = [
    `{"formatVersion":${DATA_FORMAT_VERSION},"seed":${JSON.stringify(data.seed)},"people":${JSON.stringify(data.people)},\n"okta":`,
    JSON.stringify(data.okta),
    ',\n"onelogin":',
    JSON.stringify(data.onelogin),
    ',\n"salesforce":{',
    ...Object.entries(data.salesforce).flatMap(([org, value], i) => [
      `${i ? ',\n' : '\n'}${JSON.stringify(org)}:`,
      JSON.stringify(value),
    ]),
    '}}\n',
  ];
  const temp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  const handle = await open(temp, 'w');
  try {
    for (const part of parts) await handle.write(part);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, file);
}

/**
 * Saves after writes, at most about once per `debounceMs` and one save at a time; `flush()` saves
 * now (on close and on signals).
 */
export class DataFilePersister {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastSaveMs = 0;
  readonly debounceMs: number;

  constructor(
    readonly file: string,
    private readonly snapshot: () => SandboxDataFile,
    private readonly options: { debounceMs?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.debounceMs = options.debounceMs ?? 1000;
  }

  /**
   * Notes that the tenants changed; a save follows within about `debounceMs`, or twice the last
   * save's duration if that is longer: a 100k-people sandbox takes seconds to serialize, which
   * blocks requests, so saving must not take most of the time under steady writes.
   */
  schedule(): void {
    if (this.timer) return;
    const delay = Math.max(this.debounceMs, 2 * this.lastSaveMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Nobody awaits a background save, so its failure goes to onError instead of rejecting.
      this.flush().catch((error: unknown) => this.options.onError?.(error));
    }, delay);
    // A pending save must not keep a test or script alive; close() flushes explicitly.
    this.timer.unref();
  }

  /** Saves now, after any save in progress. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const save = this.chain.then(async () => {
      const started = Date.now();
      await writeDataFile(this.file, this.snapshot());
      this.lastSaveMs = Date.now() - started;
    });
    this.chain = save.catch(() => undefined);
    return save;
  }
}
