import { runEventsPull, type EventsPullInputs, type EventsPullReport } from '../../engine/run-events.js';
import { openEnvironment, stateFileFor, type EnvironmentOptions } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import { stderrReporter } from '../reporter.js';

type EventsPullOptions = EventsPullInputs & EnvironmentOptions & { format: 'text' | 'json' };

/** `accord events pull` (declared in commands/events.ts). */
export default async function eventsPull(options: EventsPullOptions): Promise<void> {
  const { events } = stderrReporter();
  // A freshly seeded sandbox is throwaway: its cursor and sink go to a temp dir, as apply's state does.
  const state = stateFileFor(options);
  const report = await runEventsPull(
    { ...options, ...(state !== undefined ? { state } : {}) },
    { connect: () => openEnvironment(options), events },
  );
  process.stdout.write(
    options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderPull(report),
  );
  const sf = report.salesforce;
  const waiting =
    report.alerts.some((a) => a.failure !== undefined) ||
    (sf !== undefined && (sf.failure !== undefined || sf.refused.length > 0));
  process.exitCode = waiting ? EXIT.pending : EXIT.ok;
}

export function renderPull(report: EventsPullReport): string {
  const lines: string[] = [];
  if (report.recovered)
    lines.push(
      `recovered a page an interrupted pull left: ${report.recovered.appended} event(s) appended, ${report.recovered.present} already written`,
    );
  for (const s of report.sources)
    lines.push(`${s.platform}: ${s.events} new event(s) in ${s.pages} request(s)`);
  lines.push(`sink: ${report.sink}`);
  for (const a of report.alerts) {
    const waiting = a.pending ? `, ${a.pending} waiting` : '';
    lines.push(
      `alert ${a.id}: ${a.delivered} delivered${waiting}${
        a.failure ? ` (webhook failed: ${a.failure}; the backlog goes out in order on the next pull)` : ''
      }`,
    );
  }
  const sf = report.salesforce;
  if (sf) {
    const waiting = sf.pending ? `, ${sf.pending} waiting` : '';
    const refused = sf.refused.length
      ? `, ${sf.refused.length} refused (sent again on the next pull; first: ${sf.refused[0]!.id}: ${sf.refused[0]!.error})`
      : '';
    lines.push(
      `salesforce ${sf.org} ${sf.object}: ${sf.upserted} upserted in ${sf.calls} call(s)${waiting}${refused}${
        sf.failure ? ` (failed: ${sf.failure}; the backlog goes out on the next pull)` : ''
      }`,
    );
  }
  return `${lines.join('\n')}\n`;
}
