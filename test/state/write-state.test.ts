import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, type State } from '../../src/model/state.js';
import { canonicalJson } from '../../src/model/canonical-json.js';
import { readState } from '../../src/state/state-file.js';
import { isSecretLikeKey, serializeState, writeState } from '../../src/state/write-state.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'accord-state-'));

const sample = (): State => ({
  formatVersion: 1,
  lineage: '7d1f3a52-2c55-4a57-9d43-4bb7f1b1a0e1',
  serial: 3,
  links: {
    'ana@acme.test': { okta: '00u1', 'salesforce:prod': '005A' },
    '1001': { onelogin: '77' },
  },
  owned: ['salesforce.prod.user["ana@acme.test"]', 'okta.group["Sales"]'],
  fingerprints: { okta: 'f1', 'salesforce:prod': 'f2' },
  lastApply: { policyDigest: 'sha256:abc', gitCommit: 'deadbeef', at: '2026-01-01T00:00:00.000Z' },
});

/** The same state built with every object's keys inserted in reverse order. */
function reversed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversed) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reversed(item)]),
  ) as T;
}

describe('serializeState', () => {
  it('gives the same bytes whatever the key order, sorted at every depth, arrays kept in order', () => {
    const a = serializeState(sample());
    expect(serializeState(reversed(sample()))).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a).not.toMatch(/\n\n/);
    const keys = [...a.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1]);
    expect(keys).toEqual([
      'fingerprints',
      'formatVersion',
      'lastApply',
      'lineage',
      'links',
      'owned',
      'serial',
    ]);
    // Integer-like keys are sorted as strings too (JSON.stringify would hoist them).
    expect(a.indexOf('"1001"')).toBeLessThan(a.indexOf('"ana@acme.test"'));
    expect(a.indexOf('salesforce.prod.user')).toBeLessThan(a.indexOf('okta.group'));
    expect(a).toContain('\n    "ana@acme.test": {\n      "okta": "00u1",\n');
    expect(JSON.parse(a)).toEqual(sample());
  });

  it('prints empty containers on one line, like JSON.stringify', () => {
    expect(serializeState(emptyState())).toBe(
      '{\n  "fingerprints": {},\n  "formatVersion": 1,\n  "lineage": "00000000-0000-0000-0000-000000000000",\n' +
        '  "links": {},\n  "owned": [],\n  "serial": 0\n}\n',
    );
  });

  it('refuses anything that looks like a secret, anywhere in the value', () => {
    for (const key of [
      'token',
      'accessToken',
      'client_secret',
      'password',
      'privateKey',
      'private_key',
      'apiKey',
    ])
      expect(() =>
        serializeState({
          ...sample(),
          links: { 'ana@acme.test': { okta: '1' } },
          extra: { deep: [{ [key]: 'x' }] },
        } as State),
      ).toThrow(expect.objectContaining({ code: 'state.secret', message: expect.stringContaining(key) }));
  });

  it('does not mistake people or platforms for secrets', () => {
    for (const key of [
      'secretary@acme.test',
      'token.ring@acme.test',
      'salesforce:prod',
      'tokenizer',
      'owned',
    ])
      expect(isSecretLikeKey(key)).toBe(false);
    const state = { ...sample(), links: { 'secretary@acme.test': { okta: '1' } } };
    expect(() => serializeState(state)).not.toThrow();
  });
});

describe('canonicalJson', () => {
  it('is compact by default and refuses values JSON would silently change', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: undefined, c: null }] })).toBe('{"a":[3,{"c":null}],"b":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n is NaN/);
  });
});

describe('writeState', () => {
  it('creates the directory, writes mode 0644 and reads back', async () => {
    const path = join(tempDir(), 'nested', 'dir', 'prod.state.json');
    await writeState(path, sample());
    expect(readFileSync(path, 'utf8')).toBe(serializeState(sample()));
    expect(await readState(path)).toEqual(sample());
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('replaces an existing file whole and leaves no temp file behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'prod.state.json');
    writeFileSync(path, `${'x'.repeat(10_000)}\n`);
    await writeState(path, emptyState());
    expect(readFileSync(path, 'utf8')).toBe(serializeState(emptyState()));
    expect(readdirSync(dir)).toEqual(['prod.state.json']);
  });

  it('keeps concurrent writes to one path whole (last one wins)', async () => {
    const dir = tempDir();
    const path = join(dir, 'prod.state.json');
    const states = Array.from({ length: 20 }, (_, serial) => ({ ...sample(), serial }));
    await Promise.all(states.map((state) => writeState(path, state)));
    expect(readFileSync(path, 'utf8')).toBe(serializeState(states[19]!));
    expect(readdirSync(dir)).toEqual(['prod.state.json']);
  });

  it('refuses a secret without touching the existing file', async () => {
    const dir = tempDir();
    const path = join(dir, 'prod.state.json');
    await writeState(path, sample());
    const bad = { ...sample(), fingerprints: { okta: { apiToken: 'ssws-123' } } } as unknown as State;
    await expect(writeState(path, bad)).rejects.toMatchObject({ code: 'state.secret' });
    expect(readFileSync(path, 'utf8')).toBe(serializeState(sample()));
    expect(readFileSync(path, 'utf8')).not.toContain('ssws-123');
    expect(readdirSync(dir)).toEqual(['prod.state.json']);
  });

  it('reports a failed write as an AccordError and cleans up', async () => {
    const dir = tempDir();
    // The target is a directory: rename fails after the temp file was written.
    const path = join(dir, 'prod.state.json');
    await writeState(join(path, 'inner.json'), emptyState());
    await expect(writeState(path, sample())).rejects.toMatchObject({ code: 'state.write' });
    expect(readdirSync(dir)).toEqual(['prod.state.json']);
  });
});
