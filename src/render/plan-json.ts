import type { Plan } from '../plan/types.js';
import { ACTION_ORDER } from './plan-text.js';
import { isRecord } from '../model/json.js';

/**
 * `accord plan --format json` and saved plan files (`--out`): the Plan value, pretty-printed with
 * two spaces and a trailing newline.
 *
 * - `formatVersion` (currently 1) changes only when a field is removed or changes meaning; new
 *   optional fields may appear within a version, so readers should ignore keys they don't know.
 * - Top-level keys, in order: formatVersion, createdAt, environment, policyDigest,
 *   snapshotFingerprints, changes, conflicts, findings, impact, summary, blocked, blockedReasons.
 * - `changes` is topologically ordered: each change comes after the ids in its `dependsOn`. Each
 *   has id, address, platform, kind, action, account, target?, before, after, patch (RFC 6902,
 *   leading `test` ops are the preconditions apply re-checks), dependsOn, reason {rule?, source}.
 * - Output is canonical: keys of the plan's own objects follow the Plan type's order, map-like
 *   objects (fingerprints, counts by action) and free-form values (before, after, patch values)
 *   have their keys in a fixed order, and absent optional fields are omitted. The same plan
 *   therefore always gives byte-identical JSON, whatever order its objects were built in.
 */
export function renderPlanJson(plan: Plan): string {
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
  changes: each(change),
  conflicts: each(conflict),
  findings: each(finding),
  impact: each(personImpact),
  summary,
  blocked: same,
  blockedReasons: same,
});
