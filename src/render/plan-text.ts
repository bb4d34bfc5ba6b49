import type { ChalkInstance } from 'chalk';
import { ACTION_ORDER, actionOf, type ChangeMark } from '../model/actions.js';
import type { Change, ChangeAction } from '../model/change.js';
import { orgOf, type PlatformId } from '../model/snapshot.js';
import type { Plan } from '../plan/types.js';
import type { Conflict, Finding, FindingSeverity } from '../model/findings.js';
import { isRecord } from '../model/json.js';

export const markOf = (action: ChangeAction): ChangeMark => actionOf(action).mark;

/**
 * The mark inside a Markdown `diff` fence: GitHub colours `+`, `-` and `!` lines there but not
 * `~`, so an in-place change is written `!` (as tfcmt and terraform-pr-commenter do).
 */
export const diffMarkOf = (action: ChangeAction): string => {
  const mark = markOf(action);
  return mark === '~' ? '!' : mark;
};

export interface PlatformGroup {
  platform: PlatformId;
  title: string;
  changes: Change[];
}

export function platformTitle(platform: PlatformId): string {
  if (platform === 'okta') return 'Okta';
  if (platform === 'onelogin') return 'OneLogin';
  return `Salesforce ${orgOf(platform) ?? platform}`;
}

const IDP_RANK: Partial<Record<PlatformId, number>> = { okta: 0, onelogin: 1 };

/**
 * Okta, then OneLogin, then each Salesforce org in the order the plan first names it (its
 * fingerprints follow the policy's org order, so `prod` stays before `emea` as the policy wrote
 * them); sorting org keys alphabetically would put a sandbox org above production.
 */
function platformOrder(plan: Plan): PlatformId[] {
  const seen = new Set<PlatformId>([
    ...(Object.keys(plan.snapshotFingerprints) as PlatformId[]),
    ...plan.changes.map((c) => c.platform),
  ]);
  const all = [...seen];
  const rank = (p: PlatformId): number => IDP_RANK[p] ?? 2;
  return all.sort((a, b) => rank(a) - rank(b) || all.indexOf(a) - all.indexOf(b));
}

/** Changes grouped by platform, keeping the plan's (topological) order inside each group. */
export function groupByPlatform(plan: Plan): PlatformGroup[] {
  const byPlatform = new Map<PlatformId, Change[]>();
  for (const change of plan.changes) {
    const list = byPlatform.get(change.platform);
    if (list) list.push(change);
    else byPlatform.set(change.platform, [change]);
  }
  return platformOrder(plan)
    .filter((p) => byPlatform.has(p))
    .map((p) => ({ platform: p, title: platformTitle(p), changes: byPlatform.get(p) ?? [] }));
}

export function countByAction(changes: readonly Change[]): Map<ChangeAction, number> {
  const counts = new Map<ChangeAction, number>();
  for (const c of changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  return new Map(ACTION_ORDER.filter((a) => counts.has(a)).map((a) => [a, counts.get(a) ?? 0]));
}

/**
 * Counted from the changes themselves rather than `plan.summary`, so a plan narrowed with
 * `--target` still summarises exactly what is listed above it.
 */
export function summaryLine(plan: Plan): string {
  const counts = countByAction(plan.changes);
  if (counts.size > 0) {
    const parts = [...counts].map(([action, n]) => `${n} to ${action}`);
    return `Plan: ${parts.join(', ')}.`;
  }
  if (plan.conflicts.length > 0) {
    const n = plan.conflicts.length;
    return `No changes to apply; ${plural(n, 'conflict')} ${n === 1 ? 'holds' : 'hold'} back changes.`;
  }
  return 'No changes. Live state matches the policy.';
}

export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export const people = (n: number): string => (n === 1 ? '1 person' : `${n} people`);

const MAX_VALUE = 60;

function compactValue(value: unknown): string {
  const text = value === undefined ? 'null' : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** Only the fields that differ: an update's before/after may carry context fields that stay equal. */
export function changedFields(
  before: unknown,
  after: unknown,
): { field: string; from: unknown; to: unknown }[] {
  if (!isRecord(before) || !isRecord(after)) return [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    .map((f) => ({ field: f, from: before[f], to: after[f] }));
}

/** `title: "AE" → "Senior AE"` for updates, `→ queue Sales_Pool` for transfers, nothing otherwise. */
export function changeDetail(change: Change): string {
  if (change.action === 'transfer' && isRecord(change.after) && isRecord(change.after.to)) {
    const to = change.after.to;
    if (typeof to.user === 'string') return `→ user ${to.user}`;
    if (typeof to.queue === 'string') return `→ queue ${to.queue}`;
  }
  // A Contact (UC-14, UC-15) is created under an Account, named by its lookup.
  if (change.kind === 'contact' && change.action === 'create' && isRecord(change.after)) {
    const account = change.after.Account;
    const lookup = isRecord(account) ? Object.entries(account)[0] : undefined;
    return lookup ? `under Account ${lookup[0]}=${compactValue(lookup[1])}` : '';
  }
  if (change.action !== 'update') return '';
  if (!isRecord(change.before) || !isRecord(change.after)) {
    return `${compactValue(change.before)} → ${compactValue(change.after)}`;
  }
  return changedFields(change.before, change.after)
    .map((d) => `${d.field}: ${compactValue(d.from)} → ${compactValue(d.to)}`)
    .join(', ');
}

/** One line always: a multi-line fact would break the one-line-per-change layout and diff blocks. */
export const reasonText = (reason: Change['reason']): string =>
  (reason.rule ? `${reason.rule}: ${reason.source}` : reason.source).replace(/\s*\r?\n\s*/g, ' ');

export function renderChangeLine(change: Change, c: ChalkInstance): string {
  const { mark, colour } = actionOf(change.action);
  const paint = c[colour];
  const detail = changeDetail(change);
  const head = `  ${paint(mark)} ${change.address} ${paint(change.action)}`;
  return `${head}${detail ? ` ${detail}` : ''}  ${c.dim(`# ${reasonText(change.reason)}`)}`;
}

function renderGroups(plan: Plan, c: ChalkInstance): string[] {
  return groupByPlatform(plan).flatMap((g) => [
    c.bold(`${g.title} (${plural(g.changes.length, 'change')})`),
    ...g.changes.map((ch) => renderChangeLine(ch, c)),
    '',
  ]);
}

/** What to write, or why no `links` entry can help (rules of equal priority must be fixed instead). */
export function conflictResolutionText(conflict: Conflict): string {
  return conflict.resolution
    ? `resolve with links entry: ${JSON.stringify(conflict.resolution)}`
    : 'no links entry resolves it: fix the rules so one has the higher priority';
}

function renderConflicts(conflicts: readonly Conflict[], c: ChalkInstance): string[] {
  if (conflicts.length === 0) return [];
  const lines = conflicts.flatMap((k) => [
    `  ${c.magenta('!')} ${k.person} (${platformTitle(k.platform)}): ${k.message}`,
    `    ${conflictNature(k)}; candidates: ${k.candidates.join(', ') || 'none'}`,
    `    ${conflictResolutionText(k)}`,
  ]);
  return [
    c.bold(`Conflicts (${conflicts.length}): these people's changes on the platform named are held back`),
    ...lines,
    '',
  ];
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { block: 0, warn: 1, info: 2 };

/** Blockers first, so the reason a plan cannot be applied is never below the fold. */
export const sortFindings = (findings: readonly Finding[]): Finding[] =>
  findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);

function severityLabel(severity: FindingSeverity, c: ChalkInstance): string {
  const padded = severity.padEnd(5);
  if (severity === 'block') return c.red.bold(padded);
  if (severity === 'warn') return c.yellow(padded);
  return c.blue(padded);
}

function renderFindings(findings: readonly Finding[], c: ChalkInstance): string[] {
  if (findings.length === 0) return [];
  const lines = sortFindings(findings).map((f) => {
    const where = f.address ?? f.person;
    return `  ${severityLabel(f.severity, c)} ${f.code}: ${f.message}${where ? c.dim(` (${where})`) : ''}`;
  });
  return [c.bold(`Findings (${findings.length})`), ...lines, ''];
}

export function blockedBanner(plan: Plan): string {
  const reasons = plan.blockedReasons.length > 0 ? plan.blockedReasons.join('; ') : 'a guard rail';
  return `Plan blocked: ${reasons}. Apply refuses it without --allow-large-change.`;
}

/**
 * The terminal rendering, Terraform-like:
 *
 *   Okta (1 change)
 *     + okta.user["ana@acme.test"] create  # okta-accounts: hr says ana@acme.test joined
 *
 *   Plan: 1 to create.
 */
export function renderPlanText(plan: Plan, c: ChalkInstance): string {
  const lines = [
    ...renderGroups(plan, c),
    ...renderConflicts(plan.conflicts, c),
    ...renderFindings(plan.findings, c),
    ...(plan.blocked ? [c.red.bold(blockedBanner(plan))] : []),
    c.bold(summaryLine(plan)),
  ];
  return `${lines.join('\n')}\n`;
}

/** What kind of conflict, in words: `ambiguous match on email`, `match keys disagree (federationId, email)`. */
export const conflictNature = (k: Pick<Conflict, 'kind' | 'key'>): string =>
  k.kind === 'disagreement' ? `match keys disagree (${k.key})` : `${k.kind} match on ${k.key}`;
