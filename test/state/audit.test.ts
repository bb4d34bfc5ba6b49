import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendAudit,
  auditHash,
  currentActor,
  currentGitCommit,
  defaultAuditPath,
  GENESIS,
  verifyAudit,
  type AuditInput,
} from '../../src/state/audit.js';
import { repoRoot } from '../cli/run-cli.js';

const input = (n: number, overrides: Partial<AuditInput> = {}): AuditInput => ({
  time: `2026-01-01T00:00:0${n % 10}.000Z`,
  actor: 'octocat',
  gitCommit: 'a'.repeat(40),
  planHash: 'sha256:plan',
  address: `salesforce.prod.user["u${n}@acme.test"].permissionSet["Sales_Ops"]`,
  action: 'grant',
  rule: 'sales-ops',
  result: 'applied',
  ...overrides,
});

/** A log of `count` entries written in two appends (so the chain crosses an append). */
async function logOf(count: number): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'accord-audit-')), 'state', 'prod.audit.jsonl');
  const inputs = Array.from({ length: count }, (_, i) => input(i + 1));
  await appendAudit(path, inputs.slice(0, 2));
  await appendAudit(path, inputs.slice(2));
  return path;
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').slice(0, -1);
const rewrite = (path: string, next: string[]) => writeFileSync(path, `${next.join('\n')}\n`);

describe('audit log', () => {
  it('appends one hash-chained line per change', async () => {
    const path = await logOf(5);
    const entries = lines(path).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prev).toBe(GENESIS);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prev).toBe(entries[i - 1]!.hash);
    expect(entries[0]).toMatchObject({ ...input(1), seq: 1 });
    expect(Object.keys(entries[0]!)).toEqual([
      'seq',
      'time',
      'actor',
      'gitCommit',
      'planHash',
      'address',
      'action',
      'rule',
      'result',
      'prev',
      'hash',
    ]);
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 5 });
  });

  it('returns the entries it wrote, with hashes over the content and the previous hash', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-audit-')), 'a.jsonl');
    const [first] = await appendAudit(path, [input(1, { rule: null, gitCommit: null, message: 'why' })]);
    expect(first).toMatchObject({ seq: 1, prev: GENESIS, rule: null, gitCommit: null, message: 'why' });
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(auditHash(first!)).toBe(first!.hash);
    expect(await appendAudit(path, [])).toEqual([]);
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 1 });
  });

  it('keeps one chain when batches of several platforms append at the same moment', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-audit-')), 'a.jsonl');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => appendAudit(path, [input(2 * i), input(2 * i + 1)])),
    );
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 20 });
  });

  it('detects an edited line', async () => {
    const path = await logOf(5);
    const next = lines(path);
    next[2] = next[2]!.replace('"result":"applied"', '"result":"failed"');
    rewrite(path, next);
    expect(await verifyAudit(path)).toEqual({
      ok: false,
      line: 3,
      problem: expect.stringContaining('edited'),
    });
  });

  it('detects an edited line whose own hash was recomputed, at the line after it', async () => {
    const path = await logOf(5);
    const next = lines(path);
    const entry = JSON.parse(next[2]!) as Parameters<typeof auditHash>[0];
    entry.actor = 'mallory';
    entry.hash = auditHash(entry);
    next[2] = JSON.stringify(entry);
    rewrite(path, next);
    expect(await verifyAudit(path)).toEqual({
      ok: false,
      line: 4,
      problem: expect.stringContaining('line 3'),
    });
  });

  it('detects a removed line', async () => {
    const path = await logOf(5);
    const next = lines(path);
    next.splice(1, 1);
    rewrite(path, next);
    expect(await verifyAudit(path)).toEqual({
      ok: false,
      line: 2,
      problem: expect.stringContaining('removed'),
    });
  });

  it('detects a removed first line', async () => {
    const path = await logOf(3);
    rewrite(path, lines(path).slice(1));
    expect(await verifyAudit(path)).toMatchObject({ ok: false, line: 1 });
  });

  it('detects two swapped lines', async () => {
    const path = await logOf(5);
    const next = lines(path);
    [next[3], next[4]] = [next[4]!, next[3]!];
    rewrite(path, next);
    expect(await verifyAudit(path)).toEqual({
      ok: false,
      line: 4,
      problem: expect.stringContaining('moved'),
    });
  });

  it('detects truncated JSON', async () => {
    const path = await logOf(5);
    const next = lines(path);
    next[1] = next[1]!.slice(0, 40);
    rewrite(path, next);
    expect(await verifyAudit(path)).toEqual({ ok: false, line: 2, problem: 'not valid JSON' });
  });

  it('detects a cut-off last line, a missing field and an empty line', async () => {
    const cut = await logOf(3);
    writeFileSync(cut, readFileSync(cut, 'utf8').slice(0, -30));
    expect(await verifyAudit(cut)).toEqual({ ok: false, line: 3, problem: 'not valid JSON' });

    const missing = await logOf(3);
    const next = lines(missing);
    const entry = JSON.parse(next[0]!) as Record<string, unknown>;
    delete entry.address;
    next[0] = JSON.stringify(entry);
    rewrite(missing, next);
    expect(await verifyAudit(missing)).toEqual({
      ok: false,
      line: 1,
      problem: 'address is missing or not a string',
    });

    const blank = await logOf(3);
    const spaced = lines(blank);
    spaced.splice(1, 0, '');
    rewrite(blank, spaced);
    expect(await verifyAudit(blank)).toEqual({ ok: false, line: 2, problem: 'empty line' });
  });

  it('does not continue a chain from a damaged last line', async () => {
    const path = await logOf(2);
    const next = lines(path);
    next[1] = next[1]!.replace('octocat', 'mallory');
    rewrite(path, next);
    await expect(appendAudit(path, [input(9)])).rejects.toMatchObject({ code: 'audit.damaged' });
  });

  it('cuts a torn (unterminated) last line before appending, as a crash mid-write leaves it', async () => {
    const path = await logOf(2);
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"seq":3,"time":"2026`);
    const [entry] = await appendAudit(path, [input(3)]);
    expect(entry!.seq).toBe(3);
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 3 });
  });

  it('says so when there is no log at all', async () => {
    await expect(verifyAudit(join(tmpdir(), 'no-such-accord-audit.jsonl'))).rejects.toMatchObject({
      code: 'audit.missing',
    });
  });

  it('knows the actor, the commit and the default path', async () => {
    expect(currentActor({ GITHUB_ACTOR: 'octocat' })).toBe('octocat');
    expect(currentActor({})).not.toBe('');
    expect(await currentGitCommit(repoRoot)).toMatch(/^[0-9a-f]{40}$/);
    expect(await currentGitCommit(mkdtempSync(join(tmpdir(), 'accord-nogit-')))).toBeNull();
    expect(defaultAuditPath('prod')).toBe('state/prod.audit.jsonl');
  });
});
