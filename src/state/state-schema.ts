import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { escapeSegment } from '../policy/pointer.js';
import { didYouMean } from '../policy/suggest.js';
import type { StateProblem } from './state-problem.js';

/** Generated from State in src/model/state.ts (`npm run schemas`; `npm test` fails when stale). */
const schemaUrl = new URL('../../schemas/state.schema.json', import.meta.url);

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => void;

let validate: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
  }
  return validate;
}

/** The patterns of the schema, said in words. */
const PATTERNS: Record<string, string> = {
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$':
    'a UUID (like 7d1f3a52-2c55-4a57-9d43-4bb7f1b1a0e1)',
  '^[0-9a-f]{64}$': 'a sha256 in hex (64 lowercase hex digits)',
};

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'number' && Number.isInteger(value)
        ? 'an integer'
        : typeof value === 'object'
          ? 'an object'
          : `a ${typeof value}`;

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

interface Node {
  properties?: Record<string, unknown>;
  patternProperties?: Record<string, unknown>;
}

function explain(error: ErrorObject): StateProblem {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const found = JSON.stringify(error.data);
  switch (error.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(params.type as string | string[]);
      const expected = pointer === '' ? 'a JSON object' : types.map(article).join(' or ');
      return { pointer, message: `must be ${expected}, found ${typeOf(error.data)}` };
    }
    case 'const':
      return {
        pointer,
        message: `must be ${JSON.stringify(params.allowedValue)}, found ${found}`,
        ...(pointer === '/formatVersion' && typeof error.data === 'number' && error.data > 1
          ? { hint: 'a newer accord wrote this file: upgrade accord to read it' }
          : {}),
      };
    case 'required':
      return {
        pointer: `${pointer}/${escapeSegment(String(params.missingProperty))}`,
        message: 'is missing',
      };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const parent = error.parentSchema as Node;
      const known = Object.keys(parent.properties ?? {});
      const message = parent.patternProperties
        ? `unknown platform "${key}"; platforms are ${known.join(', ')} and salesforce:<org>`
        : `unknown key "${key}"; ${didYouMean(key, known) ?? `the keys here are ${known.join(', ')}`}`;
      return { pointer: `${pointer}/${escapeSegment(key)}`, message };
    }
    case 'pattern': {
      const pattern = String(params.pattern);
      return { pointer, message: `${found} is not ${PATTERNS[pattern] ?? `matching ${pattern}`}` };
    }
    case 'format':
      return {
        pointer,
        message:
          params.format === 'date-time'
            ? `${found} is not a date and time in ISO 8601 (like 2026-01-01T12:00:00.000Z)`
            : `${found} is not a valid ${String(params.format)}`,
      };
    case 'minimum':
      return {
        pointer,
        message: `must be ${String(params.comparison)} ${String(params.limit)}, found ${found}`,
      };
    case 'minLength':
      return { pointer, message: 'must not be empty' };
    case 'uniqueItems': {
      // ajv names the two positions; the later one is the copy.
      const [first, copy] = [Number(params.j), Number(params.i)].sort((a, b) => a - b);
      const items = error.data as unknown[];
      return {
        pointer: `${pointer}/${copy}`,
        message: `${JSON.stringify(items[copy!])} is listed twice (also at ${pointer}/${first})`,
      };
    }
    default:
      return { pointer, message: error.message ?? 'is not valid' };
  }
}

/** Every way the value breaks the state schema, one problem per place (the first found there). */
export function schemaProblems(value: unknown): StateProblem[] {
  const check = compiled();
  if (check(value)) return [];
  const seen = new Set<string>();
  const problems = (check.errors ?? [])
    .map(explain)
    .filter((p) => !seen.has(p.pointer) && seen.add(p.pointer));
  // Another format version has its own shape: that it is another version is all there is to say.
  const version = problems.find((p) => p.pointer === '/formatVersion');
  return version ? [version] : problems;
}
