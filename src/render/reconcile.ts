import type { DriftReport } from '../plan/drift.js';
import { palette } from './colors.js';
import { driftMarkdownBody, renderDriftText } from './drift.js';
import { code } from './plan-markdown.js';

/** A reconcile run as the renderers see it (the CLI builds it from the engine's outcome). */
export interface ReconcileView {
  formatVersion: 1;
  mode: 'report' | 'self-heal';
  environment: string;
  status: ReconcileStatus;
  /** Why nothing was applied although the plan had changes. */
  blockedReasons: string[];
  /** What the plan held before anything ran, by kind. */
  found: DriftReport;
  /** Self-heal: changes left for the apply of a merge (pending policy, and what depends on it). */
  deferred: { address: string; action: string }[];
  /** Self-heal that ran. */
  applied?: {
    counts: { applied: number; failed: number; skipped: number; stale: number };
    failures: { address: string; action: string; message: string }[];
    /** Changes a plan made afterwards still holds; 0 means converged. */
    remaining: number;
  };
}

/**
 * - `clean`: nothing to do; `healed`: self-heal applied everything and converged;
 * - `drift`: report mode found live edits (or unresolved people);
 * - `pending`: report mode found only lifecycle or pending work, or self-heal left changes of
 *   policy no merge applied to that merge's apply;
 * - `blocked`: changes wait for a person (guard rails, blocking findings, policy no merge applied);
 * - `failed`: self-heal ran and something failed, or a new plan still has changes.
 */
export type ReconcileStatus = 'clean' | 'healed' | 'drift' | 'pending' | 'blocked' | 'failed';

export function reconcileStatus(view: Omit<ReconcileView, 'status' | 'formatVersion'>): ReconcileStatus {
  const { found, applied } = view;
  if (applied && (applied.counts.failed > 0 || applied.remaining > 0)) return 'failed';
  if (view.blockedReasons.length > 0) return 'blocked';
  if (view.deferred.length > 0) return 'pending';
  if (applied && applied.counts.applied > 0) return 'healed';
  if (view.mode === 'self-heal') return 'clean';
  if (found.drift.length > 0 || found.unresolved.length > 0) return 'drift';
  if (found.lifecycle.length > 0 || found.pending.length > 0) return 'pending';
  return 'clean';
}

const HEADLINE: Record<ReconcileStatus, (v: ReconcileView) => string> = {
  clean: () => 'clean: live state is what the applied policy and the directories call for',
  healed: (v) => `healed: ${v.applied!.counts.applied} change(s) applied, and a new plan is empty`,
  drift: (v) =>
    `${v.found.drift.length} drifted, ${v.found.unresolved.length} unresolved (report only: nothing was changed)`,
  pending: (v) =>
    v.mode === 'self-heal'
      ? `${v.applied?.counts.applied ?? 0} change(s) applied; ${v.deferred.length} wait for the apply of a merged policy change`
      : `${v.found.lifecycle.length} lifecycle and ${v.found.pending.length} pending change(s) (report only: nothing was changed)`,
  blocked: () => 'blocked: nothing was applied',
  failed: (v) =>
    `failed: ${v.applied!.counts.failed} change(s) failed, ${v.applied!.remaining} still planned after applying`,
};

const DEFERRED = (v: ReconcileView) =>
  `Left for the apply of a merge (policy not applied yet, and what depends on it): ${v.deferred.length}`;

export function renderReconcileText(v: ReconcileView): string {
  const c = palette();
  const colour =
    v.status === 'clean' || v.status === 'healed' ? c.green : v.status === 'pending' ? c.yellow : c.red;
  const lines = [colour(`Reconcile (${v.mode}) of ${v.environment}: ${HEADLINE[v.status](v)}.`)];
  for (const reason of v.blockedReasons) lines.push(`  ${c.red('!')} ${reason}`);
  if (v.applied) {
    const { counts } = v.applied;
    lines.push(
      `Applied ${counts.applied}, failed ${counts.failed}, skipped ${counts.skipped}, stale ${counts.stale}.`,
    );
    for (const f of v.applied.failures)
      lines.push(`  ${c.red('failed')} ${f.address} ${f.action}: ${f.message}`);
  }
  if (v.deferred.length > 0) {
    lines.push(`${DEFERRED(v)}:`);
    for (const d of v.deferred) lines.push(`  ${d.address} ${d.action}`);
  }
  lines.push('', v.applied ? 'What the plan held before applying:' : 'What the plan holds:');
  return `${lines.join('\n')}\n${renderDriftText(v.found)}`;
}

/** The body of the one reconcile issue per environment (UC-26): reasons first, then what was found. */
export function renderReconcileMarkdown(v: ReconcileView): string {
  const caution = v.blockedReasons.length
    ? ['> [!CAUTION]', '> **Waiting for a person:**', ...v.blockedReasons.map((r) => `> - ${r}`), '']
    : [];
  const applied = v.applied
    ? [
        `**Applied ${v.applied.counts.applied}**, failed ${v.applied.counts.failed}, skipped ${v.applied.counts.skipped}, stale ${v.applied.counts.stale}; ${v.applied.remaining === 0 ? `a new plan holds nothing ${v.deferred.length ? 'else' : ''}`.trim() : `a new plan still has ${v.applied.remaining} change(s)`}.`,
        '',
        ...v.applied.failures.map((f) => `- failed ${code(f.address)} ${f.action}: ${f.message}`),
        ...(v.applied.failures.length ? [''] : []),
      ]
    : [];
  const deferred = v.deferred.length
    ? [`### ${DEFERRED(v)}`, '', ...v.deferred.map((d) => `- ${code(d.address)} ${d.action}`), '']
    : [];
  return `${[
    `<!-- accord-reconcile:${v.environment} -->`,
    `## accord reconcile (${v.mode}) of \`${v.environment}\`: ${HEADLINE[v.status](v)}`,
    '',
    ...caution,
    ...applied,
    ...deferred,
    ...(v.applied ? ['### What the plan held before applying', ''] : []),
    ...driftMarkdownBody(v.found),
  ].join('\n')}\n`;
}
