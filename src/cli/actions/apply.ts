import { createInterface } from 'node:readline/promises';
import { runApply } from '../../engine/run-apply.js';
import type { PlanInputs } from '../../engine/run-plan.js';
import { AccordError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import { palette } from '../../render/colors.js';
import { renderPlanText, summaryLine } from '../../render/plan-text.js';
import { auditPathFor } from '../../state/audit.js';
import { planContext, stateFileFor, usesSandbox, type EnvironmentOptions } from '../environment.js';
import { secretFromEnv } from '../options.js';

interface ApplyOptions extends PlanInputs, EnvironmentOptions {
  autoApprove?: boolean;
  allowLargeChange?: boolean;
  parallelism?: number;
  audit?: string;
  verify?: boolean;
  lockTimeout: number;
}

/** `accord apply [PLANFILE]` (declared in commands/apply.ts). */
export default async function apply(planfile: string | undefined, options: ApplyOptions): Promise<void> {
  const state = stateFileFor(options);
  const c = palette();
  const { plan, report, again } = await runApply(
    {
      ...options,
      ...(state ? { state } : {}),
      ...(planfile ? { planFile: planfile } : {}),
      auditPath: (statePath) => options.audit ?? auditPathFor(statePath),
      allowLargeChange: options.allowLargeChange ?? false,
      ...(secretFromEnv('ACCORD_OVERRIDE_REASON')
        ? { overrideReason: secretFromEnv('ACCORD_OVERRIDE_REASON')! }
        : {}),
      verify: options.verify === true || usesSandbox(options),
      lockTimeoutMs: options.lockTimeout,
      ...keys(),
    },
    {
      ...planContext(options),
      show: (plan, stale, saved) =>
        process.stdout.write(
          saved
            ? `Applying ${planfile}: ${plan.changes.length} changes, ${stale.size} stale.\n`
            : `${renderPlanText(plan, c)}\n`,
        ),
      approve: (plan) => (options.autoApprove ? Promise.resolve() : confirm(plan)),
      note: (line) => process.stderr.write(`${line}\n`),
    },
  );
  if (!report) {
    process.stdout.write('Nothing to apply.\n');
    process.exitCode = 0;
    return;
  }
  const { counts } = report;
  const tally = `Apply complete: ${counts.applied} applied, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.stale} stale.`;
  const byId = new Map(plan.changes.map((change) => [change.id, change]));
  for (const r of report.results.filter((x) => x.status === 'failed')) {
    const change = byId.get(r.changeId);
    process.stdout.write(
      `${c.red('failed')} ${change?.address ?? r.changeId} ${change?.action ?? ''}: ${r.message ?? ''}\n`,
    );
  }
  process.stdout.write(`${counts.failed > 0 ? c.red(tally) : c.green(tally)}\n`);
  process.exitCode = counts.failed > 0 ? 1 : 0;
  if (!again) return;
  if (again.changes.length === 0)
    process.stdout.write(`${c.green('Converged:')} a new plan has 0 changes.\n`);
  else {
    process.stdout.write(
      `${c.yellow('Not converged:')} a new plan still has changes. ${summaryLine(again)}\n`,
    );
    process.exitCode = 1;
  }
}

/** The optional signing keys, from the environment only (never a flag: flags show in `ps`). */
function keys(): { planKey?: string; auditKey?: string } {
  const planKey = secretFromEnv('ACCORD_PLAN_KEY');
  const auditKey = secretFromEnv('ACCORD_AUDIT_KEY');
  return { ...(planKey ? { planKey } : {}), ...(auditKey ? { auditKey } : {}) };
}

async function confirm(plan: Plan): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new AccordError('refusing to apply without confirmation: stdin is not a terminal', {
      code: 'apply.confirm',
      hint: 'review the plan and pass --auto-approve, or apply a saved plan file',
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`Apply ${plan.changes.length} changes? Only "yes" is accepted: `);
  rl.close();
  if (answer.trim() !== 'yes') throw new AccordError('apply cancelled', { code: 'apply.cancelled' });
}
