import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy, type ValidationResult } from '../../src/policy/validate.js';

/**
 * Issue 18 item 5: valid policies (the demo folder and the corpus base), mutated at random, go
 * through the loader the CLI uses. Whatever the mutation, the answer is a policy or diagnostics:
 * no exception escapes, no diagnostic lacks a file or a message or carries a stack trace, and no
 * run hangs. (Validation never touches a platform, so "nothing applied" is the same statement.)
 *
 * The seed is fixed, so a failure reproduces; ACCORD_FUZZ_RUNS raises the number of runs,
 * ACCORD_FUZZ_SEED picks another seed, and ACCORD_FUZZ_TRACE=FILE writes each plan there before
 * it runs (what was running when a process dies of a hang or out of memory).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.ACCORD_FUZZ_RUNS ?? 120);
const SEED = Number(process.env.ACCORD_FUZZ_SEED ?? 18);
/** One run: a TS policy may take its own time-out (2 s here), and nothing else comes near. */
const RUN_TIMEOUT_MS = 15_000;

type Files = Map<string, string | Uint8Array>;

function readFolder(dir: string): Files {
  const files: Files = new Map();
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
    if (/\.(json|ts)$/.test(f)) files.set(f.split('\\').join('/'), readFileSync(join(dir, f), 'utf8'));
  return files;
}

const SEEDS: Record<string, Files> = {
  demo: readFolder(join(root, 'policies')),
  base: readFolder(join(root, 'test/fixtures/base')),
};

const ODD_TEXT = [
  '',
  ' ',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\ud800',
  'e\u0301',
  '𝔘𝔫𝔦',
  '{',
  '}',
  '{}',
  '{email',
  '__proto__',
  'constructor',
  '*',
  '../../etc/passwd',
  'x'.repeat(10_000),
  '\n',
  '"',
];
const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'prod org',
  'Prod',
  '*',
  'acess',
  '$schema',
];
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  '',
  'x',
  true,
  false,
  [],
  {},
  [null],
  { '': null },
  '2026-02-30',
  '9999-12-31',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: Json): v is { [k: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every container and leaf in the value, with its parent and key. */
function places(value: Json): { parent: Json[] | { [k: string]: Json }; key: string | number }[] {
  const out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const walk = (v: Json, depth: number) => {
    if (depth > 300) return;
    if (Array.isArray(v))
      v.forEach((x, i) => {
        out.push({ parent: v, key: i });
        walk(x, depth + 1);
      });
    else if (isObject(v))
      for (const k of Object.keys(v)) {
        out.push({ parent: v, key: k });
        walk(v[k]!, depth + 1);
      }
  };
  walk(value, 0);
  return out;
}

interface Mutation {
  op: number;
  at: number;
  other: number;
  pick: number;
}

const get = (p: { parent: Json[] | { [k: string]: Json }; key: string | number }): Json =>
  (p.parent as Record<string | number, Json>)[p.key]!;
const set = (p: { parent: Json[] | { [k: string]: Json }; key: string | number }, v: Json) => {
  Object.defineProperty(p.parent, p.key, { value: v, writable: true, enumerable: true, configurable: true });
};

const nest = (v: Json, depth: number, asArray: boolean): Json => {
  let out = v;
  for (let i = 0; i < depth; i++) out = asArray ? [out] : { not: out };
  return out;
};

/** One structural mutation of a parsed document; returns extra raw text to splice, if any. */
function mutate(doc: Json, m: Mutation): void {
  const all = places(doc);
  if (all.length === 0) return;
  const p = all[m.at % all.length]!;
  const q = all[m.other % all.length]!;
  const value = get(p);
  switch (m.op % 11) {
    case 0: // delete
      if (Array.isArray(p.parent)) p.parent.splice(Number(p.key), 1);
      else delete p.parent[p.key as string];
      break;
    case 1: // duplicate (an array entry, or the value under a second key)
      if (Array.isArray(p.parent)) p.parent.splice(Number(p.key), 0, structuredClone(value));
      else set({ parent: p.parent, key: `${String(p.key)}2` }, structuredClone(value));
      break;
    case 2: // retype
      set(p, ODD_VALUES[m.pick % ODD_VALUES.length] as Json);
      break;
    case 3: {
      // swap two values
      // Copies: q may lie inside p, and the document must stay a tree.
      const other = structuredClone(get(q));
      set(q, structuredClone(value));
      set(p, other);
      break;
    }
    case 4: // truncate text
      if (typeof value === 'string') set(p, value.slice(0, m.pick % (value.length + 1)));
      else set(p, String(value).slice(0, 3));
      break;
    case 5: // odd unicode in a string
      set(p, `${typeof value === 'string' ? value : ''}${ODD_TEXT[m.pick % ODD_TEXT.length]!}`);
      break;
    case 6: // rename a key to an odd one
      if (!Array.isArray(p.parent)) {
        delete p.parent[p.key as string];
        set({ parent: p.parent, key: ODD_KEYS[m.pick % ODD_KEYS.length]! }, value);
      }
      break;
    case 7: // deep nesting
      set(p, nest(value, 10 + (m.pick % 120), m.pick % 2 === 0));
      break;
    case 8: // huge or odd numbers
      set(p, [1e300 * 10, -0, 2 ** 64, 0.1 + 0.2, -(2 ** 31), 1e-320][m.pick % 6]!);
      break;
    case 9: // many entries (of a plain value: copies of a big one would only test this test)
      set(
        p,
        Array.from({ length: 200 + (m.pick % 800) }, (_, i) =>
          typeof value === 'string'
            ? `${value.slice(0, 40)}${i}`
            : isObject(value) || Array.isArray(value)
              ? i
              : value,
        ),
      );
      break;
    default: // an odd key beside the value
      if (isObject(value)) set({ parent: value, key: ODD_KEYS[m.pick % ODD_KEYS.length]! }, null);
      else set(p, { [ODD_KEYS[m.pick % ODD_KEYS.length]!]: value });
  }
}

interface TextMutation {
  op: number;
  at: number;
  pick: number;
}

const RAW = [
  '\uFEFF',
  ',',
  '}',
  '{',
  '"',
  ' // comment\n',
  '\u0000',
  '1e999',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  'NaN',
];

function mutateText(text: string, m: TextMutation): string | Uint8Array {
  const at = m.at % (text.length + 1);
  switch (m.op % 4) {
    case 0:
      return text.slice(0, at); // cut off
    case 1:
      return `${text.slice(0, at)}${RAW[m.pick % RAW.length]!}${text.slice(at)}`;
    case 2: {
      // bytes that are not UTF-8
      const bytes = Buffer.from(text, 'utf8');
      const cut = at % (bytes.length + 1);
      return Buffer.concat([
        bytes.subarray(0, cut),
        Buffer.from([0xc0 | (m.pick % 64), 0xff]),
        bytes.subarray(cut),
      ]);
    }
    default:
      return Buffer.from(`\uFEFF${text}`, 'utf16le');
  }
}

interface Plan {
  seed: 'demo' | 'base';
  file: number;
  keepTs: boolean;
  mutations: Mutation[];
  text?: TextMutation;
  dropFile?: number;
}

const nat = fc.nat({ max: 1_000_000 });
const plans: fc.Arbitrary<Plan> = fc.record(
  {
    seed: fc.constantFrom('demo' as const, 'base' as const),
    file: nat,
    keepTs: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
    mutations: fc.array(fc.record({ op: nat, at: nat, other: nat, pick: nat }), {
      minLength: 1,
      maxLength: 4,
    }),
    text: fc.record({ op: nat, at: nat, pick: nat }),
    dropFile: nat,
  },
  { requiredKeys: ['seed', 'file', 'keepTs', 'mutations'] },
);

/** The mutated folder: one file changed in structure or text, TS files kept only sometimes. */
function build(plan: Plan): Files {
  const files: Files = new Map(SEEDS[plan.seed]!);
  if (!plan.keepTs) for (const f of [...files.keys()]) if (f.endsWith('.ts')) files.delete(f);
  const names = [...files.keys()].sort();
  const name = names[plan.file % names.length]!;
  const text = files.get(name) as string;
  if (name.endsWith('.json')) {
    const doc = JSON.parse(text) as Json;
    for (const m of plan.mutations) mutate(doc, m);
    files.set(name, JSON.stringify(doc, null, 2) ?? 'null');
  }
  if (plan.text || name.endsWith('.ts')) {
    const current = files.get(name)!;
    files.set(
      name,
      mutateText(
        typeof current === 'string' ? current : Buffer.from(current).toString('utf8'),
        plan.text ?? plan.mutations[0]!,
      ),
    );
  }
  if (plan.dropFile !== undefined && names.length > 1) {
    const drop = names[plan.dropFile % names.length]!;
    if (drop !== name) files.delete(drop);
  }
  return files;
}

function write(files: Files): string {
  const dir = mkdtempSync(join(tmpdir(), 'accord-fuzz-'));
  for (const [name, content] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function withinBound(dir: string): Promise<ValidationResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`loadPolicy did not answer within ${RUN_TIMEOUT_MS} ms`)),
      RUN_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      loadPolicy(dir, { cwd: dir, today: '2026-11-23', codeTimeoutMs: 2000 }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function assertAnswer(result: ValidationResult): void {
  expect(Array.isArray(result.diagnostics)).toBe(true);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  // A policy, or the errors that explain why there is none: never both, never neither.
  expect(result.policy === undefined).toBe(errors.length > 0);
  for (const d of result.diagnostics) {
    expect(typeof d.file).toBe('string');
    expect(d.file.length).toBeGreaterThan(0);
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
    expect(typeof d.code).toBe('string');
    expect(typeof d.pointer).toBe('string');
    expect(Number.isInteger(d.line) && d.line >= 1).toBe(true);
    expect(Number.isInteger(d.column) && d.column >= 1).toBe(true);
    // A stack trace is never what a person reads.
    expect(`${d.message} ${d.hint ?? ''}`).not.toMatch(/\n\s+at |\bat .+\.[jt]s:\d+:\d+/);
  }
}

describe('policy loader fuzz (issue 18)', () => {
  it('accepts the unmutated seeds', async () => {
    for (const files of Object.values(SEEDS)) {
      const dir = write(files);
      try {
        const result = await withinBound(dir);
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(result.policy).toBeDefined();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it(
    `answers every mutated policy with a policy or diagnostics (${RUNS} runs, seed ${SEED})`,
    async () => {
      await fc.assert(
        fc.asyncProperty(plans, async (plan) => {
          if (process.env.ACCORD_FUZZ_TRACE)
            writeFileSync(process.env.ACCORD_FUZZ_TRACE, JSON.stringify(plan));
          const dir = write(build(plan));
          try {
            assertAnswer(await withinBound(dir));
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    Math.max(60_000, RUNS * 2_000),
  );
});
