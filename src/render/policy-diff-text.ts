import type { ChalkInstance } from 'chalk';
import type { AccessDiff, PersonAccessChange } from '../plan/access-impact.js';
import type { RefDiff } from '../plan/ref-diff.js';
import {
  countPolicyChanges,
  type FieldChange,
  type ItemChange,
  type PolicyDiff,
} from '../plan/semantic-diff.js';
import { canonicalJson } from '../model/canonical-json.js';
import type {
  AccessException,
  AccessRule,
  Condition,
  IdentityLink,
  ManagedGroup,
  Mirror,
  SalesforceGrant,
  SeparationOfDuties,
} from '../policy/types.js';
import type { EntitlementDelta } from '../plan/types.js';
import { people, platformTitle, plural } from './plan-text.js';

/**
 * `accord diff` for a terminal, and the wording it shares with the markdown renderer: conditions
 * read as sentences, entitlements as `kind:Name in Platform`, so a reviewer never reads raw JSON
 * for the common cases.
 */

const quote = (s: string) => JSON.stringify(s);

export function conditionText(c: Condition): string {
  if (c.oktaGroup !== undefined) return `okta group ${quote(c.oktaGroup)}`;
  if (c.oneloginRole !== undefined) return `onelogin role ${quote(c.oneloginRole)}`;
  if (c.app !== undefined) return `app ${quote(c.app)}`;
  if (c.mfa !== undefined)
    return c.mfa.enrolled
      ? 'has an active MFA factor'
      : `no active MFA factor for over ${c.mfa.graceDays ?? 0} days`;
  if (c.all)
    return c.all.length === 1 ? conditionText(c.all[0]!) : `(${c.all.map(conditionText).join(' and ')})`;
  if (c.any)
    return c.any.length === 1 ? conditionText(c.any[0]!) : `(${c.any.map(conditionText).join(' or ')})`;
  if (c.not) return `not ${conditionText(c.not)}`;
  const a = c.attribute;
  if (!a) return canonicalJson(c);
  if (a.equals !== undefined) return `${a.name} = ${quote(a.equals)}`;
  if (a.in !== undefined) return `${a.name} in [${a.in.map(quote).join(', ')}]`;
  if (a.matches !== undefined) return `${a.name} matches ${quote(a.matches)}`;
  if (a.present !== undefined) return `${a.name} ${a.present ? 'present' : 'absent'}`;
  return canonicalJson(c);
}

const CONDITION_KEYS = new Set(['when', 'rule', 'not']);
const CONDITION_LISTS = new Set(['include', 'exclude']);

/** A value in a field change, read as the field it sits in suggests. */
export function valueText(path: string, value: unknown): string {
  const key = path.split('.').at(-1) ?? '';
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return quote(value);
  if (CONDITION_KEYS.has(key) && typeof value === 'object' && value !== null)
    return conditionText(value as Condition);
  if (CONDITION_LISTS.has(key) && Array.isArray(value))
    return `[${(value as Condition[]).map(conditionText).join(', ')}]`;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return `[${value.map((v) => quote(v as string)).join(', ')}]`;
  return canonicalJson(value);
}

/** `priority: 10 → 20`, `grants.prod.permissionSets: +"A" -"B"`. */
function fieldText(f: FieldChange): string {
  if (f.added || f.removed) {
    const parts = [
      ...(f.added ?? []).map((v) => `+${valueText(f.path, v)}`),
      ...(f.removed ?? []).map((v) => `-${valueText(f.path, v)}`),
    ];
    return `${f.path}: ${parts.join(' ')}`;
  }
  return `${f.path}: ${valueText(f.path, f.before)} → ${valueText(f.path, f.after)}`;
}

const grantText = (org: string, g: SalesforceGrant) => {
  const parts = [
    ...(g.profile ? [`profile ${quote(g.profile)}`] : []),
    ...(g.role ? [`role ${quote(g.role)}`] : []),
    ...(g.permissionSets?.length ? [`permission sets ${g.permissionSets.join(', ')}`] : []),
    ...(g.permissionSetGroups?.length ? [`permission set groups ${g.permissionSetGroups.join(', ')}`] : []),
  ];
  return `${org}: ${parts.join(', ') || 'nothing'}`;
};

/** One line that says what a whole item is, for items added or removed. */
export type Section = keyof Pick<
  PolicyDiff,
  'access' | 'exceptions' | 'groups' | 'mirrors' | 'links' | 'separationOfDuties'
>;

export function itemText(section: Section, item: unknown): string {
  switch (section) {
    case 'access': {
      const r = item as AccessRule;
      const grants = Object.entries(r.grants).map(([org, g]) => grantText(org, g));
      return `when ${conditionText(r.when)}${r.priority !== undefined ? `, priority ${r.priority}` : ''}; grants ${grants.join('; ')}`;
    }
    case 'exceptions': {
      const e = item as AccessException;
      const what = [...(e.permissionSets ?? []), ...(e.permissionSetGroups ?? [])].join(', ');
      return `${e.person} in ${e.org}: ${what} until ${e.expires} (ticket ${e.ticket})`;
    }
    case 'groups': {
      const g = item as ManagedGroup;
      const members = g.members?.length ? `, members ${g.members.join(', ')}` : '';
      const rule = g.rule ? `, plus everyone with ${conditionText(g.rule)}` : '';
      return `${g.mode ?? 'authoritative'}${members}${rule}`;
    }
    case 'mirrors': {
      const m = item as Mirror;
      return `${m.direction} (${m.mode ?? 'authoritative'}): ${m.pairs.map((p) => `${p.okta} ↔ ${p.onelogin}`).join(', ')}`;
    }
    case 'links': {
      const { person: _person, ...rest } = item as IdentityLink;
      return canonicalJson(rest);
    }
    case 'separationOfDuties': {
      const s = item as SeparationOfDuties;
      return `may not hold together: ${s.entitlements.map((e) => canonicalJson(e)).join(', ')}`;
    }
  }
}

const SECTION_TITLES: Record<Section, string> = {
  access: 'Access rules',
  exceptions: 'Exceptions',
  groups: 'Managed groups',
  mirrors: 'Mirrors',
  links: 'Identity links',
  separationOfDuties: 'Separation of duties',
};
const FIELD_SECTION_TITLES = {
  guardrails: 'Guard rails',
  identity: 'Identity',
  lifecycle: 'Lifecycle',
  platforms: 'Platforms',
  settings: 'Settings',
} as const;
const ITEM_SECTIONS = Object.keys(SECTION_TITLES) as Section[];
const FIELD_SECTIONS = Object.keys(FIELD_SECTION_TITLES) as (keyof typeof FIELD_SECTION_TITLES)[];

/** A section of the policy diff with something in it: whole items (rules, groups...) or fields. */
export type ChangedSection =
  | { title: string; section: Section; items: ItemChange<unknown>[] }
  | { title: string; fields: FieldChange[] };

/** The sections that changed, in the order both renderers list them: item sections, then fields. */
export function changedSections(diff: PolicyDiff): ChangedSection[] {
  return [
    ...ITEM_SECTIONS.map((section) => ({
      title: SECTION_TITLES[section],
      section,
      items: diff[section] as ItemChange<unknown>[],
    })).filter((s) => s.items.length > 0),
    ...FIELD_SECTIONS.map((section) => ({
      title: FIELD_SECTION_TITLES[section],
      fields: diff[section],
    })).filter((s) => s.fields.length > 0),
  ];
}

/** What a diff without a semantic change says instead. */
export const noChangeText = (diff: PolicyDiff): string =>
  diff.identical ? 'The policies are identical.' : 'No semantic change (only formatting or file layout).';

export const deltaText = (d: EntitlementDelta) =>
  `${d.entitlement} in ${platformTitle(d.platform)}${d.rule ? ` (rule ${d.rule})` : ''}${d.sensitive ? ' [sensitive]' : ''}`;

export const short = (commit: string) => commit.slice(0, 7);

/** "3 people gain access, 1 person loses access." */
export function impactSummary(impact: AccessDiff): string {
  if (impact.people.length === 0) return 'No one gains or loses access.';
  const gaining = impact.people.filter((p) => p.gained.length > 0).length;
  const losing = impact.people.filter((p) => p.lost.length > 0).length;
  return `${people(gaining)} ${gaining === 1 ? 'gains' : 'gain'} access, ${people(losing)} ${losing === 1 ? 'loses' : 'lose'} access.`;
}

function itemLines(c: ChalkInstance, section: Section, change: ItemChange<unknown>): string[] {
  if (change.change === 'added')
    return [`    ${c.green(`+ ${change.id}`)}  ${itemText(section, change.after)}`];
  if (change.change === 'removed')
    return [`    ${c.red(`- ${change.id}`)}  ${itemText(section, change.before)}`];
  return [`    ${c.yellow(`~ ${change.id}`)}`, ...change.fields.map((f) => `        ${fieldText(f)}`)];
}

function policyLines(c: ChalkInstance, diff: PolicyDiff): string[] {
  const n = countPolicyChanges(diff);
  if (n === 0) return [noChangeText(diff)];
  return [
    c.bold(`Policy changes (${n})`),
    ...changedSections(diff).flatMap((s) => [
      `  ${s.title}`,
      ...('items' in s
        ? s.items.flatMap((ch) => itemLines(c, s.section, ch))
        : s.fields.map((f) => `    ${c.yellow('~')} ${fieldText(f)}`)),
    ]),
  ];
}

const personLines = (c: ChalkInstance, p: PersonAccessChange): string[] => [
  `  ${c.bold(p.person)}${p.losesAccount ? c.red(' (loses an account)') : ''}`,
  ...p.gained.map((d) => `    ${c.green('+')} ${d.sensitive ? c.magenta(deltaText(d)) : deltaText(d)}`),
  ...p.lost.map((d) => `    ${c.red('-')} ${d.sensitive ? c.magenta(deltaText(d)) : deltaText(d)}`),
];

function impactLines(c: ChalkInstance, impact: AccessDiff): string[] {
  const sod = impact.separationOfDuties;
  return [
    c.bold('Access impact'),
    `  ${impactSummary(impact)}`,
    ...impact.sensitive.map(
      (s) => `  ${c.magenta('! sensitive:')} ${s.person} ${s.change} ${deltaText(s.delta)}`,
    ),
    ...sod.introduced.map((v) => `  ${c.red('! separation of duties:')} ${v.message}`),
    ...sod.resolved.map(
      (v) => `  ${c.green('✓ separation of duties resolved:')} ${v.person} (rule ${v.rule})`,
    ),
    ...(sod.remaining.length > 0
      ? [
          `  ${c.yellow('!')} ${plural(sod.remaining.length, 'separation-of-duties violation')} already in the base policy remain`,
        ]
      : []),
    ...(impact.headBlocked
      ? impact.headBlockedReasons.map((r) => `  ${c.red('! a plan of the head policy is blocked:')} ${r}`)
      : []),
    ...impact.people.flatMap((p) => personLines(c, p)),
  ];
}

export function renderPolicyDiffText(diff: RefDiff, c: ChalkInstance): string {
  return [
    `${c.bold('accord diff')} ${diff.base.ref} (${short(diff.base.commit)}) → ${diff.head.ref} (${short(diff.head.commit)})`,
    '',
    ...policyLines(c, diff.policy),
    ...(diff.impact ? ['', ...impactLines(c, diff.impact)] : []),
  ].join('\n');
}
