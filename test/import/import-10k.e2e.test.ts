/**
 * UC-27 at scale: `accord import --hold-leavers` on a 10k-people sandbox estate (the demo
 * company's generator at 10,000 people: two Salesforce orgs, ~6,800 active users, leavers,
 * orphans, the hand-made drift), then `accord validate` and `accord plan` on what it wrote,
 * through the real providers over HTTP: 0 changes.
 *
 * Without held-leavers.json (the file `--hold-leavers` adds), the plan's only changes are the
 * default lifecycle offboarding people who left but still have active Salesforce users: import
 * keeps that lifecycle, since leavers' access is not today's access to reproduce but the hole
 * accord closes. About 40 s alone on the 2-core machine, most of it the import's HTTP reads.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '@accord/sandbox';
import type { ImportRun } from '../../src/import/run-import.js';
import type { PolicyDocument } from '../../src/policy/types.js';
import { loopbackSandbox, scratch } from '../apply/support/harness.js';
import { accordInProcess } from '../apply/support/in-process.js';
import { planCli } from './support/plan-cli.js';

let sandbox: Sandbox;
const dir = scratch('import-10k');
const out = join(dir.dir, 'policies');
let report: ImportRun['report'] & { written: string[] };
const seconds: Record<string, number> = {};

const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  try {
    return await work();
  } finally {
    seconds[label] = Math.round(performance.now() - start) / 1000;
  }
};

beforeAll(async () => {
  sandbox = await timed('seed', () => loopbackSandbox({ people: 10_000, seed: 42 }));
  const run = await timed('import', () =>
    accordInProcess(sandbox, ['import', '--out', out, '--format', 'json', '--hold-leavers']),
  );
  expect(run.status).toBe(0);
  report = JSON.parse(run.stdout) as typeof report;
}, 180_000);

afterAll(async () => {
  process.stdout.write(`import-10k seconds: ${JSON.stringify(seconds)}\n`);
  await sandbox?.close();
  dir.remove();
});

describe('UC-27 accord import on a 10k-people sandbox estate', () => {
  it('reads the whole estate and mines rules, each with its precision and coverage', () => {
    const active = report.orgs.reduce((n, o) => n + o.activeUsers, 0);
    expect(active).toBeGreaterThan(5_000);
    expect(report.rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of report.rules)
      for (const g of rule.grants) {
        expect(g.precision).toBeGreaterThanOrEqual(0.9);
        expect(g.coverage).toBeGreaterThan(0);
      }
    // The demo's drift, at any size: Kim's stale Support access, Chris's hand-made Data_Export.
    expect(report.individualRules).toBe(1);
    expect(report.exceptions).toBe(2);
  });

  it('validate accepts what import wrote', async () => {
    const run = await accordInProcess(sandbox, ['validate', '-p', out]);
    expect(run.stdout).toContain('Policy is valid');
    expect(run.status).toBe(0);
  });

  it('plan: 0 changes; each change held back for a leaver is a protected-account warning', async () => {
    const doc = JSON.parse(await readFile(join(out, 'held-leavers.json'), 'utf8')) as PolicyDocument;
    expect(doc.guardrails!.protectedAccounts).toEqual(report.heldLeavers);
    expect(report.heldLeavers.length).toBe(new Set(report.leavers.map((l) => l.username)).size);
    expect(report.heldLeavers.length).toBeGreaterThan(50);
    expect(report.plan).toMatchObject({ changes: 0, blocked: false });
    const plan = await timed('plan', () => planCli(sandbox, out, dir.state));
    expect(plan.changes).toEqual([]);
    expect(plan.findings.filter((f) => f.code === 'protected-account').length).toBeGreaterThan(
      report.heldLeavers.length,
    );
  });

  it("without held-leavers.json: every change is the lifecycle offboarding a listed leaver, nobody else's access", async () => {
    await rm(join(out, 'held-leavers.json'));
    const plan = await timed('plan without held-leavers', () => planCli(sandbox, out, dir.state));
    expect(plan.changes.length).toBeGreaterThan(report.heldLeavers.length);
    const leavers = new Set(report.leavers.map((l) => l.person));
    expect(plan.changes.filter((c) => !leavers.has(c.person ?? ''))).toEqual([]);
    expect(plan.changes.filter((c) => !String(c.reason.rule).startsWith('lifecycle.statuses.'))).toEqual([]);
  });
});
