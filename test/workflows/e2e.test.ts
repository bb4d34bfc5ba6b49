/**
 * The GitOps loop end to end (issue 16, "Must show"): the repository's own workflows run in a local
 * runner (runner/), against one persistent sandbox (ACCORD_SANDBOX_DATA), with a local bare
 * repository standing in for GitHub's git and a fake of the REST endpoints the workflows call.
 * PR -> plan comment and artifact -> merge -> the reviewed artifact applied, state on the
 * accord-state branch -> a leaver reported, then healed by the scheduled reconcile -> a blocked
 * PR labelled, its comment updated in place. The steps run in order and build on each other.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../../packages/sandbox/src/index.js';
import { fakeGitHub } from './fake-github.js';
import { GitHost, type HostPull } from './runner/git-host.js';
import { linkNodeModules } from './runner/node-modules.js';
import { WorkflowRunner, type RunResult } from './runner/workflow-runner.js';

jest.setTimeout(300_000);

const checkout = fileURLToPath(new URL('../..', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'accord-workflows-e2e-'));
const sandboxData = join(base, 'sandbox.json');
const host = new GitHost(join(base, 'host'));
const gh = fakeGitHub();
const runner = new WorkflowRunner({
  root: join(base, 'runner'),
  host,
  github: gh,
  checkout,
  env: { ACCORD_SANDBOX_DATA: sandboxData },
  secrets: { ACCORD_TEST_SECRET: `s3cr3t-${Date.now()}` },
  replaceRun: { 'npm ci': linkNodeModules(checkout) },
});
const started = Date.now();
afterAll(() => {
  process.stderr.write(`workflows e2e: ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  if (!process.env.ACCORD_KEEP_E2E) rmSync(base, { recursive: true, force: true });
});

/** This repository's files that the workflows read: policies, workflows and their scripts, state. */
function repositoryFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(checkout, dir))) {
      const path = join(dir, entry);
      if (statSync(join(checkout, path)).isDirectory()) walk(path);
      else files[path] = readFileSync(join(checkout, path), 'utf8');
    }
  };
  for (const dir of ['policies', '.github', 'state']) walk(dir);
  files['package.json'] = readFileSync(join(checkout, 'package.json'), 'utf8');
  return files;
}

const comments = (kind: string, issue: number) =>
  gh.comments.filter((c) => c.issue === issue && c.body.startsWith(`<!-- accord-${kind} env=demo part=`));

/** Fails with the run's log, so a broken step says why. */
function expectRun(run: RunResult, conclusion: 'success' | 'failure') {
  if (run.conclusion !== conclusion) throw new Error(`${run.workflow} ${run.conclusion}:\n${run.log()}`);
  expect(run.secretLeaks).toEqual([]);
}

async function withSandbox<T>(fn: (sandbox: Sandbox) => Promise<T> | T): Promise<T> {
  const sandbox = await startSandbox({ dataFile: sandboxData, transport: 'loopback', port: 0 });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** Permission sets of an active prod Salesforce user, by name (undefined: no such active user). */
const prodPermissionSets = (sandbox: Sandbox, username: string) => {
  const sf = sandbox.stores.salesforce.prod!;
  const user = sf.user(username);
  if (!user) return undefined;
  return {
    active: user.IsActive === true,
    frozen: sf.loginOf(String(user.Id))?.IsFrozen === true,
    sets: sf
      .assignmentsOf(String(user.Id))
      .map((a) => sf.get('PermissionSet', String(a.PermissionSetId))?.Name)
      .filter((n): n is string => typeof n === 'string')
      .sort(),
  };
};

/** identity.json with an Okta group taken out of scope. */
const outOfScope = (group: string) => {
  const doc = JSON.parse(readFileSync(join(checkout, 'policies/identity.json'), 'utf8')) as {
    identity: { scope: { exclude: object[] } };
  };
  doc.identity.scope.exclude.push({ oktaGroup: group });
  return `${JSON.stringify(doc, null, 2)}\n`;
};

/** Deactivates a person in Okta, through the sandbox's Okta API. */
async function leave(login: string) {
  await withSandbox(async (sandbox) => {
    const user = sandbox.stores.okta.findUserByLogin(login)!;
    const response = await fetch(`${sandbox.env.OKTA_ORG_URL}/api/v1/users/${user.id}/lifecycle/deactivate`, {
      method: 'POST',
      headers: { Authorization: `SSWS ${sandbox.env.OKTA_API_TOKEN}`, Accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(sandbox.stores.okta.findUserByLogin(login)!.status).toBe('DEPROVISIONED');
  });
}

const salesRule = (extra: object) => {
  const doc = JSON.parse(readFileSync(join(checkout, 'policies/access/sales.json'), 'utf8')) as {
    access: { id: string; grants: { prod: { permissionSets: string[] } } }[];
  };
  Object.assign(doc.access.find((r) => r.id === 'sales-reps')!.grants.prod, extra);
  return `${JSON.stringify(doc, null, 2)}\n`;
};

describe('the GitOps workflows, end to end against the sandbox', () => {
  let pr1: HostPull;
  let plan1: RunResult;
  let sellers: string[] = [];

  beforeAll(() => {
    host.commit('main', repositoryFiles(), 'accord: the access repository');
  });

  it('1. the host repository holds the policy, the workflows and state/ on main', () => {
    expect(host.show('main', '.github/workflows/plan.yml')).toContain('name: plan');
    expect(host.show('main', 'policies/access/sales.json')).toContain('sales-reps');
    expect(host.rev('refs/heads/accord-state')).toBeUndefined();
  });

  it('2. a pull request is planned: one comment per environment, summary first, the plan artifact', async () => {
    host.commit(
      'grant-knowledge',
      {
        'policies/access/sales.json': salesRule({ permissionSets: ['Sales_Cloud_User', 'Knowledge_User'] }),
      },
      'Sales reps read the knowledge base',
    );
    pr1 = host.openPull('grant-knowledge');
    plan1 = await runner.run('.github/workflows/plan.yml', {
      event: 'pull_request',
      pull: pr1,
      action: 'opened',
    });
    expectRun(plan1, 'success');
    expect(plan1.step('plan', 'plan').outputs['exit-code']).toBe('2');

    // One comment per environment, in numbered parts when the plan outgrows GitHub's comment size
    // (the first plan of the whole demo does).
    const mine = comments('plan', pr1.number);
    expect(mine.map((c) => /^<!-- accord-plan env=(\w+) part=(\d+) -->/.exec(c.body)?.slice(1))).toEqual(
      mine.map((_, i) => ['demo', String(i + 1)]),
    );
    const body = mine.map((c) => c.body).join('\n');
    expect(body).toMatch(/^<!-- accord-plan env=demo part=1 -->\n### accord plan for `demo`: \d+ changes\n/);
    expect(body).toContain(`commit \`${pr1.headSha.slice(0, 12)}\``);
    expect(body).toContain(
      `[run ${plan1.runId}](https://github.com/acme/access/actions/runs/${plan1.runId})`,
    );
    expect(body).toMatch(/ · \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    // Summary first: the plan (with its summary table) before the policy diff.
    const plan = body.indexOf('\n## accord plan');
    expect(plan).toBeGreaterThan(0);
    expect(body.indexOf('| **people deprovisioned**')).toBeGreaterThan(plan);
    expect(body.indexOf('\n## accord diff: `origin/main`')).toBeGreaterThan(plan);
    expect(body).toContain('Knowledge_User');
    expect(gh.labels.get(pr1.number)).toEqual(expect.arrayContaining(['accord:changes']));

    const name = `accord-plan-demo-pr${pr1.number}-${pr1.headSha}`;
    expect(runner.artifacts.uploaded.map((a) => [a.name, a.runId, a.files])).toEqual([
      [name, plan1.runId, ['plan.json']],
    ]);
    expect(gh.artifacts).toEqual([
      expect.objectContaining({
        name,
        workflow_run: { id: plan1.runId, head_sha: pr1.headSha, head_repository_id: host.repository.id },
      }),
    ]);
    // The plan job's token may not push: contents: read.
    expect(plan1.jobs.plan!.permissions.contents).toBe('read');
    expect(host.pushes()).toEqual([]);
  });

  it('3. the merge applies exactly the reviewed artifact, state goes to accord-state, never main', async () => {
    const push = runner.merge(pr1.number);
    const apply = await runner.run('.github/workflows/apply.yml', { event: 'push', ...push });
    expectRun(apply, 'success');

    expect(runner.artifacts.downloads).toEqual([
      {
        runId: plan1.runId,
        name: `accord-plan-demo-pr${pr1.number}-${pr1.headSha}`,
        intoRun: apply.runId,
        job: 'apply',
      },
    ]);
    const applied = apply.step('apply', 'apply').stdout;
    expect(applied).toMatch(/Applying reviewed\/plan\.json: \d+ changes, 0 stale\./);
    expect(applied).toMatch(/Apply complete: \d+ applied, 0 failed/);

    // The sandbox (one data file across jobs) now has what the PR granted.
    sellers = await withSandbox((sandbox) => {
      const okta = sandbox.stores.okta;
      const sales = okta.findGroupByName('Sales')!;
      const others = new Set(
        ['Sales Managers', 'EMEA', 'Finance', 'Salesforce Admins']
          .map((g) => okta.findGroupByName(g))
          .filter((g) => g !== undefined)
          .flatMap((g) => okta.memberIds(g.id)),
      );
      const reps = okta
        .members(sales.id)
        .filter((u) => u.status === 'ACTIVE' && !others.has(u.id) && u.profile.login.endsWith('@acme.test'));
      expect(reps.length).toBeGreaterThan(3);
      for (const rep of reps)
        expect(prodPermissionSets(sandbox, rep.profile.login)?.sets).toContain('Knowledge_User');
      return reps.slice(0, 3).map((r) => r.profile.login);
    });

    // State: one push, to accord-state, holding only state/; main is where the merge put it.
    expect(host.pushes().map((p) => p.ref)).toEqual(['refs/heads/accord-state']);
    expect(host.rev('refs/heads/main')).toBe(push.after);
    expect(host.repo('ls-tree', '-r', '--name-only', 'accord-state').split('\n')).toEqual(
      expect.arrayContaining(['state/demo.state.json', 'state/demo.audit.jsonl']),
    );
    const state = JSON.parse(host.show('accord-state', 'state/demo.state.json')!) as {
      lastApply?: { gitCommit?: string };
    };
    expect(state.lastApply?.gitCommit).toBe(push.after);

    const result = comments('apply', pr1.number);
    expect(result).toHaveLength(1);
    expect(result[0]!.body).toMatch(
      /^<!-- accord-apply env=demo part=1 -->\n### accord apply to `demo`: ✅ applied\n/,
    );
    expect(result[0]!.body).toContain(`commit \`${push.after.slice(0, 12)}\``);
  });

  it('4a. a leaver in Okta: the scheduled reconcile (report mode) opens one issue and changes nothing', async () => {
    await leave(sellers[0]!);
    const before = host.pushes().length;
    const run = await runner.run('.github/workflows/reconcile.yml', {
      event: 'schedule',
      cron: '23 6 * * *',
    });
    expectRun(run, 'success');
    expect(run.step('reconcile', 'reconcile').outputs['exit-code']).toBe('3');
    const open = gh.issues.filter((i) => i.state === 'open' && i.labels.includes('accord:reconcile'));
    expect(open).toHaveLength(1);
    expect(open[0]!.body).toContain(sellers[0]);
    expect(host.pushes()).toHaveLength(before);
    await withSandbox((sandbox) => {
      expect(prodPermissionSets(sandbox, sellers[0]!)).toMatchObject({ active: true });
      expect(prodPermissionSets(sandbox, sellers[0]!)!.sets).toContain('Knowledge_User');
    });
  });

  it('4b. in self-heal mode (merged by pull request) the next leaver is offboarded by the schedule', async () => {
    const platforms = JSON.parse(readFileSync(join(checkout, 'policies/platforms.json'), 'utf8')) as {
      settings: Record<string, string>;
    };
    platforms.settings.reconcile = 'self-heal';
    host.commit(
      'self-heal',
      { 'policies/platforms.json': `${JSON.stringify(platforms, null, 2)}\n` },
      'Self-heal',
    );
    const pr = host.openPull('self-heal');
    expectRun(await runner.run('.github/workflows/plan.yml', { event: 'pull_request', pull: pr }), 'success');
    expectRun(
      await runner.run('.github/workflows/apply.yml', { event: 'push', ...runner.merge(pr.number) }),
      'success',
    );
    // That reviewed apply took care of the first leaver; the second leaves now.
    await leave(sellers[1]!);
    const pushes = host.pushes().length;
    const run = await runner.run('.github/workflows/reconcile.yml', {
      event: 'schedule',
      cron: '23 6 * * *',
    });
    expectRun(run, 'success');
    expect(run.step('reconcile', 'reconcile').outputs['exit-code']).toBe('0');
    await withSandbox((sandbox) => {
      for (const leaver of sellers.slice(0, 2)) {
        const now = prodPermissionSets(sandbox, leaver)!;
        expect(now.active).toBe(false);
        expect(now.sets).not.toContain('Knowledge_User');
        expect(now.sets).not.toContain('Sales_Cloud_User');
      }
      // The third seller stays.
      expect(prodPermissionSets(sandbox, sellers[2]!)).toMatchObject({ active: true });
    });
    expect(
      host
        .pushes()
        .slice(pushes)
        .map((p) => p.ref),
    ).toEqual(['refs/heads/accord-state']);
    const issues = gh.issues.filter((i) => i.labels.includes('accord:reconcile'));
    expect(issues.map((i) => i.state)).toEqual(['closed']);
  });

  let blocked: HostPull;
  let blockedParts = 0;
  it('5. a pull request blocked by a guard rail fails the check, is labelled, with the reasons on top', async () => {
    // Taking Sales out of scope offboards every seller: far over the deprovision cap.
    host.commit(
      'sales-out-of-scope',
      { 'policies/identity.json': outOfScope('Sales') },
      'Sales leaves scope',
    );
    blocked = host.openPull('sales-out-of-scope');
    const run = await runner.run('.github/workflows/plan.yml', { event: 'pull_request', pull: blocked });
    expectRun(run, 'failure');
    expect(run.step('plan', 'plan').outputs['exit-code']).toBe('4');
    expect(run.step('plan', 'fail when blocked')).toMatchObject({ outcome: 'failure', exitCode: 4 });
    expect(run.step('plan', 'fail when blocked').annotations).toEqual([
      expect.objectContaining({ level: 'error', title: 'accord plan blocked' }),
    ]);
    expect(gh.labels.get(blocked.number)).toEqual(expect.arrayContaining(['accord:blocked']));
    // A long plan goes out as the renderer's parts, one comment each, in order.
    const mine = comments('plan', blocked.number);
    expect(mine.map((c) => /part=(\d+)/.exec(c.body)![1])).toEqual(mine.map((_, i) => String(i + 1)));
    blockedParts = mine.length;
    const body = mine[0]!.body;
    expect(body).toMatch(/^<!-- accord-plan env=demo part=1 -->\n### accord plan for `demo`: ⛔ blocked\n/);
    const reasons = body.indexOf('**Blocked by a guard rail');
    expect(reasons).toBeGreaterThan(0);
    const cap = body.search(/> - \d+ people would be deprovisioned, over the cap of 25/);
    expect(cap).toBeGreaterThan(reasons);
    // The plan follows the reasons: later in this comment, or (too long to fit) in the next part.
    const planAt = body.indexOf('\n## accord plan');
    if (planAt >= 0) expect(cap).toBeLessThan(planAt);
    else expect(mine[1]!.body).toContain('\n## accord plan');
    expect(gh.labels.get(blocked.number)).toEqual(expect.arrayContaining(['accord:deprovision']));
    // The plan is still uploaded (apply would refuse it), and nothing was pushed.
    expect(runner.artifacts.uploaded.map((a) => a.name)).toContain(
      `accord-plan-demo-pr${blocked.number}-${blocked.headSha}`,
    );
  });

  it('6. a second plan run on the same pull request updates its comment in place', async () => {
    const first = comments('plan', blocked.number)[0]!;
    expect(blockedParts).toBeGreaterThan(0);
    host.commit(
      'sales-out-of-scope',
      { 'policies/identity.json': host.show('main', 'policies/identity.json')! + '\n' },
      'Sales stays in scope after all',
    );
    const pull = host.syncPull(blocked.number);
    const run = await runner.run('.github/workflows/plan.yml', { event: 'pull_request', pull });
    expectRun(run, 'success');
    const mine = comments('plan', blocked.number);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.id).toBe(first.id);
    expect(mine[0]!.body).toMatch(
      /^<!-- accord-plan env=demo part=1 -->\n### accord plan for `demo`: no changes\n/,
    );
    expect(mine[0]!.body).toContain(`commit \`${pull.headSha.slice(0, 12)}\``);
    expect(run.calls.filter((c) => c.endpoint === 'issues.createComment')).toEqual([]);
    expect(run.calls.filter((c) => c.endpoint === 'issues.updateComment')).toHaveLength(1);
    expect(run.calls.filter((c) => c.endpoint === 'issues.deleteComment')).toHaveLength(blockedParts - 1);
    expect(gh.labels.get(blocked.number)).toEqual(['accord:no-changes']);
  });

  it('7. an invalid policy replaces the plan comment with an error comment that says why', async () => {
    // Separation of duties is checked statically: one rule granting both sides is invalid.
    host.commit(
      'sellers-approve',
      {
        'policies/access/sales.json': salesRule({
          permissionSets: ['Sales_Cloud_User', 'Knowledge_User', 'Billing_Approver'],
        }),
      },
      'Sales reps approve billing too',
    );
    const pull = host.openPull('sellers-approve');
    const run = await runner.run('.github/workflows/plan.yml', { event: 'pull_request', pull });
    expectRun(run, 'failure');
    expect(run.step('plan', 'validate').outcome).toBe('failure');
    const mine = comments('plan', pull.number);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toMatch(
      /^<!-- accord-plan env=demo part=1 -->\n### accord: the validate failed for `demo`/,
    );
    expect(gh.labels.get(pull.number) ?? []).toEqual([]);
    // The reviewer must see why: validate's diagnostics belong in the comment.
    expect(mine[0]!.body).toContain('separation of duties "quote-to-cash" forbids');
  });

  it('no secret or token in anything GitHub holds or the artifacts carry', () => {
    const secrets = [runner.token, ...Object.values(runner.options.secrets ?? {})];
    const held = JSON.stringify({ comments: gh.comments, issues: gh.issues, artifacts: gh.artifacts });
    for (const s of secrets) expect(held).not.toContain(s);
    for (const a of runner.artifacts.uploaded)
      for (const f of a.files)
        for (const s of secrets) expect(readFileSync(join(a.dir, f), 'utf8')).not.toContain(s);
  });
});
