import type { DriftReport } from '../plan/drift.js';
import { palette } from './colors.js';
import { diffMarkOf, renderChangeLine } from './plan-text.js';

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
  // Loops, not `push(...list)`: a first run's drift report can list ~282,000 changes, and a
  // spread puts every element on the stack (issue 17).
  if (r.unresolved.length > 0) {
    lines.push('', c.red(`Unresolved: ${r.unresolved.length} person finding(s) block a clean report.`));
    for (const f of r.unresolved) lines.push(`  ${c.red('!')} ${f.message}`);
  }
  if (r.lifecycle.length > 0) {
    lines.push(
      '',
      `Lifecycle: ${r.lifecycle.length} change(s) that follow from the directories (joiners, leavers, moves, expired exceptions), not yet applied.`,
    );
    for (const d of r.lifecycle)
      lines.push(
        `${renderChangeLine(d.change, c)}${d.lastChanged ? c.dim(`  (account changed ${d.lastChanged})`) : ''}`,
      );
  }
  if (r.pending.length > 0) {
    lines.push('', `Pending: ${r.pending.length} change(s) of policy not yet applied.`);
    for (const ch of r.pending) lines.push(renderChangeLine(ch, c));
  }
  lines.push('', 'Licences:');
  for (const l of r.licenses) lines.push(`  ${l.org} ${l.license}: ${l.used} of ${l.total} used`);
  if (r.orphans.length > 0) {
    lines.push('', `Orphan Salesforce users (no identity): ${r.orphans.length}`);
    for (const f of r.orphans) lines.push(`  ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderDriftMarkdown(r: DriftReport): string {
  return `${[
    '<!-- accord-drift -->',
    `## accord drift: ${r.drift.length === 0 && r.unresolved.length === 0 ? 'clean' : [r.drift.length ? `${r.drift.length} drifted` : '', r.unresolved.length ? `${r.unresolved.length} unresolved` : ''].filter(Boolean).join(', ')}`,
    '',
    ...driftMarkdownBody(r),
  ].join('\n')}\n`;
}

/** The report under its heading: the counts by kind, then each kind's changes, licences last. */
export function driftMarkdownBody(r: DriftReport): string[] {
  const fence = (changes: string[]) => (changes.length ? ['```diff', ...changes, '```'] : []);
  const line = (ch: DriftReport['pending'][number]) => `${diffMarkOf(ch.action)} ${ch.action} ${ch.address}`;
  return [
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
  ];
}
