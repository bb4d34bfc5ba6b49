import { readFile } from 'node:fs/promises';
import { AccordError } from '../errors.js';
import { emptyState, type State } from '../model/state.js';

/**
 * Reads `state/<env>.state.json`. A missing file is a fresh start (empty state); an unreadable
 * one is an error, never silently empty, because state holds identity links.
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
  try {
    const state = JSON.parse(text) as State;
    if (state.formatVersion !== 1)
      throw new Error(`unsupported formatVersion ${String(state.formatVersion)}`);
    return { ...emptyState(), ...state, ...withPolicyDigest(state.lastApply) };
  } catch (error) {
    throw new AccordError(`state file ${path} is not valid accord state: ${(error as Error).message}`, {
      code: 'state.invalid',
      hint: 'restore it from git history; never edit state by hand',
    });
  }
}

/**
 * Files written before 0.2 named the applied policy's digest `planDigest`, though it never was a
 * plan's: it is read under its own name, and the next write spells it so.
 */
function withPolicyDigest(lastApply: unknown): Pick<State, 'lastApply'> {
  if (!lastApply || typeof lastApply !== 'object') return {};
  const { planDigest, ...rest } = lastApply as { planDigest?: string; policyDigest?: string };
  return planDigest !== undefined && rest.policyDigest === undefined
    ? { lastApply: { ...rest, policyDigest: planDigest } as State['lastApply'] }
    : {};
}

export const defaultStatePath = (environment: string) => `state/${environment}.state.json`;
