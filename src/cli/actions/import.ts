import { checkWritable, writeImportFiles } from '../../import/files.js';
import { importReportText } from '../../import/report.js';
import { runImport } from '../../import/run-import.js';
import { openEnvironment, type EnvironmentOptions } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import { stderrReporter } from '../reporter.js';

interface ImportOptions extends EnvironmentOptions {
  out: string;
  format: 'text' | 'json';
  minPrecision: number;
  minCoverage: number;
  environment: string;
  force?: boolean;
}

/** `accord import` (declared in commands/import.ts). */
export default async function importPolicy(options: ImportOptions): Promise<void> {
  await checkWritable(options.out, options.force === true);
  const { progress, events } = stderrReporter();
  const run = await runImport(
    {
      thresholds: { minPrecision: options.minPrecision, minCoverage: options.minCoverage },
      environment: options.environment,
    },
    { connect: () => openEnvironment(options), progress, events },
  );
  const written = await writeImportFiles(options.out, run.files);
  if (options.format === 'json')
    process.stdout.write(`${JSON.stringify({ written, ...run.report }, null, 2)}\n`);
  else process.stdout.write(importReportText(run.report, written));
  process.exitCode = EXIT.ok;
}
