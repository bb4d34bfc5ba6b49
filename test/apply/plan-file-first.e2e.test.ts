import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { changeKeys, changesDigest, contentId } from '../../src/model/change-id.js';
import type { Plan } from '../../src/plan/types.js';
import { loopbackSandbox, runAccord, scratch, writeRequests } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

/**
 * `accord apply PLANFILE` opens and checks the file before it contacts any platform: a file that
 * is not a plan, or a plan for another policy, is refused with no request sent at all.
 */
describe('accord apply PLANFILE checks the file first', () => {
  let sandbox: Awaited<ReturnType<typeof loopbackSandbox>>;
  const dir = scratch('planfile-first');
  let saved: string;

  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 20, seed: 5 });
    const planFile = join(dir.dir, 'plan.json');
    const made = await runAccord(sandbox, ['plan', '--out', planFile, '--state', dir.state]);
    // 4: blocked by the deprovisioning cap, as a small sandbox is; the plan is still saved.
    if (made.status !== 0 && made.status !== 4) throw new Error(`plan failed: ${made.stderr}`);
    saved = readFileSync(planFile, 'utf8');
  }, 60_000);

  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  const cases: [string, (text: string) => string, string][] = [
    ['a truncated file', (text) => text.slice(0, text.length / 2), 'cannot read plan file'],
    [
      'another format version',
      (text) => text.replace('"formatVersion":2', '"formatVersion":9'),
      'is not an accord plan',
    ],
    [
      'a change with an unknown action',
      (text) => text.replace(/"action":"\w+"/, '"action":"delete"'),
      '/changes/0/action "delete" is not an action',
    ],
    [
      'a plan from another policy',
      (text) => text.replace(/"policyDigest":"\w+"/, `"policyDigest":"${'f'.repeat(64)}"`),
      'was planned from a different policy',
    ],
  ];
  describe('a saved change edited after review is never applied', () => {
    /** The saved plan with its first grant's target renamed, and what of its seal a forger redid. */
    const tamper = (reseal: 'nothing' | 'id') => {
      const plan = JSON.parse(saved) as Plan;
      const at = plan.changes.findIndex((c) => c.action === 'grant' && c.target);
      const grant = plan.changes[at]!;
      grant.target = { ...grant.target!, name: 'System_Administrator' };
      if (reseal !== 'nothing') grant.id = contentId(grant, changeKeys(plan.changes));
      return { plan, grant };
    };

    it.each([
      ['nothing', 'does not match its id'],
      ['id', 'do not match its changesDigest'],
    ] as const)('refused when it reseals %s', async (reseal, message) => {
      const file = join(dir.dir, `tampered-${reseal}.json`);
      writeFileSync(file, JSON.stringify(tamper(reseal).plan));
      const writes = writeRequests(sandbox).length;
      const run = await accordInProcess(sandbox, ['apply', file, '--state', dir.state, '--audit', dir.audit]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('was edited after it was planned');
      expect(run.stderr).toContain(message);
      expect(writeRequests(sandbox).length).toBe(writes);
    });

    it('stale when it reseals the id and the digest: no fresh plan holds that change', async () => {
      const file = join(dir.dir, 'tampered-resealed.json');
      const { plan, grant } = tamper('nothing');
      // Alone, as a thorough forger would reseal it: no dependencies, its id and the plan's digest
      // recomputed. Past the guard rails (the demo plan is blocked), it is judged stale.
      const forged = { ...grant, dependsOn: [] };
      forged.id = contentId(forged, new Map());
      writeFileSync(
        file,
        JSON.stringify({ ...plan, changes: [forged], changesDigest: changesDigest([forged]) }),
      );
      const run = await accordInProcess(sandbox, [
        'apply',
        file,
        '--allow-large-change',
        '--state',
        dir.state,
        '--audit',
        dir.audit,
      ]);
      expect(run.stdout).toContain('1 changes, 1 stale');
      expect(run.stdout).toContain('0 applied');
      expect(writeRequests(sandbox).filter((r) => r.url.includes('System_Administrator'))).toEqual([]);
    });
  });

  describe('with ACCORD_PLAN_KEY set', () => {
    const withKey = async <T>(run: () => Promise<T>): Promise<T> => {
      process.env.ACCORD_PLAN_KEY = 'review-key';
      try {
        return await run();
      } finally {
        delete process.env.ACCORD_PLAN_KEY;
      }
    };

    it('refuses an unsigned plan, even one whose ids and digest were all resealed, before any write', async () => {
      const file = join(dir.dir, 'unsigned.json');
      writeFileSync(file, saved);
      const writes = writeRequests(sandbox).length;
      const run = await withKey(() =>
        accordInProcess(sandbox, ['apply', file, '--state', dir.state, '--audit', dir.audit]),
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('is not signed, and ACCORD_PLAN_KEY is set');
      expect(writeRequests(sandbox).length).toBe(writes);
    });

    it('signs what `plan --out` saves, and refuses that plan once edited', async () => {
      const file = join(dir.dir, 'signed.json');
      const made = await withKey(() =>
        accordInProcess(sandbox, ['plan', '--out', file, '--state', dir.state]),
      );
      expect([0, 4]).toContain(made.status);
      const plan = JSON.parse(readFileSync(file, 'utf8')) as Plan;
      expect(plan.signature).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      writeFileSync(file, JSON.stringify({ ...plan, blocked: false, blockedReasons: [] }));
      const writes = writeRequests(sandbox).length;
      const run = await withKey(() =>
        accordInProcess(sandbox, ['apply', file, '--state', dir.state, '--audit', dir.audit]),
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('has a signature that ACCORD_PLAN_KEY does not make');
      expect(writeRequests(sandbox).length).toBe(writes);
    });
  });

  it('judges guard rails on a fresh plan, not on the blocked flag a file carries', async () => {
    const file = join(dir.dir, 'unblocked.json');
    const plan = JSON.parse(saved) as { blocked: boolean; blockedReasons: string[] };
    expect(plan.blocked).toBe(true); // 2 of 20 people leave: over the demo's 5 % cap
    writeFileSync(file, JSON.stringify({ ...plan, blocked: false, blockedReasons: [] }));
    const writes = writeRequests(sandbox).length;
    const run = await accordInProcess(sandbox, ['apply', file, '--state', dir.state, '--audit', dir.audit]);
    expect(run.stderr).toContain('the plan is blocked by guard rails: 2 of 20 people in scope');
    expect(run.status).toBe(1);
    expect(writeRequests(sandbox).length).toBe(writes);
  });

  it.each(cases)('refuses %s without a single request', async (name, edit, message) => {
    const file = join(dir.dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, edit(saved));
    const requests = sandbox.instrument.log.length;
    const run = await accordInProcess(sandbox, ['apply', file, '--state', dir.state, '--audit', dir.audit]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(sandbox.instrument.log.length).toBe(requests);
  });
});
