import { readFile } from 'node:fs/promises';
import { AccordError } from '../errors.js';
import { emptyState, type State } from '../model/state.js';
import { checkState } from './check-state.js';
import { parseStateJson } from './state-json.js';
import { invalidState } from './state-problem.js';
import { schemaProblems } from './state-schema.js';

/**
 * Reads `state/<env>.state.json`. A missing file is a fresh start (empty state); an unreadable
 * one is an error, never silently empty, because state holds identity links. So is one that is
 * not valid state: strict JSON, schemas/state.schema.json, then what the schema cannot say
 * (check-state), each failure a `state.invalid` error that names the file and the JSON pointer.
 * Writing (atomic, locked, journaled) belongs to apply.
 */
export async function readState(path: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new AccordError(`cannot read state file ${path}: ${(error as Error).message}`, {
      code: 'state.read',
    });
  }
  const parsed = parseStateJson(text);
  if ('problems' in parsed) throw invalidState(path, parsed.problems);
  // Migrations come first, so the schema sees the shape of today and old files still load.
  const value = migrate(parsed.value);
  const problems = schemaProblems(value);
  if (problems.length === 0) for (const p of checkState(value as State)) problems.push(p);
  if (problems.length > 0) throw invalidState(path, problems, parsed.locate);
  return value as State;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function migrate(value: unknown): unknown {
  return isObject(value) ? { ...value, ...withPolicyDigest(value.lastApply) } : value;
}

/**
 * Files written before 0.2 named the applied policy's digest `planDigest`, though it never was a
 * plan's: it is read under its own name, and the next write spells it so.
 */
function withPolicyDigest(lastApply: unknown): Pick<State, 'lastApply'> {
  if (!isObject(lastApply)) return {};
  const { planDigest, ...rest } = lastApply as { planDigest?: string; policyDigest?: string };
  return planDigest !== undefined && rest.policyDigest === undefined
    ? { lastApply: { ...rest, policyDigest: planDigest } as State['lastApply'] }
    : {};
}

export const defaultStatePath = (environment: string) => `state/${environment}.state.json`;
