import { writeFile } from 'node:fs/promises';
import { runAccessReport, type ReportInputs } from '../../engine/run-report.js';
import { buildAccessReport, renderAccessJson } from '../../render/access-report.js';
import { renderAccessCsv } from '../../render/access-report-csv.js';
import { renderAccessHtml } from '../../render/access-report-html.js';
import { planContext, type EnvironmentOptions } from '../environment.js';

type ReportOptions = ReportInputs &
  EnvironmentOptions & { format: 'csv' | 'json' | 'html'; out?: string; by: 'person' | 'entitlement' };

const RENDER = { csv: renderAccessCsv, json: renderAccessJson, html: renderAccessHtml } as const;

/** `accord report access` (declared in commands/report.ts). */
export default async function reportAccess(options: ReportOptions): Promise<void> {
  const inputs = await runAccessReport(options, planContext(options));
  const text = RENDER[options.format](buildAccessReport({ ...inputs, view: options.by }));
  if (options.out) {
    await writeFile(options.out, text, 'utf8');
    process.stderr.write(`wrote ${options.format} access review to ${options.out}\n`);
  } else process.stdout.write(text);
}
