/**
 * The github-script side of the workflows (.github/accord/github.cjs) against a fake of the REST
 * endpoints: one plan comment per environment updated in place, long plans in several comments,
 * the error comment, the accord:blocked label with the reasons on top, finding the reviewed plan
 * artifact of a merged pull request, the apply-result comment and the reconcile issue.
 */
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { splitMarkdown } from '../../src/render/split-markdown.js';
import { fakeGitHub } from './fake-github.js';

interface Scripts {
  planComment(clients: object, options: object): Promise<{ bodies: string[]; labels: string[] }>;
  findReviewedPlan(clients: object, options: object): Promise<Record<string, unknown>>;
  applyComment(clients: object, options: object): Promise<string[] | undefined>;
  reconcileIssue(clients: object, options: object): Promise<string>;
}
const scripts = createRequire(import.meta.url)('../../.github/accord/github.cjs') as Scripts;

const SEPARATOR = '\n\n<!-- accord: next comment -->\n\n';
const now = new Date('2026-03-01T10:00:00Z');
const planJson = (over: object = {}) =>
  JSON.stringify({
    environment: 'production',
    changes: [{ id: 'c1' }],
    summary: { peopleDeprovisioned: 0 },
    blocked: false,
    blockedReasons: [],
    ...over,
  });
const files = (map: Record<string, string>) => (f: string) => map[f];
const ok = { validate: 'success', diff: 'success', plan: 'success', planExit: '2' };

describe('planComment', () => {
  it('keeps one comment per environment, updated in place, with head SHA, run link and time', async () => {
    const gh = fakeGitHub();
    const read = files({ 'plan.json': planJson(), 'plan.md': '## accord plan', 'diff.md': '## policy diff' });
    await scripts.planComment(gh, { environment: 'production', read, outcome: ok, now });
    await scripts.planComment(gh, { environment: 'staging', read, outcome: ok, now });
    await scripts.planComment(gh, {
      environment: 'production',
      read,
      outcome: ok,
      now: new Date(now.getTime() + 1000),
    });
    expect(gh.comments).toHaveLength(2);
    const prod = gh.comments.find((c) => c.body.includes('env=production'))!;
    expect(prod.body).toMatch(
      /^<!-- accord-plan env=production part=1 -->\n### accord plan for `production`: 1 change/,
    );
    expect(prod.body).toContain('commit `aaaaaaaaaaaa`');
    expect(prod.body).toContain('[run 4242](https://github.example/acme/access/actions/runs/4242)');
    expect(prod.body).toContain('2026-03-01T10:00:01Z');
    // Summary first: the plan comes before the policy diff.
    expect(prod.body.indexOf('\n## accord plan')).toBeLessThan(prod.body.indexOf('## policy diff'));
    expect(gh.calls.filter((c) => c.startsWith('updateComment'))).toHaveLength(1);
    expect(gh.labels.get(7)).toEqual(['accord:changes']);
  });

  it("posts a long plan as the renderer's parts, and deletes parts a shorter plan no longer needs", async () => {
    const gh = fakeGitHub();
    const long = splitMarkdown(
      Array.from({ length: 4000 }, (_, i) => `- change ${i} ${'x'.repeat(40)}`).join('\n'),
    ).join(SEPARATOR);
    const bodies = (
      await scripts.planComment(gh, {
        environment: 'production',
        read: files({ 'plan.json': planJson(), 'plan.md': long }),
        outcome: ok,
        now,
      })
    ).bodies;
    expect(bodies.length).toBeGreaterThan(2);
    expect(gh.comments).toHaveLength(bodies.length);
    for (const c of gh.comments) expect(c.body.length).toBeLessThanOrEqual(65536);
    await scripts.planComment(gh, {
      environment: 'production',
      read: files({ 'plan.json': planJson(), 'plan.md': 'short' }),
      outcome: ok,
      now,
    });
    expect(gh.comments).toHaveLength(1);
  });

  it('puts the blocked reasons at the top and adds accord:blocked', async () => {
    const gh = fakeGitHub();
    gh.labels.set(7, ['accord:no-changes', 'unrelated']);
    const result = await scripts.planComment(gh, {
      environment: 'production',
      read: files({
        'plan.json': planJson({
          blocked: true,
          blockedReasons: ['deprovisions 12 people, over the cap of 5'],
          summary: { peopleDeprovisioned: 12 },
        }),
        'plan.md': '## accord plan',
      }),
      outcome: { ...ok, planExit: '4' },
      now,
    });
    const body = result.bodies[0]!;
    expect(body).toMatch(/: ⛔ blocked\n/);
    expect(body.indexOf('deprovisions 12 people, over the cap of 5')).toBeLessThan(
      body.indexOf('\n## accord plan'),
    );
    expect(gh.labels.get(7)!.sort()).toEqual([
      'accord:blocked',
      'accord:changes',
      'accord:deprovision',
      'unrelated',
    ]);
  });

  it('replaces the plan comment with an error comment when validate fails, and drops the plan labels', async () => {
    const gh = fakeGitHub();
    const read = files({ 'plan.json': planJson(), 'plan.md': '## accord plan' });
    await scripts.planComment(gh, { environment: 'production', read, outcome: ok, now });
    await scripts.planComment(gh, {
      environment: 'production',
      read: files({ 'validate.err': 'error: policies/access.json: unknown group ```x```' }),
      outcome: { validate: 'failure', diff: 'skipped', plan: 'skipped', planExit: '' },
      now,
    });
    expect(gh.comments).toHaveLength(1);
    const body = gh.comments[0]!.body;
    expect(body).toContain('### accord: the validate failed for `production`');
    expect(body).not.toContain('\n## accord plan');
    expect(body).toContain('````text\nerror: policies/access.json: unknown group ```x```\n````');
    expect(gh.labels.get(7)).toEqual([]);
  });
});

describe('findReviewedPlan', () => {
  const setup = () => {
    const gh = fakeGitHub();
    const head = 'h'.repeat(40);
    gh.pulls.set(gh.context.sha, [
      {
        number: 7,
        merged_at: '2026-03-01',
        merge_commit_sha: gh.context.sha,
        head: { sha: head, repo: { id: 1 } },
      },
    ]);
    return { gh, head, name: `accord-plan-production-pr7-${head}` };
  };

  it("finds the artifact of the pull request's head commit, from its own repository", async () => {
    const { gh, head, name } = setup();
    gh.artifacts.push(
      // An artifact of the same name from another repository's run (a fork) is ignored.
      {
        id: 1,
        name,
        expired: false,
        created_at: '2026-03-02',
        workflow_run: { id: 9, head_sha: head, head_repository_id: 666 },
      },
      {
        id: 2,
        name,
        expired: false,
        created_at: '2026-03-01',
        workflow_run: { id: 8, head_sha: head, head_repository_id: 1 },
      },
    );
    expect(await scripts.findReviewedPlan(gh, { sha: gh.context.sha, environment: 'production' })).toEqual({
      found: true,
      pr: 7,
      headSha: head,
      name,
      runId: 8,
      artifactId: 2,
    });
  });

  it('says why when there is no plan for the head commit, or no pull request at all', async () => {
    const { gh, name } = setup();
    gh.artifacts.push({
      id: 3,
      name,
      expired: true,
      created_at: '2026-03-01',
      workflow_run: { id: 8, head_sha: 'h'.repeat(40), head_repository_id: 1 },
    });
    const missing = await scripts.findReviewedPlan(gh, { sha: gh.context.sha, environment: 'production' });
    expect(missing).toMatchObject({ found: false, pr: 7 });
    expect(missing.reason).toMatch(/^no reviewed plan for pull request #7 at its head commit hhhhhhhhhhhh/);
    expect(await scripts.findReviewedPlan(gh, { sha: 'b'.repeat(40), environment: 'production' })).toEqual({
      found: false,
      reason: 'commit bbbbbbbbbbbb is not the merge of a pull request',
    });
  });
});

describe('applyComment', () => {
  it('comments the result on the merged pull request, once per environment', async () => {
    const gh = fakeGitHub();
    const read = files({ 'apply.log': 'Apply complete: 3 applied, 0 failed, 0 skipped, 1 stale.' });
    await scripts.applyComment(gh, { pr: '7', environment: 'production', outcome: 'success', read, now });
    await scripts.applyComment(gh, { pr: '7', environment: 'production', outcome: 'success', read, now });
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toMatch(
      /^<!-- accord-apply env=production part=1 -->\n### accord apply to `production`: ✅ applied/,
    );
    expect(gh.comments[0]!.body).toContain('1 stale.');
    await scripts.applyComment(gh, {
      pr: '7',
      environment: 'production',
      outcome: 'not-applied',
      reason: 'Nothing was applied: no reviewed plan.',
      read: files({}),
      now,
    });
    expect(gh.comments[0]!.body).toContain('⛔ not applied');
    expect(gh.comments[0]!.body).toContain('> Nothing was applied: no reviewed plan.');
  });
});

describe('reconcileIssue', () => {
  it('keeps ONE issue per environment open while something waits for a person, and closes it when clean', async () => {
    const gh = fakeGitHub();
    const read = files({ 'reconcile.md': '## accord reconcile: 3 drifted' });
    const run = (exitCode: string, environment = 'production') =>
      scripts.reconcileIssue(gh, { exitCode, environment, read });
    expect(await run('2')).toBe('open');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.labels).toEqual(['accord:reconcile']);
    expect(gh.issues[0]!.title).toBe('accord (production): live access drifted from the policy');
    expect(gh.issues[0]!.body).toContain('## accord reconcile: 3 drifted');
    // Blocked, then lifecycle work nobody applied: the same issue, retitled.
    expect(await run('4')).toBe('open');
    expect(gh.issues[0]!.title).toBe('accord (production): the scheduled reconcile is blocked');
    expect(await run('3')).toBe('open');
    expect(gh.issues[0]!.title).toBe('accord (production): access changes wait to be applied');
    // Another environment has its own issue.
    expect(await run('2', 'staging')).toBe('open');
    expect(gh.issues).toHaveLength(2);
    expect(await run('0')).toBe('closed');
    expect(gh.issues[0]!.state).toBe('closed');
    expect(gh.issues[1]!.state).toBe('open');
    expect(gh.comments.at(-1)!.body).toContain('Clean again');
    expect(await run('0')).toBe('none');
  });

  it('a run that failed before writing its report still updates the issue, pointing at the run', async () => {
    const gh = fakeGitHub();
    expect(
      await scripts.reconcileIssue(gh, { exitCode: '1', environment: 'production', read: files({}) }),
    ).toBe('open');
    expect(gh.issues[0]!.title).toBe('accord (production): the scheduled reconcile failed');
    expect(gh.issues[0]!.body).toContain('ended with exit code 1 before it wrote a report');
  });
});
