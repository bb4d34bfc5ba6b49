import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import { escapeSegment, fromPointer } from './pointer.js';
import { didYouMean } from './suggest.js';

/** The generated JSON Schema (schemas/ is committed; `npm test` fails when it is stale). */
type Schema = { definitions: Record<string, SchemaNode> } & SchemaNode;
interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
  description?: string;
  pattern?: string;
}

const schemaUrl = new URL('../../schemas/policy.schema.json', import.meta.url);
let compiled: { schema: Schema; validate: ValidateFunction } | undefined;

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

function compile(): { schema: Schema; validate: ValidateFunction } {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as Schema;
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    compiled = { schema, validate: ajv.compile(schema) };
  }
  return compiled;
}

export const policySchema = (): Schema => compile().schema;

const resolve = (schema: Schema, node: SchemaNode | undefined): SchemaNode | undefined =>
  node?.$ref ? schema.definitions[node.$ref.replace('#/definitions/', '')] : node;

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number' && Number.isInteger(value)
        ? 'integer'
        : typeof value;

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

const quoteAll = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

const firstSentence = (text: string | undefined) => text?.split(/(?<=\.)\s/)[0]?.replace(/\n/g, ' ');

/** A slug that satisfies the id pattern, offered as the fix for a bad id. */
const slug = (value: unknown) =>
  String(value)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');

const valueAt = (root: unknown, pointer: string): unknown =>
  fromPointer(pointer).reduce<unknown>(
    (node, seg) =>
      node !== null && typeof node === 'object' && Object.hasOwn(node, seg)
        ? (node as Record<string, unknown>)[seg]
        : undefined,
    root,
  );

/** Names JavaScript gives meaning to on every object: as keys they could reach the prototype. */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** A valid org key close to a bad one, offered as the fix. */
const orgSlug = (value: string) => {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '');
  return s === '' ? 'prod' : RESERVED_KEYS.includes(s) ? `${s}_org` : s;
};

const ORG_KEY_RULE = 'lowercase letters, digits and underscores, starting with a letter';

/** Explains a bad org key (a key of a map by org) or org reference (`org`, `to`). */
function orgKeyFinding(key: string, allowStar: boolean, pointer: string, onKey: boolean): Finding {
  const reserved = RESERVED_KEYS.includes(key);
  const what = onKey ? 'Salesforce org key' : 'Salesforce org';
  const suggestion = orgSlug(key);
  return {
    pointer,
    onKey,
    code: 'schema.org-key',
    message: reserved
      ? `${what} ${JSON.stringify(key)} is reserved: it names a property of every JavaScript object`
      : `${what} ${JSON.stringify(key)} is not valid: an org key is ${ORG_KEY_RULE}${allowStar ? ', or "*" for every org' : ''}`,
    hint: `rename it, e.g. "${suggestion}" (the key also names the org's environment variables, such as SF_${suggestion.toUpperCase()}_INSTANCE_URL)`,
  };
}

interface Finding {
  pointer: string;
  onKey: boolean;
  code: string;
  message: string;
  hint?: string;
}

/** Turns one ajv error into a message a policy author can act on. */
function explain(error: ErrorObject, schema: Schema, root: unknown): Finding {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as SchemaNode | undefined;
  switch (error.keyword) {
    case 'propertyNames': {
      // Only maps keyed by Salesforce org carry `propertyNames` (see types.ts).
      const key = String(params.propertyName);
      const pattern = String((parent as { propertyNames?: { pattern?: string } })?.propertyNames?.pattern);
      return orgKeyFinding(key, pattern.includes('\\*'), `${pointer}/${escapeSegment(key)}`, true);
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      return {
        pointer: `${pointer}/${escapeSegment(key)}`,
        onKey: true,
        code: 'schema.unknown-key',
        message: `unknown key "${key}"`,
        hint: didYouMean(key, allowed) ?? `allowed keys here: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const about = firstSentence(
        resolve(schema, parent?.properties?.[key])?.description ?? parent?.properties?.[key]?.description,
      );
      return {
        pointer,
        onKey: false,
        code: 'schema.missing-key',
        message: `missing required key "${key}"`,
        hint: about ? `add "${key}": ${about}` : `add "${key}"`,
      };
    }
    case 'type': {
      const expected = Array.isArray(params.type) ? (params.type as string[]) : [String(params.type)];
      return {
        pointer,
        onKey: false,
        code: 'schema.type',
        message: `must be ${expected.map(article).join(' or ')}, found ${article(typeOf(error.data))}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed.map(String)) : undefined;
      return {
        pointer,
        onKey: false,
        code: 'schema.enum',
        message: `${JSON.stringify(error.data)} is not allowed here; use one of ${quoteAll(allowed)}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'pattern': {
      const isOrg = /\/(org|to)$/.test(pointer) && String(params.pattern).includes('constructor');
      if (isOrg && typeof error.data === 'string') {
        if (pointer.endsWith('/org')) return orgKeyFinding(error.data, true, pointer, false);
        if (error.data.startsWith('salesforce.'))
          return orgKeyFinding(error.data.slice('salesforce.'.length), false, pointer, false);
        return {
          pointer,
          onKey: false,
          code: 'schema.pattern',
          message: `${JSON.stringify(error.data)} is not a flow target`,
          hint:
            didYouMean(error.data, ['okta', 'onelogin', 'salesforce']) ??
            'write "okta", "onelogin", "salesforce" (every org) or "salesforce.<org>"',
        };
      }
      const isId = /\/id$/.test(pointer);
      return {
        pointer,
        onKey: false,
        code: 'schema.pattern',
        message: `${JSON.stringify(error.data)} does not match the pattern ${String(params.pattern)}`,
        hint: isId
          ? `ids use lowercase letters, digits and dashes, starting with a letter, e.g. "${slug(error.data) || 'my-rule'}"`
          : undefined,
      };
    }
    case 'format':
      return {
        pointer,
        onKey: false,
        code: 'schema.format',
        message: `${JSON.stringify(error.data)} is not a valid ${String(params.format)}`,
        hint: params.format === 'date' ? 'write dates as YYYY-MM-DD, e.g. "2026-12-31"' : undefined,
      };
    case 'minItems':
      return {
        pointer,
        onKey: false,
        code: 'schema.min-items',
        message: `must list at least ${String(params.limit)} item(s)`,
      };
    case 'minimum':
    case 'maximum':
      return {
        pointer,
        onKey: false,
        code: `schema.${error.keyword}`,
        message: `must be ${String(params.comparison)} ${String(params.limit)}`,
      };
    case 'minLength':
      return { pointer, onKey: false, code: 'schema.min-length', message: 'must not be empty' };
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(parent?.properties ?? {});
      const present = Object.keys((valueAt(root, pointer) as object) ?? {});
      const isAttribute = keys.includes('name') && keys.includes('equals');
      return {
        pointer,
        onKey: false,
        code: 'schema.exactly-one',
        message: isAttribute
          ? `an attribute test needs "name" and exactly one of equals, in, matches, present; found ${present.length ? present.join(', ') : 'none'}`
          : `a condition sets exactly one of ${keys.join(', ')}; found ${present.length ? present.join(', ') : 'none'}`,
        hint: isAttribute ? undefined : 'combine several tests with "all" or "any"',
      };
    }
    case 'anyOf': {
      const forms = (parent?.anyOf ?? []).map((branch) => {
        const node = resolve(schema, branch);
        if (node?.enum) return quoteAll(node.enum);
        const keys = Object.keys(node?.properties ?? {});
        return `{ ${keys.map((k) => `"${k}": ...`).join(', ')} }`;
      });
      return {
        pointer,
        onKey: false,
        code: 'schema.any-of',
        message: `does not match any allowed form: ${forms.join(' or ')}`,
      };
    }
    default:
      return {
        pointer,
        onKey: false,
        code: `schema.${error.keyword}`,
        message: error.message ?? 'is invalid',
      };
  }
}

/** Drops the per-branch noise ajv reports under an `anyOf`, keeping the one summary error. */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  return errors.filter(
    (e) =>
      e.keyword === 'anyOf' ||
      !anyOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`)),
  );
}

/**
 * The ajv errors of one value against the policy schema, without the noise: per-branch errors
 * under an `anyOf`, and the inner error of each `propertyNames` failure (its summary is kept).
 */
export function schemaErrors(value: unknown): ErrorObject[] {
  const { validate } = compile();
  if (validate(value)) return [];
  return withoutBranchNoise(validate.errors ?? []).filter((e) => e.propertyName === undefined);
}

/** Where the document uses `__proto__` as a key: never a policy name, and a risk wherever maps merge. */
function reservedKeys(value: unknown, pointer = '', depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > 100) return [];
  const out: string[] = [];
  for (const key of Object.keys(value)) {
    const at = `${pointer}/${escapeSegment(key)}`;
    if (key === '__proto__') out.push(at);
    for (const p of reservedKeys((value as Record<string, unknown>)[key], at, depth + 1)) out.push(p);
  }
  return out;
}

/** Checks one document against the policy schema; every error, not just the first. */
export function checkSchema(doc: LoadedDocument): Diagnostic[] {
  const { schema } = compile();
  const errors = schemaErrors(doc.value);
  const findings = errors.map((error) => explain(error, schema, doc.value));
  // `__proto__` in a map (where any key is allowed) is refused too; elsewhere it is already an
  // unknown key or a bad org key, reported once.
  for (const pointer of reservedKeys(doc.value))
    if (!findings.some((f) => f.onKey && f.pointer === pointer))
      findings.push({
        pointer,
        onKey: true,
        code: 'schema.reserved-key',
        message: 'key "__proto__" is not allowed: JavaScript reserves it for the prototype of an object',
        hint: 'rename or remove the key',
      });
  return findings.map((finding) => {
    const pointer = `${doc.base}${finding.pointer}`;
    const pos = finding.onKey ? doc.locate.key(pointer) : doc.locate.value(pointer);
    return {
      severity: 'error',
      code: finding.code,
      file: doc.file,
      line: pos.line,
      column: pos.column,
      pointer,
      message: finding.message,
      ...(finding.hint ? { hint: finding.hint } : {}),
    };
  });
}
