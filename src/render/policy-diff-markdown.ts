import type { AccessDiff, PersonAccessChange } from '../plan/access-impact.js';
import type { RefDiff } from '../plan/ref-diff.js';
import {
  countPolicyChanges,
  type FieldChange,
  type ItemChange,
  type PolicyDiff,
} from '../plan/semantic-diff.js';
import { code, deltaItems, deltaMarkdown } from './plan-markdown.js';
import { people, plural } from './plan-text.js';
import {
  changedSections,
  impactSummary,
  itemText,
  noChangeText,
  short,
  valueText,
  type Section,
} from './policy-diff-text.js';
import { splitMarkdown } from './split-markdown.js';

/**
 * `accord diff` as the review section of the pull-request comment (UC-25): what the policy says
 * differently, then who gains or loses what, with sensitive grants and separation-of-duties
 * violations first. Names go in code spans, so a group called `<script>` or `**x**` stays text.
 */

/** Impact lists longer than this are folded, so the policy changes stay on screen. */
const OPEN_PEOPLE = 15;
/** Call-outs repeat what the per-person list holds; past this many they would bury the policy changes. */
const CALL_OUTS = 25;

const capped = (lines: string[]): string[] =>
  lines.length <= CALL_OUTS
    ? lines
    : [...lines.slice(0, CALL_OUTS), `- and ${lines.length - CALL_OUTS} more (see who gains and loses what)`];

function fieldLine(f: FieldChange): string {
  if (f.added || f.removed) {
    const list = (values: unknown[] | undefined) =>
      (values ?? []).map((v) => code(valueText(f.path, v))).join(', ');
    const parts = [
      ...(f.added ? [`added ${list(f.added)}`] : []),
      ...(f.removed ? [`removed ${list(f.removed)}`] : []),
    ];
    return `${code(f.path)}: ${parts.join('; ')}`;
  }
  return `${code(f.path)}: ${code(valueText(f.path, f.before))} → ${code(valueText(f.path, f.after))}`;
}

function itemLines(section: Section, change: ItemChange<unknown>): string[] {
  if (change.change === 'changed')
    return [`- **changed** ${code(change.id)}`, ...change.fields.map((f) => `  - ${fieldLine(f)}`)];
  const value = change.change === 'added' ? change.after : change.before;
  return [`- **${change.change}** ${code(change.id)}: ${code(itemText(section, value))}`];
}

function policySection(diff: PolicyDiff): string[] {
  const n = countPolicyChanges(diff);
  if (n === 0) return ['### Policy changes', '', noChangeText(diff), ''];
  return [
    `### Policy changes (${n})`,
    '',
    ...changedSections(diff).flatMap((s) => [
      `**${s.title}**`,
      '',
      ...('items' in s
        ? s.items.flatMap((c) => itemLines(s.section, c))
        : s.fields.map((f) => `- ${fieldLine(f)}`)),
      '',
    ]),
  ];
}

const personLines = (p: PersonAccessChange): string[] => [
  `- ${code(p.person)}${p.losesAccount ? ' (**loses an account**)' : ''}`,
  ...deltaItems(p),
];

function banners(impact: AccessDiff): string[] {
  const out: string[] = [];
  const introduced = impact.separationOfDuties.introduced;
  if (introduced.length > 0) {
    out.push(
      '> [!CAUTION]',
      `> This change introduces **${plural(introduced.length, 'separation-of-duties violation')}**; a plan of it is blocked.`,
    );
    for (const v of introduced) out.push(`> - ${code(v.person)}: rule ${code(v.rule)}`);
    out.push('');
  } else if (impact.headBlocked)
    out.push(
      '> [!CAUTION]',
      `> A plan of this policy is blocked: ${impact.headBlockedReasons.join('; ')}`,
      '',
    );
  if (impact.sensitive.length > 0)
    out.push(
      '> [!WARNING]',
      `> ${impact.sensitive.length === 1 ? '1 sensitive entitlement changes' : `${impact.sensitive.length} sensitive entitlements change`} hands.`,
      '',
    );
  return out;
}

function impactSection(impact: AccessDiff): string[] {
  const sod = impact.separationOfDuties;
  const sensitive = capped(
    impact.sensitive.map((s) => `- ${code(s.person)} ${s.change} ${deltaMarkdown(s.delta)}`),
  );
  const sodLines = [
    ...capped(
      sod.introduced.map((v) => `- **introduced** ${code(v.person)} (rule ${code(v.rule)}): ${v.message}`),
    ),
    ...capped(sod.resolved.map((v) => `- **resolved** ${code(v.person)} (rule ${code(v.rule)})`)),
    ...(sod.remaining.length > 0
      ? [
          `- ${sod.remaining.length} already in the base policy remain${sod.remaining.length <= 10 ? `: ${sod.remaining.map((v) => code(v.person)).join(', ')}` : ''}`,
        ]
      : []),
  ];
  const losing = impact.people.filter((p) => p.losesAccount).length;
  return [
    '### Access impact',
    '',
    `${impactSummary(impact)}${losing > 0 ? ` ${people(losing)} ${losing === 1 ? 'loses' : 'lose'} an account.` : ''}`,
    '',
    ...(sensitive.length > 0 ? ['**Sensitive entitlements**', '', ...sensitive, ''] : []),
    ...(sodLines.length > 0 ? ['**Separation of duties**', '', ...sodLines, ''] : []),
    ...(impact.people.length > 0
      ? [
          `<details${impact.people.length <= OPEN_PEOPLE ? ' open' : ''}><summary>Who gains and loses what (${people(impact.people.length)})</summary>`,
          '',
          ...impact.people.flatMap(personLines),
          '',
          '</details>',
          '',
        ]
      : []),
  ];
}

/** The diff as one or more comment bodies (GitHub's limit), like `renderPlanMarkdown`. */
export function renderPolicyDiffMarkdown(diff: RefDiff, limit?: number): string[] {
  const lines = [
    `## accord diff: ${code(diff.base.ref)} → ${code(diff.head.ref)}`,
    '',
    `Policy at ${code(short(diff.base.commit))} compared with ${code(short(diff.head.commit))}.`,
    '',
    ...(diff.impact ? banners(diff.impact) : []),
    ...policySection(diff.policy),
    ...(diff.impact
      ? impactSection(diff.impact)
      : ['_Access impact not computed (`--no-impact`): no platform was read._', '']),
  ];
  while (lines.at(-1) === '') lines.pop();
  return splitMarkdown(`${lines.join('\n')}\n`, limit);
}
