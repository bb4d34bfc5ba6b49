import { writeFile } from 'node:fs/promises';
import { runMfaReport } from '../../engine/run-mfa-report.js';
import type { PlanInputs } from '../../engine/run-plan.js';
import { renderMfaJson, renderMfaText } from '../../render/mfa-report.js';
import { planContext, type EnvironmentOptions } from '../environment.js';

type MfaReportOptions = Omit<PlanInputs, 'target'> &
  EnvironmentOptions & { format: 'text' | 'json'; out?: string };

/** `accord report mfa` (declared in commands/report-mfa.ts). */
export default async function reportMfa(options: MfaReportOptions): Promise<void> {
  const report = await runMfaReport(options, planContext(options));
  const text = options.format === 'json' ? renderMfaJson(report) : renderMfaText(report);
  if (options.out) {
    await writeFile(options.out, text, 'utf8');
    process.stderr.write(`wrote the ${options.format} MFA report to ${options.out}\n`);
  } else process.stdout.write(text);
}
