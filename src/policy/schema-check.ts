import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import { fromPointer } from './pointer.js';
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
      node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined,
    root,
  );

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
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      return {
        pointer: `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
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

/** Checks one document against the policy schema; every error, not just the first. */
export function checkSchema(doc: LoadedDocument): Diagnostic[] {
  const { schema, validate } = compile();
  if (validate(doc.value)) return [];
  const errors = withoutBranchNoise(validate.errors ?? []);
  return errors.map((error) => {
    const finding = explain(error, schema, doc.value);
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
