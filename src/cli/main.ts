import { Command, CommanderError } from 'commander';
import { isAccordError } from '../errors.js';
import { fromSandboxError } from './load-sandbox.js';
import { InvalidPolicyError } from '../policy/diagnostics.js';
import { palette } from '../render/colors.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { registerAudit } from './commands/audit.js';
import { registerForceUnlock } from './commands/force-unlock.js';
import { registerApply } from './commands/apply.js';
import { registerDiff } from './commands/diff.js';
import { registerDrift } from './commands/drift.js';
import { registerGraph } from './commands/graph.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerValidate } from './commands/validate.js';
import { redact } from '../model/redact.js';
import { redactOutput } from './redacted-output.js';

/**
 * The `accord` command line. Each command lives in its own file and registers itself here; this
 * file only wires them together and turns errors into exit codes.
 *
 * Exit codes: 0 success, 1 error (or invalid policy), 2 changes/drift where a command says so.
 */
export function buildProgram(): Command {
  const program = new Command('accord')
    .description('Keep Okta, OneLogin and Salesforce access equal to what Git declares.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true });
  registerValidate(program);
  registerPlan(program);
  registerApply(program);
  registerDrift(program);
  registerGraph(program);
  registerSandbox(program);
  registerDiff(program);
  registerInit(program);
  registerForceUnlock(program);
  registerAudit(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  redactOutput();
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (thrown) {
    const error = fromSandboxError(thrown);
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof InvalidPolicyError)
      process.stderr.write(`${renderDiagnostics(error.diagnostics, palette(process.stderr))}\n`);
    if (isAccordError(error)) {
      process.stderr.write(`error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    // A bug, not the user's mistake: say so, with the stack for a report, and nothing secret in it.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`error: internal error (please report it): ${redact(detail)}\n`);
    return 1;
  }
}
