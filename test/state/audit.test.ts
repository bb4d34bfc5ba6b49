import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendAudit,
  auditHash,
  currentActor,
  currentGitCommit,
  auditPathFor,
  defaultAuditPath,
  GENESIS,
  verifyAudit,
  withAuditHead,
  type AuditHead,
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
  person: `u${n}@acme.test`,
  rule: 'sales-ops',
  fact: 'okta ACTIVE, matched by sales-ops',
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
      'person',
      'rule',
      'fact',
      'result',
      'prev',
      'hash',
    ]);
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 5, keyed: false });
  });

  it('returns the entries it wrote, with hashes over the content and the previous hash', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-audit-')), 'a.jsonl');
    const [first] = await appendAudit(path, [input(1, { rule: null, gitCommit: null, message: 'why' })]);
    expect(first).toMatchObject({ seq: 1, prev: GENESIS, rule: null, gitCommit: null, message: 'why' });
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(auditHash(first!)).toBe(first!.hash);
    expect(await appendAudit(path, [])).toEqual([]);
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 1, keyed: false });
  });

  it('keeps one chain when batches of several platforms append at the same moment', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-audit-')), 'a.jsonl');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => appendAudit(path, [input(2 * i), input(2 * i + 1)])),
    );
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 20, keyed: false });
  });

  /** An entry line with `edit` applied and its own hash recomputed, as a careful forger would. */
  const forged = (line: string, edit: (entry: Parameters<typeof auditHash>[0]) => void) => {
    const entry = JSON.parse(line) as Parameters<typeof auditHash>[0];
    edit(entry);
    entry.hash = auditHash(entry);
    return JSON.stringify(entry);
  };
  const broken = (line: number, problem: unknown) => ({ ok: false, line, problem });

  it.each<[string, number, (lines: string[]) => string[], ReturnType<typeof broken>]>([
    [
      'an edited line',
      5,
      (l) => l.with(2, l[2]!.replace('"result":"applied"', '"result":"failed"')),
      broken(3, expect.stringContaining('edited')),
    ],
    [
      'an edited line whose own hash was recomputed, at the line after it',
      5,
      (l) =>
        l.with(
          2,
          forged(l[2]!, (e) => (e.actor = 'mallory')),
        ),
      broken(4, expect.stringContaining('line 3')),
    ],
    ['a removed line', 5, (l) => l.toSpliced(1, 1), broken(2, expect.stringContaining('removed'))],
    ['a removed first line', 3, (l) => l.slice(1), broken(1, expect.stringContaining('removed'))],
    [
      'two swapped lines',
      5,
      (l) => [...l.slice(0, 3), l[4]!, l[3]!],
      broken(4, expect.stringContaining('moved')),
    ],
    ['truncated JSON', 5, (l) => l.with(1, l[1]!.slice(0, 40)), broken(2, 'not valid JSON')],
    [
      'a missing field',
      3,
      (l) => l.with(0, JSON.stringify({ ...(JSON.parse(l[0]!) as object), address: undefined })),
      broken(1, 'address is missing or not a string'),
    ],
    ['an empty line', 3, (l) => l.toSpliced(1, 0, ''), broken(2, 'empty line')],
  ])('detects %s', async (_name, count, tamper, verdict) => {
    const path = await logOf(count);
    const original = lines(path);
    const next = tamper(original);
    expect(next).not.toEqual(original);
    rewrite(path, next);
    expect(await verifyAudit(path)).toEqual(verdict);
  });

  it('detects a cut-off last line', async () => {
    const cut = await logOf(3);
    writeFileSync(cut, readFileSync(cut, 'utf8').slice(0, -30));
    expect(await verifyAudit(cut)).toEqual({ ok: false, line: 3, problem: 'not valid JSON' });
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
    expect(await verifyAudit(path)).toEqual({ ok: true, entries: 3, keyed: false });
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

describe('auditPathFor', () => {
  it('keeps the audit log beside its state file, so --state moves both', () => {
    expect(auditPathFor('state/prod.state.json')).toBe(defaultAuditPath('prod'));
    expect(auditPathFor('/tmp/run/s.json')).toBe('/tmp/run/s.json.audit.jsonl');
    expect(auditPathFor('elsewhere/prod.state.json')).toBe('elsewhere/prod.audit.jsonl');
  });
});

describe('audit head and key (issue 15)', () => {
  const state: { lineage: string; serial: number; audit?: AuditHead } = {
    lineage: '6b0c3f5e-2d7a-4c1e-9f00-1a2b3c4d5e6f',
    serial: 7,
  };

  it('catches a cut tail against the head state recorded, and accepts lines written after it', async () => {
    const path = await logOf(5);
    const entries = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const head = withAuditHead(state, entries[3], undefined).audit!;
    // A crash between the log and the state write leaves the log one batch ahead: not tampering.
    expect(await verifyAudit(path, { head })).toEqual({ ok: true, entries: 5, keyed: false });
    writeFileSync(path, `${readFileSync(path, 'utf8').trimEnd().split('\n').slice(0, 3).join('\n')}\n`);
    expect(await verifyAudit(path, { head })).toEqual({
      ok: false,
      line: 4,
      problem: 'the state file recorded 4 entries and the log has 3 (lines were removed from the end)',
    });
  });

  it('with a key, binds the head to the state serial, so an earlier line cannot stand in for it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-audit-')), 'k.audit.jsonl');
    const written = await appendAudit(path, [input(1), input(2), input(3)], 'k');
    const head = withAuditHead(state, written[2], 'k').audit!;
    expect(await verifyAudit(path, { key: 'k', head, stateIdentity: state })).toEqual({
      ok: true,
      entries: 3,
      keyed: true,
    });
    // Cut back to line 2, with the head rewritten to name line 2 (copied from the log itself).
    writeFileSync(path, `${readFileSync(path, 'utf8').split('\n').slice(0, 2).join('\n')}\n`);
    const forged = { seq: 2, head: written[1]!.hash, mac: written[1]!.mac! };
    expect(await verifyAudit(path, { key: 'k', head: forged, stateIdentity: state })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not signed with ACCORD_AUDIT_KEY'),
    });
    // A head re-bound to a new serial stays valid: each state write signs it again.
    const next = { ...state, serial: 8, audit: head };
    expect(
      await verifyAudit(path, {
        key: 'k',
        head: withAuditHead(next, written[1], 'k').audit!,
        stateIdentity: next,
      }),
    ).toEqual({ ok: true, entries: 2, keyed: true });
  });
});
