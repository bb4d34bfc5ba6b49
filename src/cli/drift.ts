import type { Command } from 'commander';
import { createPlan } from '../plan/plan.js';
import { driftReport, type DriftReport } from '../plan/drift.js';
import type { Plan } from '../plan/types.js';
import { loadPolicyAtRef, openPolicyRepo } from '../gitops/policy-at-ref.js';
import { palette } from '../render/colors.js';
import { markOf, renderChangeLine } from '../render/plan-text.js';
import { computePlan, type PlanInputOptions } from './compute-plan.js';
import { formatOption } from './options.js';
import { withPlanInputOptions } from './plan.js';

/**
 * `accord drift`: a refresh-only comparison (nothing is written). Exit 0 clean, 2 drift found,
 * 1 error; pending policy alone is reported but exits 0 (the apply workflow owns it).
 */
export function registerDrift(program: Command): void {
  withPlanInputOptions(
    program
      .command('drift')
      .description(
        'report live changes made outside Git (drift) apart from policy not yet applied (pending), with licence use (exit 0 clean, 2 drift, 1 error)',
      ),
  )
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .action(async (options: PlanInputOptions & { format: 'text' | 'markdown' | 'json' }) => {
      const { plan, policy, snapshots, state, close } = await computePlan(options);
      try {
        let basis: DriftReport['basis'] = 'never-applied';
        let lastPlan: Plan | undefined;
        if (state.lastApply?.planDigest === policy.digest) basis = 'policy-unchanged';
        else if (state.lastApply?.gitCommit) {
          basis = 'unknown-last-policy';
          try {
            const repo = await openPolicyRepo();
            const then = await loadPolicyAtRef(repo, state.lastApply.gitCommit, {
              policies: options.policies,
              noCode: !options.code,
            });
            if (then.policy) {
              lastPlan = createPlan(then.policy, snapshots, state, { now: new Date(plan.createdAt) });
              basis = 'last-applied-policy';
            }
          } catch {
            // Outside a repository, or the commit is gone: drift and pending cannot be told apart.
          }
        }
        const report = driftReport(plan, snapshots, basis, lastPlan);
        if (options.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else if (options.format === 'markdown') process.stdout.write(renderDriftMarkdown(report));
        else process.stdout.write(renderDriftText(report));
        process.exitCode = report.drift.length > 0 ? 2 : 0;
      } finally {
        await close();
      }
    });
}

const BASIS: Record<DriftReport['basis'], string> = {
  'policy-unchanged': 'the policy is unchanged since the last apply, so every difference is drift',
  'last-applied-policy': 'differences the last applied policy would also fix are drift; the rest is pending',
  'never-applied': 'nothing has been applied in this environment yet, so every difference is pending',
  'unknown-last-policy': 'the last applied policy could not be read, so differences are reported as pending',
};

function renderDriftText(r: DriftReport): string {
  const c = palette();
  const lines = [
    r.drift.length === 0
      ? c.green('No drift.')
      : c.yellow(`Drift: ${r.drift.length} live change(s) made outside Git.`),
    c.dim(`(${BASIS[r.basis]})`),
    ...r.drift.map(
      (d) =>
        `${renderChangeLine(d.change, c)}${d.lastChanged ? c.dim(`  (account last changed ${d.lastChanged})`) : ''}`,
    ),
  ];
  if (r.pending.length > 0)
    lines.push(
      '',
      `Pending: ${r.pending.length} change(s) of policy not yet applied.`,
      ...r.pending.map((ch) => renderChangeLine(ch, c)),
    );
  lines.push(
    '',
    'Licences:',
    ...r.licenses.map((l) => `  ${l.org} ${l.license}: ${l.used} of ${l.total} used`),
  );
  if (r.orphans.length > 0)
    lines.push(
      '',
      `Orphan Salesforce users (no identity): ${r.orphans.length}`,
      ...r.orphans.map((f) => `  ${f.message}`),
    );
  return `${lines.join('\n')}\n`;
}

function renderDriftMarkdown(r: DriftReport): string {
  const fence = (changes: string[]) => (changes.length ? ['```diff', ...changes, '```'] : []);
  const line = (ch: DriftReport['pending'][number]) => `${markOf(ch.action)} ${ch.action} ${ch.address}`;
  return `${[
    '<!-- accord-drift -->',
    `## accord drift: ${r.drift.length === 0 ? 'clean' : `${r.drift.length} drifted`}`,
    '',
    `_${BASIS[r.basis]}._`,
    '',
    '| | count |',
    '| --- | --- |',
    `| drift (changed outside Git) | ${r.drift.length} |`,
    `| pending (policy not yet applied) | ${r.pending.length} |`,
    `| orphan Salesforce users | ${r.orphans.length} |`,
    '',
    ...(r.drift.length
      ? [
          '### Drift',
          ...fence(
            r.drift.map((d) => `${line(d.change)}${d.lastChanged ? ` (last changed ${d.lastChanged})` : ''}`),
          ),
        ]
      : []),
    ...(r.pending.length ? ['', '### Pending', ...fence(r.pending.map(line))] : []),
    '',
    '### Licences',
    '| org | licence | used | total |',
    '| --- | --- | --- | --- |',
    ...r.licenses.map((l) => `| ${l.org} | ${l.license} | ${l.used} | ${l.total} |`),
  ].join('\n')}\n`;
}
