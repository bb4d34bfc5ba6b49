import type { ReconcileOutcome } from '../../engine/run-reconcile.js';
import { runReconcile } from '../../engine/run-reconcile.js';
import {
  renderReconcileMarkdown,
  renderReconcileText,
  reconcileStatus,
  type ReconcileView,
} from '../../render/reconcile.js';
import { auditPathFor } from '../../state/audit.js';
import { planContext, stateFileFor, type EnvironmentOptions } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import { secretFromEnv } from '../options.js';

interface ReconcileOptions extends EnvironmentOptions {
  policies: string;
  code: boolean;
  state?: string;
  reportOnly?: boolean;
  parallelism?: number;
  lockTimeout: number;
  audit?: string;
  format: 'text' | 'markdown' | 'json';
}

/** `accord reconcile` (declared in commands/reconcile.ts). */
export default async function reconcile(options: ReconcileOptions): Promise<void> {
  const auditKey = secretFromEnv('ACCORD_AUDIT_KEY');
  const state = stateFileFor(options);
  const outcome = await runReconcile(
    {
      policies: options.policies,
      code: options.code,
      ...(state ? { state } : {}),
      reportOnly: options.reportOnly ?? false,
      auditPath: (statePath) => options.audit ?? auditPathFor(statePath),
      ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
      lockTimeoutMs: options.lockTimeout,
      ...(auditKey ? { auditKey } : {}),
    },
    { ...planContext(options), note: (line) => process.stderr.write(`${line}\n`) },
  );
  const view = viewOf(outcome);
  if (options.format === 'json') process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  else if (options.format === 'markdown') process.stdout.write(renderReconcileMarkdown(view));
  else process.stdout.write(renderReconcileText(view));
  process.exitCode = EXIT_OF[view.status];
}

const EXIT_OF: Record<ReconcileView['status'], number> = {
  clean: EXIT.ok,
  healed: EXIT.ok,
  drift: EXIT.changes,
  pending: EXIT.pending,
  blocked: EXIT.blocked,
  failed: EXIT.error,
};

function viewOf(outcome: ReconcileOutcome): ReconcileView {
  const byId = new Map(outcome.plan.changes.map((change) => [change.id, change]));
  const applied = outcome.applied
    ? {
        counts: outcome.applied.counts,
        failures: outcome.applied.results
          .filter((r) => r.status === 'failed')
          .map((r) => ({
            address: byId.get(r.changeId)?.address ?? r.changeId,
            action: byId.get(r.changeId)?.action ?? '',
            message: r.message ?? '',
          })),
        remaining: outcome.remaining?.length ?? 0,
      }
    : undefined;
  const base = {
    mode: outcome.mode,
    environment: outcome.environment,
    blockedReasons: outcome.blockedReasons,
    found: outcome.found,
    deferred: outcome.deferred.map((c) => ({ address: c.address, action: c.action })),
    ...(applied ? { applied } : {}),
  };
  return { formatVersion: 1, status: reconcileStatus(base), ...base };
}
