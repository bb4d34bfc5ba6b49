import { runDrift } from '../../engine/run-drift.js';
import type { PlanInputs } from '../../engine/run-plan.js';
import { renderDriftMarkdown, renderDriftText } from '../../render/drift.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { EXIT } from '../exit-codes.js';

type DriftOptions = PlanInputs & EnvironmentOptions & { format: 'text' | 'markdown' | 'json' };

/** `accord drift` (declared in commands/drift.ts). */
export default async function drift(options: DriftOptions): Promise<void> {
  const report = await runDrift(options, planContext(options));
  if (options.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (options.format === 'markdown') process.stdout.write(renderDriftMarkdown(report));
  else process.stdout.write(renderDriftText(report));
  process.exitCode =
    report.drift.length > 0 || report.unresolved.length > 0
      ? EXIT.changes
      : report.pending.length > 0 || report.lifecycle.length > 0
        ? EXIT.pending
        : EXIT.ok;
}
