import { Command, CommanderError } from 'commander';
import { isAccordError } from '../errors.js';
import { fromSandboxError } from './load-sandbox.js';
import { registerAudit } from './commands/audit.js';
import { registerForceUnlock } from './commands/force-unlock.js';
import { registerApply } from './commands/apply.js';
import { registerDiff } from './commands/diff.js';
import { registerDrift } from './commands/drift.js';
import { registerEvents } from './commands/events.js';
import { registerGraph } from './commands/graph.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerReport } from './commands/report.js';
import { registerReportMfa } from './commands/report-mfa.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerShow } from './commands/show.js';
import { registerValidate } from './commands/validate.js';
import { redact } from '../model/redact.js';
import { redactOutput } from './redacted-output.js';
import { normaliseArgv } from './argv.js';

/**
 * The `accord` command line. Each command is declared in commands/ and registers itself here; its
 * action, with everything it needs, is imported from actions/ only when it runs (lazy-action.ts),
 * so `--help` and `--version` stay fast. This file only wires them together, normalises
 * Terraform's single-dash spellings (argv.ts) and turns errors into exit codes.
 *
 * Exit codes: see exit-codes.ts (0 ok, 1 error, 2 changes or drift, 3 pending only, 4 blocked).
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
  registerReconcile(program);
  registerGraph(program);
  registerShow(program);
  registerSandbox(program);
  registerDiff(program);
  registerInit(program);
  registerImport(program);
  registerForceUnlock(program);
  registerAudit(program);
  registerReport(program);
  registerReportMfa(program);
  registerEvents(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  redactOutput();
  ignoreClosedStdout();
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(normaliseArgv(argv, program));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (thrown) {
    const error = fromSandboxError(thrown);
    if (error instanceof CommanderError) return error.exitCode;
    await writeDiagnostics(error);
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

/** An invalid policy's diagnostics, above its error line; loaded only then, to keep start-up light. */
async function writeDiagnostics(error: unknown): Promise<void> {
  const { InvalidPolicyError } = await import('../policy/diagnostics.js');
  if (!(error instanceof InvalidPolicyError)) return;
  const [{ palette }, { renderDiagnostics }] = await Promise.all([
    import('../render/colors.js'),
    import('../render/diagnostics.js'),
  ]);
  process.stderr.write(`${renderDiagnostics(error.diagnostics, palette(process.stderr))}\n`);
}

const QUIET = Symbol.for('accord.closed-stdout');

/**
 * `accord show plan.json | head` closes stdout early. The rest of the output has nowhere to go,
 * which is no error; the run itself carries on (an apply must still finish and record its batches)
 * instead of dying on an unhandled EPIPE with a stack trace.
 */
function ignoreClosedStdout(): void {
  const stdout = process.stdout as NodeJS.WriteStream & { [QUIET]?: true };
  if (stdout[QUIET]) return;
  stdout[QUIET] = true;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}
