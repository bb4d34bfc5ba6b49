import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@accord/sandbox';
import { parsePlan, PlanFileError, verifyPlanIntegrity } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/types.js';
import { Chalk } from 'chalk';
import { renderGraph } from '../../src/render/plan-graph.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { repoRoot, runMain } from './run-cli.js';

/**
 * `accord show PLANFILE` and `accord graph PLANFILE`: a saved plan rendered with no platform read
 * and no policy loaded, checked as `apply PLANFILE` checks it. In-process (`main()`), against one
 * loopback sandbox that only the `plan` making the file talks to.
 */
describe('accord show and graph PLANFILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-show-'));
  const file = join(dir, 'plan.json');
  let sandbox: Sandbox;
  let saved: string;
  let planText: string;
  /** Requests the sandbox has served so far: show and graph must add none. */
  const requests = () => sandbox.instrument.log.length;

  const plan = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runMain(['plan', '--policies', join(repoRoot, 'policies'), '--state', join(dir, 's.json'), ...args], {
      cwd: dir,
      env: { ...sandbox.env, ...env },
    });
  /** Run from the scratch directory, with none of the sandbox's variables: no platform to reach. */
  const inDir = (args: string[], env: NodeJS.ProcessEnv = {}) => runMain(args, { cwd: dir, env });

  beforeAll(async () => {
    sandbox = await startSandbox({ transport: 'loopback', port: 0, people: 20, seed: 5 });
    // Terraform's spelling, relative to the working directory: the file is plan.json, not ut=plan.json.
    const made = await plan(['-out=plan.json']);
    // 4: blocked by the deprovisioning cap, as a small sandbox is; the plan is still saved.
    if (made.status !== 0 && made.status !== 4) throw new Error(`plan failed: ${made.stderr}`);
    planText = made.stdout;
    saved = readFileSync(file, 'utf8');
  }, 60_000);

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('show: a heading, then the plan as the text renderer lists it', async () => {
    const before = requests();
    const run = await inDir(['show', 'plan.json']);
    const planned = parsePlan(saved, 'plan.json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `Saved plan plan.json: environment "demo", planned at ${planned.createdAt}, not signed.\n\n` +
        `${renderPlanText(planned, new Chalk({ level: 0 }))}\n`,
    );
    expect(requests()).toBe(before);
  });

  it('show lists the changes `plan` listed, and the same summary', async () => {
    // Not byte for byte: a saved plan's fingerprints are stored with sorted keys, so its
    // Salesforce orgs come out alphabetically (emea before prod) instead of in policy order.
    const run = await inDir(['show', 'plan.json']);
    const lines = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('  '))
        .sort();
    expect(lines(run.stdout)).toEqual(lines(planText));
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(planText.trimEnd().split('\n').at(-1));
  });

  it('show -json: the plan file, byte for byte', async () => {
    for (const args of [['-json'], ['--format', 'json'], ['-f', 'json']]) {
      const run = await inDir(['show', 'plan.json', ...args]);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(saved);
    }
  });

  it('show --format markdown: the PR comments, as `plan --format markdown` separates them', async () => {
    const run = await inDir(['show', 'plan.json', '--format', 'markdown']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      renderPlanMarkdown(parsePlan(saved, 'plan.json')).join('\n\n<!-- accord: next comment -->\n\n'),
    );
  });

  it('graph PLANFILE: the graph of the saved plan, in dot and mermaid, no platform read', async () => {
    const before = requests();
    const planned = parsePlan(saved, 'plan.json');
    expect(await inDir(['graph', 'plan.json'])).toEqual({
      status: 0,
      stdout: renderGraph(planned, 'dot'),
      stderr: '',
    });
    const mermaid = await inDir(['graph', 'plan.json', '-f', 'mermaid']);
    expect(mermaid.stdout).toBe(renderGraph(planned, 'mermaid'));
    expect(requests()).toBe(before);
  });

  it('graph PLANFILE --target: refused, a saved plan is drawn whole', async () => {
    const run = await inDir(['graph', 'plan.json', '-target=okta.']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'error: --target cannot narrow a saved plan\nhint: draw the whole plan (accord graph plan.json), or plan again with --target and --out\n',
    );
  });

  /** What `apply` would say about the file: the PlanFileError of the same checks. */
  const applyWouldSay = (text: string, source: string): string => {
    try {
      verifyPlanIntegrity(parsePlan(text, source), source);
    } catch (error) {
      if (!(error instanceof PlanFileError)) throw error;
      return `error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`;
    }
    throw new Error('the edit was not caught');
  };

  const edits: [string, (text: string) => string, string][] = [
    ['a truncated file', (t) => t.slice(0, t.length / 2), 'cannot read plan file'],
    [
      'another format version',
      (t) => t.replace('"formatVersion":2', '"formatVersion":9'),
      'is not an accord plan',
    ],
    ['an unknown action', (t) => t.replace(/"action":"\w+"/, '"action":"delete"'), 'is not an action'],
    ['a missing field', (t) => t.replace(/"changesDigest":"\w+",/, ''), '/changesDigest is not a string'],
    [
      'an edited change',
      (t) => t.replace(/"action":"grant"/, '"action":"revoke"'),
      'was edited after it was planned',
    ],
    [
      'a dropped change',
      (t) => {
        const p = JSON.parse(t) as Plan;
        return JSON.stringify({ ...p, changes: p.changes.slice(0, -1) });
      },
      'do not match its changesDigest',
    ],
  ];

  it.each(edits)('show and graph refuse %s with the error apply gives', async (name, edit, part) => {
    const edited = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(edited, edit(saved));
    const expected = applyWouldSay(edit(saved), edited);
    expect(expected).toContain(part);
    for (const command of [
      ['show', edited],
      ['show', edited, '-json'],
      ['graph', edited],
    ]) {
      expect(await inDir(command)).toEqual({ status: 1, stdout: '', stderr: expected });
    }
  });

  it('show of a file that is not there: one line, exit 1', async () => {
    const run = await inDir(['show', 'missing.json']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: cannot read plan file missing\.json: ENOENT[^\n]*\n$/);
  });

  describe('with ACCORD_PLAN_KEY', () => {
    const signed = join(dir, 'signed.json');
    beforeAll(async () => {
      const made = await plan(['-out', signed], { ACCORD_PLAN_KEY: 'review-key' });
      // 4: blocked by the deprovisioning cap, as a small sandbox is; the plan is still saved.
      if (made.status !== 0 && made.status !== 4) throw new Error(`plan failed: ${made.stderr}`);
    });

    it('verifies the signature and says so', async () => {
      const run = await inDir(['show', signed], { ACCORD_PLAN_KEY: 'review-key' });
      expect(run.status).toBe(0);
      expect(run.stdout.split('\n')[0]).toMatch(/, signature verified with ACCORD_PLAN_KEY\.$/);
    });

    it('without the key, says the signature was not checked', async () => {
      const run = await inDir(['show', signed]);
      expect(run.status).toBe(0);
      expect(run.stdout.split('\n')[0]).toMatch(/, signed; set ACCORD_PLAN_KEY to check the signature\.$/);
    });

    it('reports a bad signature: another key, or a plan edited and re-sealed', async () => {
      const other = await inDir(['show', signed], { ACCORD_PLAN_KEY: 'another-key' });
      expect(other.status).toBe(1);
      expect(other.stdout).toBe('');
      expect(other.stderr).toContain('has a signature that ACCORD_PLAN_KEY does not make');
      const p = JSON.parse(readFileSync(signed, 'utf8')) as Plan;
      const unblocked = join(dir, 'unblocked.json');
      writeFileSync(unblocked, JSON.stringify({ ...p, blocked: false, blockedReasons: [] }));
      for (const command of [
        ['show', unblocked],
        ['graph', unblocked],
      ]) {
        const run = await inDir(command, { ACCORD_PLAN_KEY: 'review-key' });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain('has a signature that ACCORD_PLAN_KEY does not make');
      }
    });

    it('refuses an unsigned plan, as apply does', async () => {
      const run = await inDir(['show', 'plan.json'], { ACCORD_PLAN_KEY: 'review-key' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('plan.json is not signed, and ACCORD_PLAN_KEY is set');
    });
  });
});
