import { type Policy } from '../policy/policy.js';
import { canonicalJson } from '../model/canonical-json.js';
import type {
  AccessException,
  AccessRule,
  IdentityLink,
  ManagedGroup,
  Mirror,
  SeparationOfDuties,
} from '../policy/types.js';
import { isRecord } from '../model/json.js';

/**
 * The semantic diff of two policies (UC-25): what a reviewer needs to know, by rule id rather than
 * by file and line, so moving a rule between files or reordering keys shows as no change at all.
 */

/**
 * One changed field, at a dotted path inside its item (`grants.prod.permissionSets`). Unordered
 * lists (permission sets, members, sensitive entitlements) report what was added and removed;
 * anything else reports the value before and after (absent on the side where it does not exist).
 */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
  added?: unknown[];
  removed?: unknown[];
}

export interface ItemChange<T> {
  change: 'added' | 'removed' | 'changed';
  /** The item's key: rule id, `okta:Sales Admins` for a group, the person for a link. */
  id: string;
  before?: T;
  after?: T;
  /** For `changed`: what differs. For `added`/`removed`: empty (the whole item is the change). */
  fields: FieldChange[];
}

export interface GroupChange extends ItemChange<ManagedGroup> {
  /** Declared members that joined or left (with everything for an added or removed group). */
  membersAdded: string[];
  membersRemoved: string[];
}

export interface PolicyDiff {
  /** True when the two merged policies are equal (same digest). */
  identical: boolean;
  baseDigest: string;
  headDigest: string;
  access: ItemChange<AccessRule>[];
  exceptions: ItemChange<AccessException>[];
  groups: GroupChange[];
  mirrors: ItemChange<Mirror>[];
  links: ItemChange<IdentityLink>[];
  separationOfDuties: ItemChange<SeparationOfDuties>[];
  /** Every other guard rail (protected accounts, caps, sensitive entitlements). */
  guardrails: FieldChange[];
  identity: FieldChange[];
  lifecycle: FieldChange[];
  platforms: FieldChange[];
  settings: FieldChange[];
}

/** Fields holding a Condition, shown whole: a condition read key by key makes no sense. */
const WHOLE = new Set(['when', 'rule', 'not', 'include', 'exclude']);
/** Lists whose order means something (match precedence, transfer recipients). */
const ORDERED = new Set(['match', 'to']);

// Absent and present are different, so `undefined` is compared before spelling values out.
const same = (a: unknown, b: unknown) =>
  a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** A list of items that all carry a string `id`: compared by id, not by position. */
const hasIds = (list: unknown[]): list is { id: string }[] =>
  list.length > 0 && list.every((x) => isRecord(x) && typeof x.id === 'string');

export function diffValues(path: string, before: unknown, after: unknown): FieldChange[] {
  if (same(before, after)) return [];
  const key = path.split('.').at(-1) ?? '';
  if (before === undefined) return [{ path, after }];
  if (after === undefined) return [{ path, before }];
  if (WHOLE.has(key)) return [{ path, before, after }];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(join(path, k), before[k], after[k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (ORDERED.has(key)) return [{ path, before, after }];
    if (hasIds(before) && hasIds(after)) {
      const a = new Map(before.map((x) => [x.id, x]));
      const b = new Map(after.map((x) => [x.id, x]));
      const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
      return ids.flatMap((id) => diffValues(join(path, id), a.get(id), b.get(id)));
    }
    const a = new Map(before.map((x) => [canonicalJson(x), x]));
    const b = new Map(after.map((x) => [canonicalJson(x), x]));
    const added = [...b].filter(([k]) => !a.has(k)).map(([, v]) => v);
    const removed = [...a].filter(([k]) => !b.has(k)).map(([, v]) => v);
    // Same elements, other order, in a list where order does not matter: no change.
    if (added.length === 0 && removed.length === 0) return [];
    return [{ path, ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) }];
  }
  return [{ path, before, after }];
}

function diffItems<T>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (item: T) => string,
): ItemChange<T>[] {
  const a = new Map(before.map((x) => [keyOf(x), x]));
  const b = new Map(after.map((x) => [keyOf(x), x]));
  const out: ItemChange<T>[] = [];
  for (const id of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(id);
    const y = b.get(id);
    if (x === undefined) out.push({ change: 'added', id, after: y!, fields: [] });
    else if (y === undefined) out.push({ change: 'removed', id, before: x, fields: [] });
    else {
      const fields = diffValues('', x, y);
      if (fields.length > 0) out.push({ change: 'changed', id, before: x, after: y, fields });
    }
  }
  return out;
}

const groupKey = (g: ManagedGroup) => `${g.platform}:${g.name}`;

function diffGroups(before: readonly ManagedGroup[], after: readonly ManagedGroup[]): GroupChange[] {
  return diffItems(before, after, groupKey).map((c) => {
    const was = new Set(c.before?.members ?? []);
    const is = new Set(c.after?.members ?? []);
    return {
      ...c,
      membersAdded: [...is].filter((m) => !was.has(m)).sort(),
      membersRemoved: [...was].filter((m) => !is.has(m)).sort(),
    };
  });
}

export function diffPolicies(base: Policy, head: Policy): PolicyDiff {
  const { separationOfDuties: baseSod = [], ...baseGuardrails } = base.guardrails;
  const { separationOfDuties: headSod = [], ...headGuardrails } = head.guardrails;
  return {
    identical: base.digest === head.digest,
    baseDigest: base.digest,
    headDigest: head.digest,
    access: diffItems(base.access, head.access, (r) => r.id),
    exceptions: diffItems(base.exceptions, head.exceptions, (e) => e.id),
    groups: diffGroups(base.groups, head.groups),
    mirrors: diffItems(base.mirrors, head.mirrors, (m) => m.id),
    links: diffItems(base.links, head.links, (l) => l.person),
    separationOfDuties: diffItems(baseSod, headSod, (s) => s.id),
    guardrails: diffValues('guardrails', baseGuardrails, headGuardrails),
    identity: diffValues('identity', base.identity, head.identity),
    lifecycle: diffValues('lifecycle', base.lifecycle, head.lifecycle),
    platforms: diffValues('platforms', base.platforms, head.platforms),
    settings: diffValues('settings', base.settings, head.settings),
  };
}

/** How many items and fields changed, for summaries. */
export function countPolicyChanges(diff: PolicyDiff): number {
  return (
    diff.access.length +
    diff.exceptions.length +
    diff.groups.length +
    diff.mirrors.length +
    diff.links.length +
    diff.separationOfDuties.length +
    diff.guardrails.length +
    diff.identity.length +
    diff.lifecycle.length +
    diff.platforms.length +
    diff.settings.length
  );
}
