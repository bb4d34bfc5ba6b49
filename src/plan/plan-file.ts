import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { AccordError } from '../errors.js';
import { isRecord } from '../model/json.js';
import { ACTION_ORDER, isChangeAction } from '../model/actions.js';
import { canonicalJson } from '../model/canonical-json.js';
import { redact } from '../model/redact.js';
import { changeKeys, changesDigest, contentId } from '../model/change-id.js';
import { patchFor } from './make-change.js';
import { PLAN_FORMAT_VERSION, type Plan } from './types.js';

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

/** Writes a plan for `accord apply PLANFILE`; owner-only, since it names people and accounts. */
export const writePlanFile = (path: string, plan: Plan): Promise<void> =>
  writeFile(path, redact(serializePlan(plan)), { mode: 0o600 });

const SIGNATURE_PREFIX = 'hmac-sha256:';

/** What a signature covers: the whole plan as canonical JSON, the signature itself left out. */
function signatureOf(plan: Plan, key: string): string {
  const { signature: _signature, ...content } = plan;
  return `${SIGNATURE_PREFIX}${createHmac('sha256', key).update(canonicalJson(content)).digest('hex')}`;
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
    text = await readFile(path, 'utf8');
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
  if (value.formatVersion !== PLAN_FORMAT_VERSION)
    throw new PlanFileError(
      'format-version',
      `${source} is not an accord plan (formatVersion ${PLAN_FORMAT_VERSION})`,
      `it says formatVersion ${JSON.stringify(value.formatVersion)}; ${REPLAN} with this version of accord`,
    );
  const wrong = malformedField(value);
  if (wrong)
    throw new PlanFileError('plan-file', `${source} is not a well-formed accord plan: ${wrong}`, REPLAN);
  return value as unknown as Plan;
}

/** The first field, as a JSON pointer, whose type is not what apply reads; undefined when all are. */
function malformedField(plan: Record<string, unknown>): string | undefined {
  for (const key of ['environment', 'policyDigest', 'changesDigest', 'createdAt'])
    if (typeof plan[key] !== 'string') return `/${key} is not a string`;
  const changes = plan.changes as unknown[];
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!isRecord(c)) return `/changes/${i} is not an object`;
    for (const key of ['id', 'address', 'platform', 'kind', 'action'])
      if (typeof c[key] !== 'string') return `/changes/${i}/${key} is not a string`;
    if (!isChangeAction(c.action)) return `/changes/${i}/action ${JSON.stringify(c.action)} is not an action`;
    for (const key of ['patch', 'dependsOn'])
      if (!Array.isArray(c[key])) return `/changes/${i}/${key} is not a list`;
    if (!isRecord(c.account) || typeof c.account.key !== 'string')
      return `/changes/${i}/account/key is not a string`;
    if (!isRecord(c.reason)) return `/changes/${i}/reason is not an object`;
  }
  return undefined;
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
 * The patch is what before and after make it: its `test` ops are the preconditions apply
 * re-checks. Compared as a set of ops: a file's values have their keys sorted, so the same ops
 * come out of the diff in another order (each touches its own field).
 */
const opSet = (ops: readonly unknown[]) => ops.map((op) => canonicalJson(op)).sort();
const derivedPatch = (change: Plan['changes'][number]) =>
  canonicalJson(opSet(change.patch)) === canonicalJson(opSet(patchFor(change.before, change.after)));

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
 * `accord plan --format json` and saved plan files (`--out`): the Plan value, pretty-printed with
 * two spaces and a trailing newline.
 *
 * - `formatVersion` (currently 1) changes only when a field is removed or changes meaning; new
 *   optional fields may appear within a version, so readers should ignore keys they don't know.
 * - Top-level keys, in order: formatVersion, createdAt, environment, policyDigest,
 *   snapshotFingerprints, changesDigest, changes, conflicts, findings, impact, summary, blocked,
 *   blockedReasons, and `signature` when ACCORD_PLAN_KEY was set.
 * - `changes` is topologically ordered: each change comes after the ids in its `dependsOn`. Each
 *   has id, address, platform, kind, action, account, target?, before, after, patch (RFC 6902,
 *   leading `test` ops are the preconditions apply re-checks), dependsOn, reason {rule?, source}.
 * - Output is canonical: keys of the plan's own objects follow the Plan type's order, map-like
 *   objects (fingerprints, counts by action) and free-form values (before, after, patch values)
 *   have their keys in a fixed order, and absent optional fields are omitted. The same plan
 *   therefore always gives byte-identical JSON, whatever order its objects were built in.
 */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(canonicalPlan(plan), null, 2)}\n`;
}

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
    const entries = [...known, ...extra]
      .filter((k) => value[k] !== undefined)
      .map((k) => [k, (fields[k] ?? sortedDeep)(value[k])]);
    return Object.fromEntries(entries);
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

const change = ordered({
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
