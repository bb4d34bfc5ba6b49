import { AccordError } from '../errors.js';
import type { Locator, Position } from '../policy/locate.js';

/** One thing wrong with a state file, where it is (an RFC 6901 pointer), and in plain words. */
export interface StateProblem {
  /** '' for the file as a whole. */
  pointer: string;
  message: string;
  /** A fix more specific than restoring the file, when there is one. */
  hint?: string;
  /** Where in the text, when the pointer cannot find it (JSON that does not parse, a key written twice). */
  at?: Position;
}

export const RESTORE = 'restore it from git history; never edit state by hand';

// The CLI prints an error on one line: a file edited badly in many places says so without
// burying the first problem, which is the one to look at.
const SHOWN = 3;

/**
 * The error for a state file that is not valid accord state. It names the file and each problem's
 * pointer and line, because state holds identity links: guessing what a damaged file meant could
 * hand one person's account to another.
 */
export function invalidState(path: string, problems: readonly StateProblem[], locate?: Locator): AccordError {
  const where = (p: StateProblem) => {
    const at = p.at ?? locate?.value(p.pointer);
    return `${p.pointer || 'the file'}${at ? ` (line ${at.line}, column ${at.column})` : ''}`;
  };
  const shown = problems.slice(0, SHOWN).map((p) => `${where(p)}: ${p.message}`);
  const more = problems.length - shown.length;
  const hint = problems.find((p) => p.hint)?.hint;
  return new AccordError(
    `state file ${path} is not valid accord state: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    { code: 'state.invalid', hint: hint ?? RESTORE },
  );
}
