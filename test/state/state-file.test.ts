import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AccordError } from '../../src/errors.js';
import { emptyState } from '../../src/model/state.js';
import { readState } from '../../src/state/state-file.js';
import { serializeState } from '../../src/state/write-state.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'accord-state-')), 's.json');

const writeText = (text: string) => {
  const path = tempFile();
  writeFileSync(path, text);
  return path;
};

const write = (value: unknown) => writeText(`${JSON.stringify(value, null, 2)}\n`);

const HASH = 'a'.repeat(64);

/** A state an apply could have written: links on every kind of platform, an audit head, a last apply. */
const valid = () => ({
  formatVersion: 1,
  lineage: '7d1f3a52-2c55-4a57-9d43-4bb7f1b1a0e1',
  serial: 12,
  links: {
    'ana@acme.test': {
      okta: 'ana@acme.test',
      'salesforce:prod': 'ana@acme.test',
      'salesforce:emea': 'ana@acme.test.emea',
    },
    'bo@acme.test': { onelogin: 'bo@acme.test', 'salesforce:prod': 'bo@acme.test' },
  },
  owned: ['okta.group["Sales"]', 'salesforce.prod.user["ana@acme.test"]'],
  fingerprints: { okta: 'f1', 'salesforce:prod': 'f2' },
  lastApply: { policyDigest: 'd'.repeat(64), gitCommit: 'c0ffee', at: '2026-01-01T12:00:00.000Z' },
  audit: { seq: 7, head: HASH, mac: 'b'.repeat(64) },
});

type Valid = ReturnType<typeof valid>;
const edited = (edit: (s: Valid & Record<string, unknown>) => void) => {
  const s = valid() as Valid & Record<string, unknown>;
  edit(s);
  return JSON.stringify(s, null, 2);
};

/** What readState threw, so that each case can say what it expects of it. */
async function failure(path: string): Promise<AccordError> {
  try {
    await readState(path);
  } catch (error) {
    return error as AccordError;
  }
  throw new Error(`${path} was read as valid state`);
}

/** [what is wrong, file text, the pointer the message names ('' for the file), and words it says]. */
const corpus: [string, string, string, RegExp][] = [
  [
    'links is null',
    edited((s) => ((s as Record<string, unknown>).links = null)),
    '/links',
    /must be an object, found null/,
  ],
  [
    'links is an array',
    edited((s) => ((s as Record<string, unknown>).links = [])),
    '/links',
    /must be an object, found an array/,
  ],
  [
    'a link value is a number',
    edited((s) => ((s.links['ana@acme.test'] as Record<string, unknown>).okta = 42)),
    '/links/ana@acme.test/okta',
    /must be a string, found an integer/,
  ],
  [
    'a person’s links are a string',
    edited((s) => ((s.links as Record<string, unknown>)['bo@acme.test'] = 'bo')),
    '/links/bo@acme.test',
    /must be an object, found a string/,
  ],
  [
    'an unknown platform in links',
    edited((s) => ((s.links['bo@acme.test'] as Record<string, string>).salesforce = 'bo')),
    '/links/bo@acme.test/salesforce',
    /unknown platform "salesforce"; platforms are okta, onelogin and salesforce:<org>/,
  ],
  [
    'an empty link value',
    edited((s) => (s.links['bo@acme.test'].onelogin = '')),
    '/links/bo@acme.test/onelogin',
    /must not be empty/,
  ],
  [
    'owned is a string',
    edited((s) => ((s as Record<string, unknown>).owned = 'okta.group["Sales"]')),
    '/owned',
    /must be an array, found a string/,
  ],
  [
    'owned holds a number',
    edited((s) => ((s.owned as unknown[])[1] = 3)),
    '/owned/1',
    /must be a string, found an integer/,
  ],
  ['owned holds an empty address', edited((s) => s.owned.push('')), '/owned/2', /must not be empty/],
  [
    'owned lists an address twice',
    edited((s) => s.owned.push('okta.group["Sales"]')),
    '/owned/2',
    /"okta.group\[\\"Sales\\"\]" is listed twice \(also at \/owned\/0\)/,
  ],
  ['serial is -1', edited((s) => (s.serial = -1)), '/serial', /must be >= 0, found -1/],
  [
    'serial is "3"',
    edited((s) => ((s as Record<string, unknown>).serial = '3')),
    '/serial',
    /must be an integer, found a string/,
  ],
  ['serial is 1.5', edited((s) => (s.serial = 1.5)), '/serial', /must be an integer, found a number/],
  [
    'formatVersion is 2',
    edited((s) => ((s as Record<string, unknown>).formatVersion = 2)),
    '/formatVersion',
    /must be 1, found 2/,
  ],
  [
    'formatVersion is missing',
    edited((s) => delete (s as Record<string, unknown>).formatVersion),
    '/formatVersion',
    /is missing/,
  ],
  [
    'lineage is missing',
    edited((s) => delete (s as Record<string, unknown>).lineage),
    '/lineage',
    /is missing/,
  ],
  ['lineage is not a UUID', edited((s) => (s.lineage = 'prod-1')), '/lineage', /"prod-1" is not a UUID/],
  [
    'an extra top-level key',
    edited((s) => (s.link = {})),
    '/link',
    /unknown key "link"; did you mean "links"\?/,
  ],
  [
    'a fingerprint is not a string',
    edited((s) => ((s.fingerprints as Record<string, unknown>).okta = true)),
    '/fingerprints/okta',
    /must be a string, found a boolean/,
  ],
  [
    'fingerprints are null',
    edited((s) => ((s as Record<string, unknown>).fingerprints = null)),
    '/fingerprints',
    /must be an object, found null/,
  ],
  [
    'lastApply without at',
    edited((s) => delete (s.lastApply as Record<string, unknown>).at),
    '/lastApply/at',
    /is missing/,
  ],
  [
    'lastApply at not a time',
    edited((s) => (s.lastApply.at = 'yesterday')),
    '/lastApply/at',
    /"yesterday" is not a date and time in ISO 8601/,
  ],
  [
    'lastApply an array',
    edited((s) => ((s as Record<string, unknown>).lastApply = [])),
    '/lastApply',
    /must be an object, found an array/,
  ],
  [
    'audit.head not hex',
    edited((s) => (s.audit.head = 'z'.repeat(64))),
    '/audit/head',
    /is not a sha256 in hex/,
  ],
  [
    'audit.head too short',
    edited((s) => (s.audit.head = 'abc')),
    '/audit/head',
    /"abc" is not a sha256 in hex/,
  ],
  ['audit.seq 0', edited((s) => (s.audit.seq = 0)), '/audit/seq', /must be >= 1, found 0/],
  [
    'audit.mac uppercase',
    edited((s) => (s.audit.mac = 'B'.repeat(64))),
    '/audit/mac',
    /is not a sha256 in hex/,
  ],
  [
    'an unknown key in audit',
    edited((s) => ((s.audit as Record<string, unknown>).hash = HASH)),
    '/audit/hash',
    /unknown key "hash"/,
  ],
  [
    'two people on one account',
    edited((s) => (s.links['bo@acme.test']['salesforce:prod'] = 'ana@acme.test')),
    '/links/bo@acme.test/salesforce:prod',
    /bo@acme.test and ana@acme.test are both linked to the account "ana@acme.test" on salesforce:prod \(also at \/links\/ana@acme.test\/salesforce:prod\)/,
  ],
  [
    'two people on one account, in another case',
    edited((s) => ((s.links['bo@acme.test'] as Record<string, string>).okta = 'ANA@acme.test')),
    '/links/bo@acme.test/okta',
    /bo@acme.test and ana@acme.test are both linked to the account "ANA@acme.test" on okta/,
  ],
  [
    'a person written twice',
    JSON.stringify(valid(), null, 2).replace('"bo@acme.test": {', '"ana@acme.test": {'),
    '/links/ana@acme.test',
    /the key "ana@acme.test" is written twice in one object/,
  ],
  [
    'a person with no login',
    edited((s) => ((s.links as Record<string, unknown>)[''] = { onelogin: 'cy@acme.test' })),
    '/links/',
    /a person needs a login/,
  ],
  [
    'the top level is an array',
    '[]\n',
    '',
    /the file \(line 1, column 1\): must be a JSON object, found an array/,
  ],
  ['the top level is null', 'null\n', '', /the file \(line 1, column 1\): must be a JSON object, found null/],
  [
    'truncated JSON',
    JSON.stringify(valid(), null, 2).slice(0, 200),
    '',
    /not JSON: the JSON ends too early \(is the file cut off\?\)/,
  ],
  [
    'a trailing comma',
    '{"formatVersion": 1,}\n',
    '',
    /line 1, column 21\): not JSON: expected a key in double quotes/,
  ],
  ['a comment', '// edited\n{}\n', '', /line 1, column 1\): not JSON: comments are not JSON/],
  ['an empty file', '', '', /the file: is empty/],
  ['only whitespace', '\n\n', '', /the file: is empty/],
  ['a byte order mark', `\uFEFF${JSON.stringify(valid())}`, '', /starts with a byte order mark/],
];

describe('readState refuses what is not valid state, saying where (issue 15)', () => {
  it.each(corpus)('%s', async (_, text, pointer, words) => {
    const path = writeText(text);
    const error = await failure(path);
    expect(error).toBeInstanceOf(AccordError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error.code).toBe('state.invalid');
    expect(error.message.startsWith(`state file ${path} is not valid accord state: `)).toBe(true);
    // The pointer is the first thing said about the first problem.
    const [, first] = error.message.split(' is not valid accord state: ');
    expect(first!.startsWith(pointer ? `${pointer} (line ` : 'the file')).toBe(true);
    expect(error.message).toMatch(words);
    expect(error.message).not.toContain('\n');
    expect(error.hint).toMatch(/restore it from git history|upgrade accord/);
  });

  it('has a corpus of at least 20 damaged files, each with its own pointer or words', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
  });

  it('says which line a problem is on', async () => {
    const text = serializeState({
      ...emptyState(),
      serial: 3,
      links: { 'ana@acme.test': { okta: 'ana@acme.test' } },
    }).replace('"okta": "ana@acme.test"', '"okta": 7');
    const error = await failure(writeText(text));
    const line = text.split('\n').findIndex((l) => l.includes('"okta": 7')) + 1;
    expect(error.message).toContain(`/links/ana@acme.test/okta (line ${line}, column 15): must be a string`);
  });

  it('lists several problems on one line, and counts the rest', async () => {
    const error = await failure(
      write({ ...valid(), serial: -1, lineage: 'x', owned: 'o', links: null, fingerprints: [] }),
    );
    expect(error.message).toMatch(
      /: \/lineage \(line \d+, column \d+\): .*; \/serial .*; \/links .*; and 2 more$/,
    );
  });

  it('tells a newer file to upgrade accord, and a doubled account how to move one', async () => {
    // A newer format has its own shape: what this version would miss in it is beside the point.
    const newer = await failure(writeText('{"formatVersion": 2, "people": {}}'));
    expect(newer.message).toMatch(/accord state: \/formatVersion \(line 1, column 19\): must be 1, found 2$/);
    expect(newer.hint).toBe('a newer accord wrote this file: upgrade accord to read it');
    const two = valid();
    two.links['bo@acme.test']['salesforce:prod'] = 'ana@acme.test';
    expect((await failure(write(two))).hint).toMatch(/declare it in the policy’s `links` and apply$/);
  });

  it('names a key written twice deep inside, where it is', async () => {
    const text = '{\n  "links": {\n    "ana@acme.test": { "okta": "a", "okta": "b" }\n  }\n}\n';
    expect((await failure(writeText(text))).message).toContain(
      '/links/ana@acme.test/okta (line 3, column 37): the key "okta" is written twice',
    );
  });
});

describe('readState reads what accord writes', () => {
  it('reads a full state, Salesforce orgs and audit head included, as written', async () => {
    expect(await readState(write(valid()))).toEqual(valid());
  });

  it('reads what writeState serializes, also for the empty state', async () => {
    expect(await readState(writeText(serializeState(emptyState())))).toEqual(emptyState());
    const state = { ...valid(), lineage: '00000000-0000-0000-0000-000000000000' } as const;
    expect(await readState(writeText(serializeState(state as never)))).toEqual(state);
  });

  it('treats a missing file as a fresh start', async () => {
    expect(await readState(tempFile())).toEqual(emptyState());
  });

  it('allows one account to be the same key on different platforms and in different orgs', async () => {
    const s = valid();
    s.links['bo@acme.test'] = { onelogin: 'ana@acme.test', 'salesforce:prod': 'bo@acme.test' };
    expect((await readState(write(s))).links['bo@acme.test']).toEqual(s.links['bo@acme.test']);
  });

  it('reads the applied policy digest of files that still call it planDigest', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    const state = await readState(write({ ...emptyState(), lastApply: { planDigest: 'abc', at } }));
    expect(state.lastApply).toEqual({ policyDigest: 'abc', at });
  });

  it('checks an old file after reading planDigest: a damaged one is still refused', async () => {
    const error = await failure(write({ ...emptyState(), lastApply: { planDigest: 'abc' } }));
    expect(error.message).toContain('/lastApply/at (line');
  });

  it('keeps policyDigest as written', async () => {
    const lastApply = { policyDigest: 'def', gitCommit: 'c0ffee', at: '2026-01-01T00:00:00.000Z' };
    expect((await readState(write({ ...emptyState(), lastApply }))).lastApply).toEqual(lastApply);
  });
});
