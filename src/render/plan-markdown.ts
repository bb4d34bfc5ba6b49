import type { Change } from '../model/change.js';
import type { EntitlementDelta, PersonImpact, Plan } from '../plan/types.js';
import type { Conflict, Finding } from '../model/findings.js';
import {
  blockedBanner,
  changeDetail,
  conflictResolutionText,
  countByAction,
  diffMarkOf,
  groupByPlatform,
  platformTitle,
  people,
  plural,
  reasonText,
  sortFindings,
  summaryLine,
} from './plan-text.js';
import { splitMarkdown } from './split-markdown.js';

/** A code span that survives backticks in platform names (CommonMark: a longer backtick run). */
export function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const ticks = '`'.repeat(runs.reduce((m, r) => Math.max(m, r.length), 0) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A fence longer than any backtick run inside, so a group named with ``` cannot end the block. */
function fence(lines: readonly string[]): string {
  const longest = lines.reduce(
    (m, l) => (l.match(/`+/g) ?? []).reduce((n, r) => Math.max(n, r.length), m),
    2,
  );
  return '`'.repeat(longest + 1);
}

function fenced(info: string, lines: readonly string[]): string[] {
  const f = fence(lines);
  return [`${f}${info}`, ...lines, f];
}

function diffLine(change: Change): string {
  const detail = changeDetail(change);
  const head = `${diffMarkOf(change.action)} ${change.address} ${change.action}`;
  return `${head}${detail ? ` ${detail}` : ''}  # ${reasonText(change.reason)}`;
}

function banners(plan: Plan): string[] {
  const out: string[] = [];
  if (plan.blocked) out.push('> [!CAUTION]', `> **${blockedBanner(plan)}**`, '');
  const leaving = plan.impact.filter((p) => p.deprovisioned);
  const count = Math.max(plan.summary.peopleDeprovisioned, leaving.length);
  if (count > 0) {
    const names = leaving.slice(0, 10).map((p) => code(p.person));
    const more = leaving.length > names.length ? `, and ${leaving.length - names.length} more` : '';
    const who = names.length > 0 ? `: ${names.join(', ')}${more}` : '';
    out.push('> [!WARNING]', `> This plan deprovisions **${people(count)}**${who}.`, '');
  }
  return out;
}

function findingCounts(findings: readonly Finding[]): string {
  if (findings.length === 0) return '0';
  const by = (s: Finding['severity']): number => findings.filter((f) => f.severity === s).length;
  const parts = (['block', 'warn', 'info'] as const).filter((s) => by(s) > 0).map((s) => `${by(s)} ${s}`);
  return `${findings.length} (${parts.join(', ')})`;
}

function summaryTable(plan: Plan): string[] {
  const rows = [...countByAction(plan.changes)].map(([action, n]) => `| ${action} | ${n} |`);
  return [
    '| | Count |',
    '| --- | ---: |',
    ...rows,
    `| **people deprovisioned** | ${plan.summary.peopleDeprovisioned} |`,
    `| conflicts | ${plan.conflicts.length} |`,
    `| findings | ${findingCounts(plan.findings)} |`,
    '',
    `**${summaryLine(plan)}**`,
    '',
  ];
}

function changeSections(plan: Plan): string[] {
  return groupByPlatform(plan).flatMap((g) => [
    `<details><summary>${escapeHtml(g.title)}: ${plural(g.changes.length, 'change')}</summary>`,
    '',
    ...fenced('diff', g.changes.map(diffLine)),
    '',
    '</details>',
    '',
  ]);
}

/** One entitlement gained or lost, names in code spans: the plan and the policy diff word it alike. */
export function deltaMarkdown(d: EntitlementDelta): string {
  const rule = d.rule ? ` (rule ${code(d.rule)})` : '';
  const sensitive = d.sensitive ? ' **⚠ sensitive**' : '';
  return `${code(d.entitlement)} in ${platformTitle(d.platform)}${rule}${sensitive}`;
}

/** A person's gains and losses, as items nested under the person's own list item. */
export const deltaItems = (p: {
  gained: readonly EntitlementDelta[];
  lost: readonly EntitlementDelta[];
}): string[] => [
  ...p.gained.map((d) => `  - gains ${deltaMarkdown(d)}`),
  ...p.lost.map((d) => `  - loses ${deltaMarkdown(d)}`),
];

const personLines = (p: PersonImpact): string[] => [
  `- ${code(p.person)}${p.deprovisioned ? ' (**deprovisioned**)' : ''}`,
  ...deltaItems(p),
];

/** Sensitive grants are repeated at the top, so a reviewer sees them without reading every person. */
function sensitiveLines(impact: readonly PersonImpact[]): string[] {
  const lines = impact.flatMap((p) => [
    ...p.gained.filter((d) => d.sensitive).map((d) => `- ${code(p.person)} gains ${deltaMarkdown(d)}`),
    ...p.lost.filter((d) => d.sensitive).map((d) => `- ${code(p.person)} loses ${deltaMarkdown(d)}`),
  ]);
  return lines.length > 0 ? ['**Sensitive entitlements**', '', ...lines, ''] : [];
}

function impactSection(impact: readonly PersonImpact[]): string[] {
  if (impact.length === 0) return [];
  return [
    '### Access impact',
    '',
    ...sensitiveLines(impact),
    '**Who gains and loses what**',
    '',
    ...impact.flatMap(personLines),
    '',
  ];
}

function conflictBlock(k: Conflict): string[] {
  const candidates = k.candidates.map(code).join(', ') || 'none';
  const head = `- ${code(k.person)} in ${platformTitle(k.platform)}: ${k.message} (${k.kind === 'disagreement' ? `match keys disagree: ${code(k.key)}` : `${k.kind} match on ${code(k.key)}`}; candidates: ${candidates})`;
  if (!k.resolution) return [head, `  ${conflictResolutionText(k)}.`, ''];
  const json = JSON.stringify(k.resolution, null, 2).split('\n');
  return [
    head,
    '',
    '  Resolve with this `links` entry:',
    '',
    ...fenced('json', json).map((l) => `  ${l}`),
    '',
  ];
}

function conflictSection(conflicts: readonly Conflict[]): string[] {
  if (conflicts.length === 0) return [];
  return [
    `### Conflicts (${conflicts.length})`,
    '',
    "These people's changes on the platform named are held back until their identity there is resolved; their changes elsewhere go ahead.",
    '',
    ...conflicts.flatMap(conflictBlock),
  ];
}

function findingLine(f: Finding): string {
  const where = f.address ? ` at ${code(f.address)}` : f.person ? ` for ${code(f.person)}` : '';
  const rule = f.rule ? ` (rule ${code(f.rule)})` : '';
  return `- **${f.severity}** ${code(f.code)}: ${f.message}${where}${rule}`;
}

function findingSection(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  return [`### Findings (${findings.length})`, '', ...sortFindings(findings).map(findingLine), ''];
}

/**
 * The plan as one or more GitHub comment bodies: heading, banners, summary table, a collapsible
 * diff per platform, access impact, conflicts and findings. Long plans come back as several
 * bodies, each under GitHub's comment limit, marked "(part i of n)".
 */
export function renderPlanMarkdown(plan: Plan, limit?: number): string[] {
  const lines = [
    `## accord plan: ${code(plan.environment)}`,
    '',
    ...banners(plan),
    ...summaryTable(plan),
    ...changeSections(plan),
    ...impactSection(plan.impact),
    ...conflictSection(plan.conflicts),
    ...findingSection(plan.findings),
  ];
  while (lines.at(-1) === '') lines.pop();
  return splitMarkdown(`${lines.join('\n')}\n`, limit);
}
