import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { emptyState } from '../../src/model/state.js';
import { readState } from '../../src/state/state-file.js';

const write = (value: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'accord-state-')), 's.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
};

describe('readState', () => {
  it('reads the applied policy digest of files that still call it planDigest', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    const state = await readState(write({ ...emptyState(), lastApply: { planDigest: 'abc', at } }));
    expect(state.lastApply).toEqual({ policyDigest: 'abc', at });
  });

  it('keeps policyDigest as written', async () => {
    const lastApply = { policyDigest: 'def', gitCommit: 'c0ffee', at: '2026-01-01T00:00:00.000Z' };
    expect((await readState(write({ ...emptyState(), lastApply }))).lastApply).toEqual(lastApply);
  });
});
