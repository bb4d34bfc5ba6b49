import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AccordError } from '../errors.js';
import { canonicalJson } from '../model/canonical-json.js';
import { redact } from '../model/redact.js';
import { exclusive } from './exclusive.js';
import { appendDurably, cutTornTail, cutTornTailToLastLine } from './fsync.js';

export { currentActor, currentGitCommit } from './actor.js';

/** One change as the audit log records it (UC-20). */
export interface AuditInput {
  time: string;
  actor: string;
  gitCommit: string | null;
  planHash: string;
  address: string;
  action: string;
  /** The person the change was for; null for what is nobody's (a group accord creates). */
  person: string | null;
  /** The part of the policy behind the change: an access rule's id, `lifecycle.statuses.deleted`, `identity.scope`... */
  rule: string | null;
  /** The fact that caused it: `left: okta DEPROVISIONED`, `okta ACTIVE, matched by sales-reps`. */
  fact: string;
  result: string;
  message?: string;
  /**
   * Set when the change was found in the journal of an apply that was killed after sending it:
   * live state shows it done, and this entry is written by the run that noticed.
   */
  recovered?: true;
  /**
   * Why a person let a run pass guard rails (`apply --allow-large-change` with
   * ACCORD_OVERRIDE_REASON, as the apply workflow's manual run passes it), on each of its changes.
   */
  override?: string;
}

/** A line of the log: the change, its position, and the chain that makes tampering visible. */
export interface AuditEntry extends AuditInput {
  seq: number;
  prev: string;
  hash: string;
  /** HMAC-SHA256 of `hash` under ACCORD_AUDIT_KEY, when the key was set: only its holder can forge a line. */
  mac?: string;
}

export type AuditVerification =
  { ok: true; entries: number; keyed: boolean } | { ok: false; line: number; problem: string };

/** What verification checks beyond the log itself: the key, and the head the state file recorded. */
export interface VerifyOptions {
  key?: string;
  head?: AuditHead;
  /** The state file's lineage and serial, which the head's mac is bound to. */
  stateIdentity?: { lineage: string; serial: number };
}

/** The last entry's seq and hash as state records it (State.audit). */
export interface AuditHead {
  seq: number;
  head: string;
  mac?: string;
}

export const GENESIS = '0'.repeat(64);

export const defaultAuditPath = (environment: string) => `state/${environment}.audit.jsonl`;

/** The audit log kept beside a state file: `x.state.json` → `x.audit.jsonl`, so `--state` moves both. */
export const auditPathFor = (statePath: string) => `${statePath.replace(/\.state\.json$/, '')}.audit.jsonl`;

/**
 * sha256 over the previous hash and the canonical JSON of the entry without `hash`. Canonical
 * (sorted keys, no whitespace) so the hash depends on the content only, not on how a line happens
 * to be spelled; `prev` is inside the hashed content as well, which is what chains the lines.
 */
export function auditHash(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...content } = entry;
  return createHash('sha256').update(entry.prev).update(canonicalJson(content)).digest('hex');
}

/**
 * Appends one line per input, continuing the chain from the last line, with a single fsync'd
 * write. Calls within one process are queued (concurrent batches would both continue from the
 * same last line); other processes are kept out by the state lock that apply holds.
 */
export async function appendAudit(path: string, inputs: AuditInput[], key?: string): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  return exclusive(path, () => appendChained(path, inputs, key));
}

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * The head state records after an apply. Its mac binds the last entry to this state's lineage and
 * serial, so a log cut back to an earlier line cannot borrow that line's own mac as its head.
 */
export function auditHead(
  last: Pick<AuditEntry, 'seq' | 'hash'>,
  state: { lineage: string; serial: number },
  key?: string,
): AuditHead {
  const head = { seq: last.seq, head: last.hash };
  return key ? { ...head, mac: hmac(key, headText(head, state)) } : head;
}

/**
 * State as it is about to be written, with the head of the log it goes with: the last entry just
 * appended, or else the head it already had, bound again to its new serial.
 */
export function withAuditHead<S extends { lineage: string; serial: number; audit?: AuditHead }>(
  state: S,
  last: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  key?: string,
): S {
  const head = last ?? (state.audit ? { seq: state.audit.seq, hash: state.audit.head } : undefined);
  return head ? { ...state, audit: auditHead(head, state, key) } : state;
}

const headText = (head: { seq: number; head: string }, state: { lineage: string; serial: number }) =>
  `${state.lineage}:${state.serial}:${head.seq}:${head.head}`;

async function appendChained(path: string, inputs: AuditInput[], key?: string): Promise<AuditEntry[]> {
  await mkdir(dirname(path), { recursive: true });
  let { seq, prev } = await chainLink(path);
  const entries: AuditEntry[] = [];
  for (const input of inputs) {
    seq += 1;
    const content: Omit<AuditEntry, 'hash'> = { seq, ...pickInput(input), prev };
    const hash = auditHash(content);
    const entry: AuditEntry = { ...content, hash, ...(key ? { mac: hmac(key, hash) } : {}) };
    entries.push(entry);
    prev = entry.hash;
  }
  await appendDurably(path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  return entries;
}

// Fixed field order keeps the lines easy to read and grep; the hash does not depend on it. The
// free text (messages from platforms, facts from their data) is redacted: the log is committed.
function pickInput(input: AuditInput): AuditInput {
  return {
    time: input.time,
    actor: input.actor,
    gitCommit: input.gitCommit,
    planHash: input.planHash,
    address: input.address,
    action: input.action,
    person: input.person,
    rule: input.rule,
    fact: redact(input.fact),
    result: input.result,
    ...(input.message !== undefined ? { message: redact(input.message) } : {}),
    ...(input.recovered ? { recovered: true as const } : {}),
    ...(input.override ? { override: redact(input.override) } : {}),
  };
}

/**
 * `planHash action address` of every change the log records under these plans: a recovering run
 * skips what an interrupted one managed to log before it was killed, so nothing is logged twice.
 */
export async function loggedInLog(path: string, planHashes: ReadonlySet<string>): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
  const logged = new Set<string>();
  for (const line of text.split('\n')) {
    const entry = parse(line) as Partial<AuditEntry> | undefined;
    if (entry && planHashes.has(entry.planHash ?? ''))
      logged.add(`${entry.planHash} ${entry.action} ${entry.address}`);
  }
  return logged;
}

/**
 * The link the log's next line continues from, after cutting a torn tail. Only the end of the log
 * is read; a log ending in blank lines is read whole to find its last entry.
 */
async function chainLink(path: string): Promise<{ seq: number; prev: string }> {
  const tail = await cutTornTailToLastLine(path);
  return lastLink(path, tail.trim() !== '' ? tail : await cutTornTail(path));
}

/** The log's last entry as state's head records it; undefined for an empty or missing log. */
export async function lastAuditEntry(path: string): Promise<{ seq: number; hash: string } | undefined> {
  const { seq, prev } = await chainLink(path);
  return seq === 0 ? undefined : { seq, hash: prev };
}

/** The chain link to continue from: the last entry of `text` (none: the chain starts at genesis). */
function lastLink(path: string, text: string): { seq: number; prev: string } {
  const last = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .at(-1);
  if (last === undefined) return { seq: 0, prev: GENESIS };
  const problem = checkEntry(parse(last));
  if (typeof problem === 'string')
    // Continuing a chain from a damaged line would bless the damage with a valid hash after it.
    throw new AccordError(`audit log ${path} is damaged at its last line: ${problem}`, {
      code: 'audit.damaged',
      hint: 'run `accord audit verify`, and restore the log from git history',
    });
  return { seq: problem.seq, prev: problem.hash };
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const STRING_FIELDS = ['time', 'actor', 'planHash', 'address', 'action', 'result', 'prev', 'hash'] as const;

/** The entry if its shape and own hash are right, else what is wrong with it. */
function checkEntry(value: unknown): AuditEntry | string {
  if (value === undefined) return 'not valid JSON';
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  if (!Number.isSafeInteger(entry.seq)) return 'seq is missing or not an integer';
  for (const field of STRING_FIELDS)
    if (typeof entry[field] !== 'string') return `${field} is missing or not a string`;
  for (const field of ['gitCommit', 'rule'] as const)
    if (entry[field] !== null && typeof entry[field] !== 'string') return `${field} must be a string or null`;
  if (entry.message !== undefined && typeof entry.message !== 'string') return 'message must be a string';
  // Entries written before person and fact were recorded have neither; the hash covers what is there.
  if (entry.person !== undefined && entry.person !== null && typeof entry.person !== 'string')
    return 'person must be a string or null';
  if (entry.fact !== undefined && typeof entry.fact !== 'string') return 'fact must be a string';
  if (entry.recovered !== undefined && entry.recovered !== true) return 'recovered must be true when present';
  if (entry.mac !== undefined && (typeof entry.mac !== 'string' || !/^[0-9a-f]{64}$/.test(entry.mac)))
    return 'mac must be 64 hex characters';
  const { mac, ...unmacced } = entry as unknown as AuditEntry;
  if (auditHash(unmacced) !== unmacced.hash) return 'hash does not match the content (the line was edited)';
  return { ...unmacced, ...(mac !== undefined ? { mac } : {}) };
}

/**
 * Walks the chain from the first line. An edited line fails its own hash; a removed line leaves a
 * gap in seq and a prev that points at nothing; swapped lines break seq order; a cut or mangled
 * line is not JSON. Each is reported at the first line where the chain stops holding.
 * Lines removed from the end are caught against the head the state file recorded; a log rewritten
 * whole, hashes and all, only against ACCORD_AUDIT_KEY: without the key, each line's mac cannot be
 * made again.
 */
export async function verifyAudit(path: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!options.head)
        throw new AccordError(`audit log ${path} does not exist`, {
          code: 'audit.missing',
          hint: 'nothing has been applied in this environment yet, or the log was deleted (restore it from git history)',
        });
      text = '';
    } else throw error;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let prev = GENESIS;
  const { key, head } = options;
  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    if (line.trim() === '') return { ok: false, line: number, problem: 'empty line' };
    const entry = checkEntry(parse(line));
    if (typeof entry === 'string') return { ok: false, line: number, problem: entry };
    if (entry.seq !== number)
      return {
        ok: false,
        line: number,
        problem: `seq is ${entry.seq} where ${number} was expected (a line was removed, added or moved)`,
      };
    if (entry.prev !== prev)
      return {
        ok: false,
        line: number,
        problem:
          number === 1
            ? 'prev of the first line is not the genesis hash'
            : `prev does not match the hash of line ${number - 1}`,
      };
    if (key !== undefined && (entry.mac === undefined || !sameHex(entry.mac, hmac(key, entry.hash))))
      return {
        ok: false,
        line: number,
        problem:
          entry.mac === undefined
            ? 'the line has no mac, though ACCORD_AUDIT_KEY is set (written without the key, or rewritten)'
            : 'mac does not match ACCORD_AUDIT_KEY (the line was rewritten, or the key is another one)',
      };
    if (head && entry.seq === head.seq && entry.hash !== head.head)
      return {
        ok: false,
        line: number,
        problem: 'the hash differs from the head the state file recorded (the log was rewritten)',
      };
    prev = entry.hash;
  }
  if (head && lines.length < head.seq)
    return {
      ok: false,
      line: lines.length + 1,
      problem: `the state file recorded ${head.seq} entries and the log has ${lines.length} (lines were removed from the end)`,
    };
  if (head && key !== undefined) {
    const identity = options.stateIdentity;
    if (!head.mac || !identity || !sameHex(head.mac, hmac(key, headText(head, identity))))
      return {
        ok: false,
        line: head.seq,
        problem:
          "the state file's audit head is not signed with ACCORD_AUDIT_KEY (state or log were rewritten)",
      };
  }
  return { ok: true, entries: lines.length, keyed: key !== undefined };
}
