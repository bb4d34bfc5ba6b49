import type { ErrorObject } from 'ajv';
import type { LoadedDocument } from './load.js';
import { escapeSegment, fromPointer, toPointer } from './pointer.js';
import { schemaErrors } from './schema-check.js';

/**
 * What is left of a document with schema errors once every invalid part is cut out, so the
 * cross-document checks still see the rest: a typo in one rule must not hide a duplicate id in
 * another file. Object keys are deleted; an entry of a list that `collect` reads item by item
 * (rules, exceptions, links, ...) is blanked, so the pointers of the entries after it stay right;
 * any other invalid array entry takes its parent with it. Repeated until the rest validates: a cut
 * can leave its parent invalid (a required key gone), and then the parent goes too.
 */
export interface Salvaged {
  /** The valid remainder, or undefined when nothing usable is left. */
  doc?: LoadedDocument;
  /** Pointers (relative to the document) of what was cut; `''` when the whole document went. */
  removed: string[];
}

/** Lists whose entries `collect` locates one by one (relative to the document). */
const ITEM_LISTS = new Set([
  '/links',
  '/groups',
  '/mirrors',
  '/access',
  '/exceptions',
  '/identity/populations',
  '/identity/attributes',
  '/guardrails/separationOfDuties',
  '/events/alerts',
]);

/** More rounds than any nesting a schema-valid policy can have; past them, give the document up. */
const MAX_ROUNDS = 80;

type Node = Record<string, unknown> | unknown[];

const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object';

/** A copy of plain data that keeps every own key as a plain property (`__proto__` included). */
const clone = (v: unknown, depth = 0): unknown =>
  depth > 200 || !isNode(v)
    ? v
    : Array.isArray(v)
      ? v.map((x) => clone(x, depth + 1))
      : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x, depth + 1)]));

const nodeAt = (root: unknown, segments: readonly string[]): unknown => {
  let node = root;
  for (const seg of segments) {
    if (!isNode(node) || !Object.hasOwn(node, seg)) return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
};

/** Keywords about an object as a whole (its keys), rather than about one value. */
const OBJECT_KEYWORDS = new Set(['required', 'minProperties', 'maxProperties', 'dependencies']);

/**
 * What to cut for an error. An unknown or badly named key goes alone: nothing relies on it. A bad
 * value takes the object around it along (the rule, the grant, the org's settings), because a
 * check that sees the object without that value could take its absence for a mistake of its own
 * ("grants nothing", "needs org"); a top-level section goes alone.
 */
function targetOf(root: unknown, e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties')
    return `${e.instancePath}/${escapeSegment(String(params.additionalProperty))}`;
  if (e.keyword === 'propertyNames') return `${e.instancePath}/${escapeSegment(String(params.propertyName))}`;
  const segments = fromPointer(e.instancePath);
  if (OBJECT_KEYWORDS.has(e.keyword) && isNode(nodeAt(root, segments))) return e.instancePath;
  for (let n = segments.length - 1; n > 1; n--) {
    const around = nodeAt(root, segments.slice(0, n));
    if (isNode(around) && !Array.isArray(around)) return toPointer(segments.slice(0, n));
  }
  return toPointer(segments.slice(0, 1));
}

const within = (pointer: string, cut: string) => pointer === cut || pointer.startsWith(`${cut}/`);

/** The nearest part that can go: an object key, or an entry of an item list; `''` is the whole. */
function cuttable(root: unknown, pointer: string): string {
  let segments = fromPointer(pointer);
  while (segments.length > 0) {
    const parentSegments = segments.slice(0, -1);
    const parent = nodeAt(root, parentSegments);
    if (isNode(parent) && !Array.isArray(parent)) return toPointer(segments);
    if (Array.isArray(parent) && ITEM_LISTS.has(toPointer(parentSegments))) return toPointer(segments);
    segments = parentSegments;
  }
  return '';
}

function cut(root: unknown, pointer: string): void {
  const segments = fromPointer(pointer);
  const parent = nodeAt(root, segments.slice(0, -1));
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) parent[Number(last)] = undefined;
  else if (isNode(parent)) delete (parent as Record<string, unknown>)[last];
}

export function salvage(doc: LoadedDocument): Salvaged {
  if (!isNode(doc.value) || Array.isArray(doc.value)) return { removed: [''] };
  const value = clone(doc.value);
  const removed: string[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // A blanked list entry is itself invalid (undefined is no JSON value): it is already cut.
    const errors = schemaErrors(value).filter((e) => !removed.some((r) => within(e.instancePath, r)));
    if (errors.length === 0) return { doc: { ...doc, value }, removed };
    for (const error of errors) {
      const target = cuttable(value, targetOf(value, error));
      if (target === '') return { removed: [''] };
      if (removed.some((r) => within(target, r))) continue;
      cut(value, target);
      removed.push(target);
    }
  }
  return { removed: [''] };
}

/**
 * Whether a cut may have taken away something other documents refer to (a platform, an org, the
 * document itself): then "no document declares X" is not a conclusion the checks may draw.
 */
export const cutsDeclarations = (removed: readonly string[]): boolean =>
  removed.some(
    (r) =>
      r === '' ||
      r === '/platforms' ||
      /^\/platforms\/(okta|onelogin|salesforce)$/.test(r) ||
      /^\/platforms\/salesforce\/[^/]+$/.test(r),
  );
