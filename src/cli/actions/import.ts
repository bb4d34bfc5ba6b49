import { readExistingPolicy, writeImportFiles, type PolicyFormat } from '../../import/files.js';
import { importReportText } from '../../import/report.js';
import { runImport } from '../../import/run-import.js';
import { openEnvironment, type EnvironmentOptions } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import { stderrReporter } from '../reporter.js';

interface ImportOptions extends EnvironmentOptions {
  out: string;
  format: 'text' | 'json';
  policyFormat: PolicyFormat;
  minPrecision: number;
  minCoverage: number;
  minMirrorAgreement: number;
  environment: string;
  force?: boolean;
  holdLeavers?: boolean;
}

/** `accord import` (declared in commands/import.ts). */
export default async function importPolicy(options: ImportOptions): Promise<void> {
  const now = new Date();
  // A policy in the folder already: propose only the difference over it (--force: import afresh).
  const existing =
    options.force === true
      ? undefined
      : await readExistingPolicy(options.out, now.toISOString().slice(0, 10));
  const { progress, events } = stderrReporter();
  const run = await runImport(
    {
      thresholds: { minPrecision: options.minPrecision, minCoverage: options.minCoverage },
      environment: options.environment,
      now,
      ...(existing ? { existing } : {}),
      ...(options.holdLeavers ? { holdLeavers: true } : {}),
      minMirrorAgreement: options.minMirrorAgreement,
    },
    { connect: () => openEnvironment(options), progress, events },
  );
  const written = await writeImportFiles(options.out, run.files, options.policyFormat, run.review);
  if (options.format === 'json')
    process.stdout.write(`${JSON.stringify({ written, ...run.report }, null, 2)}\n`);
  else process.stdout.write(importReportText(run.report, written));
  process.exitCode = EXIT.ok;
}
