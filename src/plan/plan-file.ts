import { createHmac, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gunzip } from 'node:zlib';
import { AccordError } from '../errors.js';
import { isRecord } from '../model/json.js';
import { ACTION_ORDER, isChangeAction } from '../model/actions.js';
import { canonicalJson } from '../model/canonical-json.js';
import { redact } from '../model/redact.js';
import { changeKeys, changesDigest, contentId } from '../model/change-id.js';
import type { PlatformId } from '../model/snapshot.js';
import { impactOf } from './impact.js';
import { patchFor } from '../model/patch.js';
import { PLAN_FORMAT_VERSION, type EntitlementDelta, type PersonImpact, type Plan } from './types.js';

/**
 * The saved plan (Terraform's planfile): how a Plan is written, read back and checked before apply
 * trusts it. Reading never contacts a platform, so a broken or foreign file is refused first.
 */

/** Why a plan file was refused; `code` is `apply.<reason>` for scripts. */
export type PlanFileProblem =
  | 'plan-file'
  | 'format-version'
  | 'other-environment'
  | 'policy-changed'
  | 'tampered'
  | 'unsigned'
  | 'bad-signature';

export class PlanFileError extends AccordError {
  constructor(
    readonly problem: PlanFileProblem,
    message: string,
    hint?: string,
  ) {
    super(message, { code: `apply.${problem}`, ...(hint ? { hint } : {}) });
  }
}

const REPLAN = 'plan again (`accord plan --out`) and review the new plan';

/**
 * Writes a plan for `accord apply PLANFILE`; owner-only, since it names people and accounts. The
 * file is written a chunk of whole lines at a time (each redacted on its own), never built as one
 * string: a first run's plan holds hundreds of thousands of changes. A path ending in `.gz` gets
 * the same text gzip-compressed (about a tenth of the size); `readPlanFile` reads either.
 */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  const redacted = function* () {
    for (const chunk of planChunks(plan)) yield redact(chunk);
  };
  if (path.endsWith('.gz')) {
    await pipeline(Readable.from(redacted()), createGzip(), createWriteStream(path, { mode: 0o600 }));
    return;
  }
  const file = await open(path, 'w', 0o600);
  try {
    for (const chunk of redacted()) await file.write(chunk);
  } finally {
    await file.close();
  }
}

const gunzipped = promisify(gunzip);

const SIGNATURE_PREFIX = 'hmac-sha256:';

/**
 * What a signature covers, the signature itself left out. Version 2: the plan's file text, which
 * is canonical (one spelling per plan) and holds everything the expansion on reading derives from.
 * Version 1 (files written before): the whole plan as canonical JSON. Both are fed to the HMAC a
 * piece at a time, so a large plan is never one string.
 */
function signatureOf(plan: Plan, key: string): string {
  const { signature: _signature, ...content } = plan;
  const hmac = createHmac('sha256', key);
  const pieces = plan.formatVersion === 1 ? canonicalPieces(content) : planChunks(content as Plan);
  for (const piece of pieces) hmac.update(piece);
  return `${SIGNATURE_PREFIX}${hmac.digest('hex')}`;
}

/**
 * `canonicalJson(content)`, byte for byte, in pieces: the plan's own keys sorted, and its long
 * lists (changes, impact) one element at a time.
 */
function* canonicalPieces(content: Record<string, unknown>): Generator<string> {
  let sep = '{';
  for (const key of Object.keys(content).sort()) {
    const value = content[key];
    if (value === undefined) continue;
    yield `${sep}${JSON.stringify(key)}:`;
    sep = ',';
    if (!Array.isArray(value)) {
      yield canonicalJson(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++)
      yield `${i ? ',' : ''}${value[i] === undefined ? 'null' : canonicalJson(value[i])}`;
    yield ']';
  }
  yield sep === '{' ? '{}' : '}';
}

/**
 * The plan signed with ACCORD_PLAN_KEY. Content ids already make an edit visible; the key adds who
 * may make a plan at all: a plan written elsewhere, ids recomputed and all, is not applied.
 */
export const signPlan = (plan: Plan, key: string | undefined): Plan =>
  key ? { ...plan, signature: signatureOf(plan, key) } : plan;

/** With a key, a saved plan must carry its signature; without one, there is nothing to check it with. */
export function verifyPlanSignature(plan: Plan, key: string | undefined, source: string): void {
  if (!key) return;
  if (typeof plan.signature !== 'string')
    throw new PlanFileError(
      'unsigned',
      `${source} is not signed, and ACCORD_PLAN_KEY is set: only plans made with the key are applied`,
      'make the plan where ACCORD_PLAN_KEY is set (`accord plan --out`), or unset the key to apply unsigned plans',
    );
  const expected = Buffer.from(signatureOf(plan, key));
  const actual = Buffer.from(plan.signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    throw new PlanFileError(
      'bad-signature',
      `${source} has a signature that ACCORD_PLAN_KEY does not make: it was edited, or signed with another key`,
      REPLAN,
    );
}

/** Reads and checks a saved plan's shape; says which field is wrong when it is not one. */
export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    const bytes = await readFile(path);
    const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
    text = (gzipped ? await gunzipped(bytes) : bytes).toString('utf8');
  } catch (error) {
    throw new PlanFileError('plan-file', `cannot read plan file ${path}: ${(error as Error).message}`);
  }
  return parsePlan(text, path);
}

export function parsePlan(text: string, source: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError('plan-file', `cannot read plan file ${source}: ${(error as Error).message}`);
  }
  if (!isRecord(value) || !Array.isArray(value.changes))
    throw new PlanFileError(
      'plan-file',
      `${source} is not an accord plan (formatVersion ${PLAN_FORMAT_VERSION})`,
    );
  if (value.formatVersion !== PLAN_FORMAT_VERSION && value.formatVersion !== 1)
    throw new PlanFileError(
      'format-version',
      `${source} is not an accord plan (formatVersion ${PLAN_FORMAT_VERSION})`,
      `it says formatVersion ${JSON.stringify(value.formatVersion)}; ${REPLAN} with this version of accord`,
    );
  const wrong = malformedField(value);
  if (wrong)
    throw new PlanFileError('plan-file', `${source} is not a well-formed accord plan: ${wrong}`, REPLAN);
  if (value.formatVersion === PLAN_FORMAT_VERSION)
    try {
      expand(value);
    } catch (error) {
      // Values no diff can take (a string where an object was): not a plan accord wrote.
      throw new PlanFileError(
        'plan-file',
        `${source} is not a well-formed accord plan: ${(error as Error).message}`,
        REPLAN,
      );
    }
  return value as unknown as Plan;
}

/** Kinds of change that act on a target (what the impact of a compact plan is derived from). */
const TARGETED = new Set(['membership', 'permissionSet', 'permissionSetGroup', 'records']);

/** The first field, as a JSON pointer, whose type is not what apply reads; undefined when all are. */
function malformedField(plan: Record<string, unknown>): string | undefined {
  for (const key of ['environment', 'policyDigest', 'changesDigest', 'createdAt'])
    if (typeof plan[key] !== 'string') return `/${key} is not a string`;
  const compact = plan.formatVersion === PLAN_FORMAT_VERSION;
  const changes = plan.changes as unknown[];
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!isRecord(c)) return `/changes/${i} is not an object`;
    for (const key of ['id', 'address', 'platform', 'kind', 'action'])
      if (typeof c[key] !== 'string') return `/changes/${i}/${key} is not a string`;
    if (!isChangeAction(c.action)) return `/changes/${i}/action ${JSON.stringify(c.action)} is not an action`;
    if (compact && c.patch !== undefined)
      return `/changes/${i}/patch is derived from before and after in formatVersion ${PLAN_FORMAT_VERSION}, never stored`;
    for (const key of compact ? ['dependsOn'] : ['patch', 'dependsOn'])
      if (!Array.isArray(c[key])) return `/changes/${i}/${key} is not a list`;
    if (!isRecord(c.account) || typeof c.account.key !== 'string')
      return `/changes/${i}/account/key is not a string`;
    if (!isRecord(c.reason)) return `/changes/${i}/reason is not an object`;
    if (c.person !== undefined && typeof c.person !== 'string') return `/changes/${i}/person is not a string`;
    if (c.target !== undefined && (!isRecord(c.target) || typeof c.target.name !== 'string'))
      return `/changes/${i}/target/name is not a string`;
    if (compact && c.target === undefined && TARGETED.has(c.kind as string))
      return `/changes/${i}/target is missing (a ${String(c.kind)} change names its target)`;
  }
  if (!compact || Array.isArray(plan.impact)) return undefined;
  const sensitive = plan.sensitiveEntitlements;
  if (!Array.isArray(sensitive))
    return '/impact is not a list (nor /sensitiveEntitlements, to derive it from)';
  const pair = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string');
  const bad = sensitive.findIndex((p) => !pair(p));
  return bad < 0 ? undefined : `/sensitiveEntitlements/${bad} is not a [platform, entitlement] pair`;
}

/**
 * A compact plan (formatVersion 2) made whole again: what the file leaves out is derived from what
 * it holds, exactly as the planner derived it. Absent before and after are null; the impact,
 * when absent, is worked out from the changes, with the entitlements the file names as sensitive.
 * (Patches are derived where they are read, from before and after: model/patch.ts.)
 */
function expand(plan: Record<string, unknown>): void {
  for (const c of plan.changes as Record<string, unknown>[]) {
    c.before ??= null;
    c.after ??= null;
  }
  if (!Array.isArray(plan.impact)) {
    const sensitive = new Set(
      (plan.sensitiveEntitlements as [string, string][]).map(([p, e]) => `${p}\n${e}`),
    );
    plan.impact = impactOf(plan.changes as Plan['changes'], (p, e) => sensitive.has(`${p}\n${e}`));
  }
  delete plan.sensitiveEntitlements;
}

/**
 * A saved plan is whole and unedited: every change's id is the content address of what it says,
 * and the plan's digest covers exactly those changes in that order. Editing a change (its target,
 * a value, a precondition), dropping, adding or reordering changes is refused, not applied.
 */
export function verifyPlanIntegrity(plan: Plan, source: string): void {
  const keys = changeKeys(plan.changes);
  plan.changes.forEach((change, i) => {
    if (contentId(change, keys) !== change.id || !derivedPatch(change))
      throw new PlanFileError(
        'tampered',
        `${source} was edited after it was planned: /changes/${i} (${change.action} ${change.address}) does not match its id`,
        REPLAN,
      );
  });
  if (changesDigest(plan.changes) !== plan.changesDigest)
    throw new PlanFileError(
      'tampered',
      `${source} was edited after it was planned: its changes do not match its changesDigest (changes added, removed or reordered)`,
      REPLAN,
    );
}

/**
 * A version 1 file's stored patch is what before and after make it: apply re-checks the `test`
 * ops of the derived one (a compact file stores none, and a stored one is refused on reading).
 * Compared as a set of ops: a file's values have their keys sorted, so the same ops come out of
 * the diff in another order (each touches its own field).
 */
const opSet = (ops: readonly unknown[]) => ops.map((op) => canonicalJson(op)).sort();
const derivedPatch = (change: Plan['changes'][number]) => {
  const stored = (change as { patch?: unknown[] }).patch;
  if (stored === undefined) return true;
  const derived = patchFor(change.before, change.after);
  return (
    JSON.stringify(stored) === JSON.stringify(derived) ||
    canonicalJson(opSet(stored)) === canonicalJson(opSet(derived))
  );
};

/** A saved plan is applied only to the environment and the policy it was made from. */
export function checkPlanFor(
  plan: Plan,
  policy: { environment: string; digest: string; folder: string },
  source: string,
): void {
  if (plan.environment !== policy.environment)
    throw new PlanFileError(
      'other-environment',
      `${source} was planned for environment "${plan.environment}", not "${policy.environment}"`,
      `apply it with the policy of "${plan.environment}", or ${REPLAN}`,
    );
  if (plan.policyDigest !== policy.digest)
    throw new PlanFileError(
      'policy-changed',
      `${source} was planned from a different policy than the one in ${policy.folder}`,
      REPLAN,
    );
}

/**
 * `accord plan --format json` and saved plan files (`--out`), formatVersion 2: the Plan value as
 * compact JSON, one change per line, with nothing stored that can be derived. A 100k-people first
 * run plans about 190,000 changes, and the pretty-printed version 1 spent about 2 KB on each: every
 * value three times (before, after and the patch), and the indentation.
 *
 * - `formatVersion` changes only when a field is removed or changes meaning; new optional fields
 *   may appear within a version, so readers should ignore keys they don't know. Version 1 files
 *   (pretty-printed, with patches and impact) are still read, and written back as version 1.
 * - Top-level keys, in order: formatVersion, createdAt, environment, policyDigest,
 *   snapshotFingerprints, changesDigest, changes, conflicts, findings, then either impact or
 *   sensitiveEntitlements, then summary, blocked, blockedReasons, and `signature` when
 *   ACCORD_PLAN_KEY was set.
 * - Layout: the keys up to `"changes":[` on the first line; then each change, conflict, finding
 *   (and impact entry, when stored) on a line of its own; the rest on the last line. It is one
 *   JSON document (`jq` reads it) that a line-oriented tool can also follow.
 * - `changes` is topologically ordered: each change comes after the ids in its `dependsOn`. Each
 *   has id, address, platform, kind, action, account, target?, before?, after?, dependsOn,
 *   reason {rule?, source}, person?. `before` and `after` are omitted when null. No `patch`: it is
 *   `patchFor(before, after)` (RFC 6902, leading `test` ops are the preconditions apply
 *   re-checks), derived on reading, and a stored one is refused.
 * - `impact` is omitted when it is what the changes make it (always, for a plan accord made):
 *   `sensitiveEntitlements` lists the [platform, entitlement] pairs it marks sensitive, and the
 *   reader derives it (plan/impact.ts `impactOf`). Otherwise it is stored, one person a line.
 * - What was reviewed is what is applied: every field of a stored change is in its content id,
 *   the ids are in `changesDigest`, and what reading adds (null values, impact), like the patches
 *   derived where they are used, is a pure function of the stored fields, the same on every
 *   reader. A signature covers the file text.
 * - Output is canonical: keys of the plan's own objects follow the Plan type's order, map-like
 *   objects (fingerprints, counts by action) and free-form values (before, after) have their keys
 *   in a fixed order, and absent optional fields are omitted. The same plan therefore always gives
 *   byte-identical JSON, whatever order its objects were built in.
 */
export function serializePlan(plan: Plan): string {
  return Array.from(planChunks(plan)).join('');
}

/** About how much text a chunk of `planChunks` holds: whole lines, so each can be redacted alone. */
const CHUNK_CHARS = 1 << 20;

/** The serialized plan as chunks of whole lines, for writing to a file or stdout without one string. */
export function* planChunks(plan: Plan): Generator<string> {
  if (plan.formatVersion === 1) {
    yield `${JSON.stringify(canonicalPlan(plan), null, 2)}\n`;
    return;
  }
  let lines: string[] = [];
  let size = 0;
  for (const piece of compactPieces(plan)) {
    lines.push(piece);
    size += piece.length;
    if (size < CHUNK_CHARS) continue;
    yield lines.join('');
    lines = [];
    size = 0;
  }
  if (lines.length > 0) yield lines.join('');
}

/** A plan section as a JSON list, one element a line (`[]` when empty). */
function* listLines(items: readonly unknown[], line: (item: unknown) => string): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  yield '[';
  for (let i = 0; i < items.length; i++) yield `${i ? ',' : ''}\n${line(items[i])}`;
  yield '\n]';
}

/** Keys of a record's JSON text, without its braces: `"a":1,"b":2`. */
const members = (value: Record<string, unknown>): string => JSON.stringify(value).slice(1, -1);

/** The keys a compact plan writes on its first line, before the changes. */
const HEAD_KEYS = new Set([
  'formatVersion',
  'createdAt',
  'environment',
  'policyDigest',
  'snapshotFingerprints',
  'changesDigest',
]);

function* compactPieces(plan: Plan): Generator<string> {
  const sections = { changes: undefined, conflicts: undefined, findings: undefined, impact: undefined };
  const top = canonicalPlan({ ...plan, ...sections, formatVersion: PLAN_FORMAT_VERSION });
  const head: Record<string, unknown> = {};
  const tail: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(top as Record<string, unknown>))
    (HEAD_KEYS.has(key) ? head : tail)[key] = value;
  const sensitive = derivableImpact(plan);
  yield `{${members(head)}`;
  for (const [key, line] of Object.entries(LINE_SECTIONS)) {
    if (key === 'impact' && sensitive) {
      yield `,"sensitiveEntitlements":${JSON.stringify(sensitive)}`;
      continue;
    }
    const items = (plan as unknown as Record<string, unknown>)[key];
    yield `,${JSON.stringify(key)}:`;
    yield* listLines(Array.isArray(items) ? items : [], line);
  }
  // The signature last: a signed file is the text it signs, the signature added at the end.
  const { signature, ...rest } = tail;
  const more = members({ ...rest, ...(signature !== undefined ? { signature } : {}) });
  yield `${more ? `,${more}` : ''}}\n`;
}

/**
 * The [platform, entitlement] pairs the impact marks sensitive, when the impact is exactly what
 * the changes and those pairs make it (a plan accord made); undefined when it is not, and the
 * impact is stored as it is.
 */
function derivableImpact(plan: Plan): [PlatformId, string][] | undefined {
  if (!Array.isArray(plan.impact)) return undefined;
  const pairs = new Map<string, [PlatformId, string]>();
  for (const person of plan.impact)
    for (const list of [person.gained, person.lost])
      for (const d of list ?? [])
        if (d.sensitive === true) pairs.set(`${d.platform}\n${d.entitlement}`, [d.platform, d.entitlement]);
  const derived = impactOf(plan.changes, (p, e) => pairs.has(`${p}\n${e}`));
  if (derived.length !== plan.impact.length) return undefined;
  for (let i = 0; i < derived.length; i++)
    if (!samePersonImpact(derived[i]!, plan.impact[i]!)) return undefined;
  return [...pairs.values()].sort((a, b) => (a[0] + '\n' + a[1] < b[0] + '\n' + b[1] ? -1 : 1));
}

/** Field by field, as the file would spell them (an absent field and an undefined one alike). */
function samePersonImpact(a: PersonImpact, b: PersonImpact): boolean {
  if (!isRecord(b) || Object.keys(b).some((k) => !PERSON_IMPACT_KEYS.has(k))) return false;
  const sameDeltas = (x: EntitlementDelta[], y: unknown) =>
    Array.isArray(y) && x.length === y.length && x.every((d, i) => sameDelta(d, y[i]));
  return (
    a.person === b.person &&
    a.deprovisioned === b.deprovisioned &&
    sameDeltas(a.gained, b.gained) &&
    sameDeltas(a.lost, b.lost)
  );
}
const PERSON_IMPACT_KEYS = new Set(['person', 'gained', 'lost', 'deprovisioned']);
const DELTA_KEYS = new Set(['platform', 'entitlement', 'rule', 'sensitive']);
const sameDelta = (a: EntitlementDelta, b: unknown): boolean =>
  isRecord(b) &&
  Object.keys(b).every((k) => DELTA_KEYS.has(k)) &&
  a.platform === b.platform &&
  a.entitlement === b.entitlement &&
  a.rule === b.rule &&
  a.sensitive === b.sensitive;

type Json = unknown;
type Shape = (value: Json) => Json;

/** Free-form data: keys sorted at every depth, since no type fixes their order. */
function sortedDeep(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value).sort();
  return Object.fromEntries(keys.map((k) => [k, sortedDeep(value[k])]));
}

/**
 * Keys in the type's order, each shaped by its own rule; keys the type doesn't know (a newer
 * planner) are kept after them, sorted, so nothing is lost on the way out.
 */
function ordered(fields: Record<string, Shape>): Shape {
  const known = Object.keys(fields);
  return (value) => {
    if (!isRecord(value)) return value;
    const extra = Object.keys(value)
      .filter((k) => !(k in fields))
      .sort();
    const out: Record<string, Json> = {};
    for (const k of known.concat(extra)) {
      if (value[k] === undefined) continue;
      const shaped = (fields[k] ?? sortedDeep)(value[k]);
      if (shaped !== undefined) out[k] = shaped;
    }
    return out;
  };
}

const same: Shape = (v) => v;
const each =
  (shape: Shape): Shape =>
  (v) =>
    Array.isArray(v) ? v.map(shape) : v;

/** Counts by action in the order the summary line reads them. */
const byAction: Shape = (v) => {
  if (!isRecord(v)) return v;
  const known = ACTION_ORDER.filter((a) => a in v);
  return ordered(Object.fromEntries(known.map((a) => [a, same])))(v);
};

const patchOp = ordered({ op: same, path: same, from: same, value: sortedDeep });

const changeFields: Record<string, Shape> = {
  id: same,
  address: same,
  platform: same,
  kind: same,
  action: same,
  account: ordered({ key: same, id: same }),
  target: ordered({ name: same, id: same }),
  before: sortedDeep,
  after: sortedDeep,
  patch: each(patchOp),
  dependsOn: same,
  reason: ordered({ rule: same, source: same }),
  person: same,
};
const change = ordered(changeFields);

/** A change as a compact file holds it: no patch (derived), no null before or after. */
const absentIfNull =
  (shape: Shape): Shape =>
  (v) =>
    v === null ? undefined : shape(v);
const compactChange = ordered({
  ...changeFields,
  before: absentIfNull(sortedDeep),
  after: absentIfNull(sortedDeep),
  patch: () => undefined,
});

const identityLink = ordered({
  person: same,
  okta: same,
  onelogin: same,
  salesforce: sortedDeep,
  reason: same,
  ticket: same,
});

const conflict = ordered({
  person: same,
  platform: same,
  kind: same,
  key: same,
  candidates: same,
  message: same,
  resolution: identityLink,
});

const finding = ordered({
  code: same,
  severity: same,
  message: same,
  platform: same,
  person: same,
  address: same,
  rule: same,
});

const delta = ordered({ platform: same, entitlement: same, rule: same, sensitive: same });

const personImpact = ordered({ person: same, gained: each(delta), lost: each(delta), deprovisioned: same });

const summary = ordered({ byAction, total: same, peopleDeprovisioned: same, peopleInScope: same });

const canonicalPlan = ordered({
  formatVersion: same,
  createdAt: same,
  environment: same,
  policyDigest: same,
  snapshotFingerprints: sortedDeep,
  changesDigest: same,
  changes: each(change),
  conflicts: each(conflict),
  findings: each(finding),
  impact: each(personImpact),
  summary,
  blocked: same,
  blockedReasons: same,
  signature: same,
});

const hasOnly = (value: unknown, keys: readonly string[]): value is Record<string, unknown> =>
  isRecord(value) && Object.keys(value).every((k) => keys.includes(k));
const CHANGE_KEYS = new Set(Object.keys(changeFields));

/**
 * A change's line: `compactChange`'s bytes, spelled directly for the changes the planner makes
 * (no field it does not know), since a first run writes hundreds of thousands of them.
 */
function changeLine(value: unknown): string {
  const c = value as Record<string, unknown>;
  const plain =
    isRecord(c) &&
    Object.keys(c).every((k) => CHANGE_KEYS.has(k)) &&
    hasOnly(c.account, ['key', 'id']) &&
    (c.target === undefined || hasOnly(c.target, ['name', 'id'])) &&
    hasOnly(c.reason, ['rule', 'source']);
  if (!plain) return JSON.stringify(compactChange(c));
  const account = c.account as Record<string, unknown>;
  const target = c.target as Record<string, unknown> | undefined;
  const reason = c.reason as Record<string, unknown>;
  const free = (v: unknown) => (v === null || v === undefined ? undefined : sortedDeep(v));
  return JSON.stringify({
    id: c.id,
    address: c.address,
    platform: c.platform,
    kind: c.kind,
    action: c.action,
    account: { key: account.key, id: account.id },
    target: target && { name: target.name, id: target.id },
    before: free(c.before),
    after: free(c.after),
    dependsOn: c.dependsOn,
    reason: { rule: reason.rule, source: reason.source },
    person: c.person,
  });
}

const lineOf =
  (shape: Shape) =>
  (item: unknown): string =>
    JSON.stringify(shape(item));

/** The sections a compact plan writes one element a line, in the plan's key order. */
const LINE_SECTIONS: Record<string, (item: unknown) => string> = {
  changes: changeLine,
  conflicts: lineOf(conflict),
  findings: lineOf(finding),
  impact: lineOf(personImpact),
};
