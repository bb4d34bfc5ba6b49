import type { DriftReport } from '../plan/drift.js';
import { palette } from './colors.js';
import { markOf, renderChangeLine } from './plan-text.js';

const BASIS: Record<DriftReport['basis'], string> = {
  'policy-unchanged': 'the policy is unchanged since the last apply, so every difference is drift',
  'last-applied-policy': 'differences the last applied policy would also fix are drift; the rest is pending',
  'never-applied': 'nothing has been applied in this environment yet, so every difference is pending',
  'unknown-last-policy': 'the last applied policy could not be read, so differences are reported as pending',
};

export function renderDriftText(r: DriftReport): string {
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
  if (r.unresolved.length > 0)
    lines.push(
      '',
      c.red(`Unresolved: ${r.unresolved.length} person finding(s) block a clean report.`),
      ...r.unresolved.map((f) => `  ${c.red('!')} ${f.message}`),
    );
  if (r.lifecycle.length > 0)
    lines.push(
      '',
      `Lifecycle: ${r.lifecycle.length} change(s) that follow from the directories (joiners, leavers, moves, expired exceptions), not yet applied.`,
      ...r.lifecycle.map(
        (d) =>
          `${renderChangeLine(d.change, c)}${d.lastChanged ? c.dim(`  (account changed ${d.lastChanged})`) : ''}`,
      ),
    );
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

export function renderDriftMarkdown(r: DriftReport): string {
  const fence = (changes: string[]) => (changes.length ? ['```diff', ...changes, '```'] : []);
  const line = (ch: DriftReport['pending'][number]) => `${markOf(ch.action)} ${ch.action} ${ch.address}`;
  return `${[
    '<!-- accord-drift -->',
    `## accord drift: ${r.drift.length === 0 && r.unresolved.length === 0 ? 'clean' : [r.drift.length ? `${r.drift.length} drifted` : '', r.unresolved.length ? `${r.unresolved.length} unresolved` : ''].filter(Boolean).join(', ')}`,
    '',
    `_${BASIS[r.basis]}._`,
    '',
    '| | count |',
    '| --- | --- |',
    `| drift (changed outside Git) | ${r.drift.length} |`,
    `| lifecycle (follows from the directories) | ${r.lifecycle.length} |`,
    `| pending (policy not yet applied) | ${r.pending.length} |`,
    `| orphan Salesforce users | ${r.orphans.length} |`,
    `| unresolved people (blocking) | ${r.unresolved.length} |`,
    '',
    ...(r.unresolved.length ? ['### Unresolved', ...r.unresolved.map((f) => `- ${f.message}`), ''] : []),
    ...(r.drift.length
      ? [
          '### Drift',
          ...fence(
            r.drift.map((d) => `${line(d.change)}${d.lastChanged ? ` (last changed ${d.lastChanged})` : ''}`),
          ),
        ]
      : []),
    ...(r.lifecycle.length
      ? [
          '',
          '### Lifecycle',
          ...fence(
            r.lifecycle.map(
              (d) => `${line(d.change)}${d.lastChanged ? ` (account changed ${d.lastChanged})` : ''}`,
            ),
          ),
        ]
      : []),
    ...(r.pending.length ? ['', '### Pending', ...fence(r.pending.map(line))] : []),
    ...(r.orphans.length
      ? ['', '### Orphan Salesforce users', ...r.orphans.map((f) => `- ${f.message}`)]
      : []),
    '',
    '### Licences',
    '| org | licence | used | total |',
    '| --- | --- | --- | --- |',
    ...r.licenses.map((l) => `| ${l.org} | ${l.license} | ${l.used} | ${l.total} |`),
  ].join('\n')}\n`;
}
