import { readFile } from 'node:fs/promises';
import type { DesiredState } from '../compile/compile.js';
import type { Snapshots } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { auditPathFor } from '../state/audit.js';
import { readAndCompile } from './read-and-compile.js';
import type { PlanContext, PlanInputs } from './run-plan.js';

/** What an access review is made from, as the user names it. */
export interface ReportInputs extends Omit<PlanInputs, 'target'> {
  /** The audit log that says since when; by default beside the state file. */
  audit?: string;
}

/** One audit line, as far as the access review reads it. */
export interface AuditMark {
  time: string;
  address: string;
  action: string;
  result: string;
}

/** Everything the access review's rows are built from (render/access-report.ts builds them). */
export interface AccessInputs {
  policy: Policy;
  snapshots: Snapshots;
  desired: DesiredState;
  audit: AuditMark[];
  generatedAt: string;
}

/**
 * `accord report access` (UC-21): load → validate → snapshot → compile; the CLI builds the
 * report's rows from what this returns (render/access-report.ts; engine/ may not import render/,
 * .dependency-cruiser.cjs), the snapshots and the compiled desired state. Nothing is planned
 * and nothing is written; the state file is only read (compile uses its links), and so is the
 * audit log (its times).
 */
export async function runAccessReport(inputs: ReportInputs, context: PlanContext): Promise<AccessInputs> {
  const { policy, snapshots, desired, now, statePath } = await readAndCompile(inputs, context);
  return {
    policy,
    snapshots,
    desired,
    audit: await readAuditMarks(inputs.audit ?? auditPathFor(statePath)),
    generatedAt: now.toISOString(),
  };
}

/**
 * The time, address, action and result of every line of the audit log (none when there is no
 * log). Lines that do not parse are skipped: the report only reads times from the log, and
 * `accord audit verify` is what checks it.
 */
export async function readAuditMarks(path: string): Promise<AuditMark[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const marks: AuditMark[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: Partial<Record<keyof AuditMark, unknown>>;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const { time, address, action, result } = entry;
    if (
      typeof time === 'string' &&
      typeof address === 'string' &&
      typeof action === 'string' &&
      typeof result === 'string'
    )
      marks.push({ time, address, action, result });
  }
  return marks;
}
