import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AccordError } from '../errors.js';
import { canonicalJson } from '../model/canonical-json.js';
import { exclusive } from './exclusive.js';
import { appendDurably, cutTornTail } from './fsync.js';

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
}

/** A line of the log: the change, its position, and the chain that makes tampering visible. */
export interface AuditEntry extends AuditInput {
  seq: number;
  prev: string;
  hash: string;
}

export type AuditVerification = { ok: true; entries: number } | { ok: false; line: number; problem: string };

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
export async function appendAudit(path: string, inputs: AuditInput[]): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  return exclusive(path, () => appendChained(path, inputs));
}

async function appendChained(path: string, inputs: AuditInput[]): Promise<AuditEntry[]> {
  await mkdir(dirname(path), { recursive: true });
  let { seq, prev } = lastLink(path, await cutTornTail(path));
  const entries: AuditEntry[] = [];
  for (const input of inputs) {
    seq += 1;
    const content: Omit<AuditEntry, 'hash'> = { seq, ...pickInput(input), prev };
    const entry: AuditEntry = { ...content, hash: auditHash(content) };
    entries.push(entry);
    prev = entry.hash;
  }
  await appendDurably(path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  return entries;
}

// Fixed field order keeps the lines easy to read and grep; the hash does not depend on it.
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
    fact: input.fact,
    result: input.result,
    ...(input.message !== undefined ? { message: input.message } : {}),
  };
}

/** The seq and hash the next line continues from, read off the log's intact text. */
function lastLink(path: string, text: string): { seq: number; prev: string } {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) return { seq: 0, prev: GENESIS };
  const problem = checkEntry(parse(last));
  if (typeof problem === 'string')
    // Continuing a chain from a damaged line would bless the damage with a valid hash after it.
    throw new AccordError(`audit log ${path} is damaged at line ${lines.length}: ${problem}`, {
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
  const typed = entry as unknown as AuditEntry;
  if (auditHash(typed) !== typed.hash) return 'hash does not match the content (the line was edited)';
  return typed;
}

/**
 * Walks the chain from the first line. An edited line fails its own hash; a removed line leaves a
 * gap in seq and a prev that points at nothing; swapped lines break seq order; a cut or mangled
 * line is not JSON. Each is reported at the first line where the chain stops holding.
 * Removing lines from the end cannot be seen from the log alone: the log is committed with the
 * state, so git history is the witness for its length.
 */
export async function verifyAudit(path: string): Promise<AuditVerification> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AccordError(`audit log ${path} does not exist`, {
        code: 'audit.missing',
        hint: 'nothing has been applied in this environment yet, or the log was deleted (restore it from git history)',
      });
    throw error;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let prev = GENESIS;
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
    prev = entry.hash;
  }
  return { ok: true, entries: lines.length };
}
