/**
 * The GitHub workflows and the composite action: every file parses as YAML, and every accord
 * command they run (with every flag) exists in the CLI. Commands that other work will add are
 * listed in PENDING; once registered they are checked like the rest.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../src/cli/main.js';

// js-yaml arrives with eslint and the Okta SDK; it is not a direct dependency and has no types here.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

const root = fileURLToPath(new URL('..', import.meta.url));

/** Referenced by workflows, built by other work; a command not here and not registered fails. */
const PENDING = new Set<string>();

interface Step {
  id?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  if?: string;
  env?: Record<string, string>;
}
interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, string>;
  jobs: Record<
    string,
    {
      steps: Step[];
      environment?: string;
      permissions?: Record<string, string>;
      'timeout-minutes'?: number;
      env?: Record<string, string>;
      strategy?: { matrix: Record<string, unknown> };
    }
  >;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: Step[] };
}

const yamlFiles = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
const FILES = [
  ...yamlFiles('.github/workflows'),
  '.github/actions/accord/action.yml',
  '.github/actions/accord-plan/action.yml',
  ...yamlFiles('templates/init/.github/workflows'),
  'templates/init/.github/actions/accord-plan/action.yml',
];
const load = <T>(file: string) => yaml.load(readFileSync(join(root, file), 'utf8')) as T;
const stepsOf = (file: string): Step[] => {
  const doc = load<Workflow & Action>(file);
  return doc.runs ? doc.runs.steps : Object.values(doc.jobs).flatMap((j) => j.steps);
};

interface Use {
  file: string;
  command: string;
  flags: string[];
}

/** `npx [--no] accord <command> [args]` in run scripts, and `command:` of steps using the action. */
function uses(file: string): Use[] {
  const out: Use[] = [];
  for (const step of stepsOf(file)) {
    for (const m of (step.run ?? '').matchAll(/\bnpx(?:\s+--?[\w-]+)*\s+accord\s+([a-z][\w-]*)([^\n;&|>]*)/g))
      out.push({
        file,
        command: m[1]!,
        flags: [...(m[2] ?? '').matchAll(/(?:^|\s)(--[a-z][\w-]*)/g)].map((f) => f[1]!),
      });
    if (step.uses?.endsWith('/actions/accord') || step.uses?.includes('/accord@'))
      out.push({
        file,
        command: step.with?.command ?? '',
        flags: [...(step.with?.args ?? '').matchAll(/(?:^|\s)(--[a-z][\w-]*)/g)].map((f) => f[1]!),
      });
  }
  return out;
}

const program = buildProgram();
const commands = new Map(program.commands.map((c) => [c.name(), c]));
const ALL = FILES.flatMap(uses);

describe('workflow files', () => {
  it.each(FILES)('%s parses as YAML', (file) => {
    expect(load<object>(file)).toEqual(expect.any(Object));
  });

  it('run accord at all', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(9);
    expect(new Set(ALL.map((u) => u.command))).toEqual(
      new Set(['validate', 'diff', 'plan', 'apply', 'reconcile']),
    );
  });

  it('run only commands that exist or are known to be pending', () => {
    expect(ALL.filter((u) => !commands.has(u.command) && !PENDING.has(u.command))).toEqual([]);
  });

  it('pass only flags that the registered commands accept', () => {
    const bad = ALL.filter((u) => commands.has(u.command)).flatMap((u) => {
      const known = new Set(commands.get(u.command)!.options.map((o) => o.long));
      return u.flags.filter((f) => !known.has(f)).map((f) => `${u.file}: accord ${u.command} ${f}`);
    });
    expect(bad).toEqual([]);
  });

  for (const command of PENDING) {
    if (commands.has(command))
      it(`${command} is registered, so the checks above hold it to its real options`, () => {
        expect(ALL.some((u) => u.command === command)).toBe(true);
      });
    else it.todo(`${command}: run by the workflows, not registered yet`);
  }
});

describe("this repository's workflows demonstrate themselves on the sandbox", () => {
  const w = (name: string) => load<Workflow>(`.github/workflows/${name}.yml`);

  it('ci runs the README test command on Node 22 and 24', () => {
    const ci = w('ci');
    expect(ci.jobs.test!.strategy!.matrix.node).toEqual([22, 24]);
    expect(ci.jobs.test!.steps.map((s) => s.run).filter(Boolean)).toEqual(['npm ci', 'npm test']);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('npm test');
  });

  it('plan: read-only contents, no secrets, and the accord-plan composite action on the sandbox', () => {
    const text = readFileSync(join(root, '.github/workflows/plan.yml'), 'utf8');
    const plan = w('plan');
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(plan.jobs.plan!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(text).not.toMatch(/\$\{\{\s*secrets\./);
    const runs = plan.jobs.plan!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('.github/accord/state-branch.sh read');
    const action = plan.jobs.plan!.steps.at(-1)!;
    expect(action.uses).toBe('./.github/actions/accord-plan');
    expect(action.with).toMatchObject({
      environment: '${{ env.ACCORD_ENVIRONMENT }}',
      'platform-args': '--sandbox',
    });
  });

  it('accord-plan (the composite action): validate, diff, plan, comment and labels, artifact by PR and head SHA, blocked fails', () => {
    const action = load<Action>('.github/actions/accord-plan/action.yml');
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx --no accord validate $POLICY_ARGS > validate.err 2>&1');
    expect(runs).toContain(
      'npx --no accord diff $POLICY_ARGS --base "origin/${GITHUB_BASE_REF}" $PLATFORM_ARGS --format markdown > diff.md',
    );
    expect(runs).toContain(
      'npx --no accord plan $POLICY_ARGS $PLATFORM_ARGS --detailed-exitcode --format markdown --out plan.json > plan.md',
    );
    // Inputs reach the scripts through the environment only, never the script text.
    expect(runs).not.toMatch(/\$\{\{/);
    const script = steps.find((s) => s.uses?.startsWith('actions/github-script'))!;
    expect(script.if).toContain('always()');
    expect(script.with!.script).toContain('planComment');
    expect(script.env!.ACCORD_SCRIPTS).toBe('${{ github.action_path }}/../../accord/github.cjs');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with!.path).toBe('plan.json');
    expect(upload.with!.name).toBe(
      'accord-plan-${{ inputs.environment }}-pr${{ github.event.pull_request.number }}-${{ github.event.pull_request.head.sha }}',
    );
    // Blocked (exit 4) fails the check, after the comment and the artifact.
    const last = steps.at(-1)!;
    expect(last.if).toBe("steps.plan.outputs.exit-code == '4'");
    expect(last.run).toMatch(/exit 4/);
    // accord init ships the same action.
    expect(readFileSync(join(root, 'templates/init/.github/actions/accord-plan/action.yml'), 'utf8')).toBe(
      readFileSync(join(root, '.github/actions/accord-plan/action.yml'), 'utf8'),
    );
  });

  it('apply: on push to main, one at a time, applies the reviewed artifact, state on accord-state', () => {
    const apply = w('apply');
    expect(apply.on.push).toEqual({ branches: ['main'] });
    expect(apply.concurrency).toEqual({ group: 'accord-apply', 'cancel-in-progress': false });
    expect(apply.jobs.apply!.permissions).toEqual({
      contents: 'write',
      actions: 'read',
      'pull-requests': 'write',
    });
    const steps = apply.jobs.apply!.steps;
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx --no accord apply reviewed/plan.json --sandbox --auto-approve');
    expect(runs).toContain('--allow-large-change');
    expect(runs).not.toMatch(/npx --no accord apply (?!reviewed\/plan\.json)/);
    expect(runs).toContain('.github/accord/state-branch.sh write');
    expect(runs).not.toMatch(/git push/);
    const download = steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    expect(download.with).toMatchObject({
      'run-id': '${{ steps.find.outputs.runId }}',
      'github-token': '${{ github.token }}',
    });
  });

  it('reconcile: on a schedule, in the apply group, state to its branch, one accord:reconcile issue; 2, 3 and 4 are reported, not failures', () => {
    const reconcile = w('reconcile');
    expect(reconcile.on).toEqual({ schedule: [{ cron: expect.any(String) }], workflow_dispatch: null });
    expect(reconcile.concurrency).toEqual({ group: 'accord-apply', 'cancel-in-progress': false });
    expect(reconcile.jobs.reconcile!.permissions).toEqual({ contents: 'write', issues: 'write' });
    const steps = reconcile.jobs.reconcile!.steps;
    const run = steps.find((s) =>
      s.run?.includes('npx --no accord reconcile --sandbox --format markdown'),
    )!.run!;
    for (const code of [3, 4]) expect(run).toContain(`[ "$code" -ne ${code} ]`);
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('.github/accord/state-branch.sh read');
    expect(runs).toContain('.github/accord/state-branch.sh write');
    expect(runs).not.toMatch(/git push/);
    expect(steps.find((s) => s.uses?.startsWith('actions/github-script'))!.with!.script).toContain(
      'reconcileIssue',
    );
  });
});

describe('every workflow is hardened', () => {
  const workflows = FILES.filter((f) => f.includes('/workflows/'));
  const allUses = FILES.flatMap((file) => {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    return lines.filter((l) => /^\s*-?\s*uses:/.test(l)).map((line) => ({ file, line: line.trim() }));
  });

  it('pins every action by full commit SHA with a # vX.Y.Z comment', () => {
    expect(allUses.length).toBeGreaterThan(10);
    const bad = allUses.filter(
      (u) => !/uses: (\.\/\S+|[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+)$/.test(u.line),
    );
    expect(bad).toEqual([]);
  });

  it('pins each action to one SHA everywhere, the templates included', () => {
    const pins = new Map<string, Set<string>>();
    for (const { line } of allUses) {
      const m = /uses: ([\w.-]+\/[\w.-]+)@(\S+ # \S+)/.exec(line);
      if (m) pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(m[2]!));
    }
    expect([...pins].filter(([, set]) => set.size > 1)).toEqual([]);
  });

  it.each(workflows)('%s: no permissions at the top, each job lists its own, with a timeout', (file) => {
    const doc = load<Workflow>(file);
    expect(doc.permissions).toEqual({});
    for (const [name, job] of Object.entries(doc.jobs)) {
      expect([name, typeof job.permissions]).toEqual([name, 'object']);
      expect([name, job['timeout-minutes']]).toEqual([name, expect.any(Number)]);
      expect(job['timeout-minutes']).toBeLessThanOrEqual(60);
    }
  });

  it.each(workflows)('%s: every checkout leaves no credentials behind', (file) => {
    const checkouts = load<Workflow>(file).jobs;
    for (const job of Object.values(checkouts))
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@')))
        expect(step.with?.['persist-credentials']).toBe(false);
  });

  it('never expands ${{ }} inside a script: values reach scripts through env', () => {
    const bad = FILES.flatMap((file) =>
      stepsOf(file)
        .filter((s) => /\$\{\{/.test(`${s.run ?? ''}${s.with?.script ?? ''}`))
        .map((s) => `${file}: ${(s.run ?? s.with!.script!).split('\n')[0]}`),
    );
    expect(bad).toEqual([]);
  });

  it.each(['.github/workflows/apply.yml', 'templates/init/.github/workflows/apply.yml'])(
    '%s: a manual run takes a required reason and an allow-large-change switch, passed to accord',
    (file) => {
      const doc = load<Workflow>(file);
      const dispatch = doc.on.workflow_dispatch as {
        inputs: Record<string, { required?: boolean; type: string }>;
      };
      expect(dispatch.inputs.reason).toMatchObject({ required: true, type: 'string' });
      expect(dispatch.inputs['allow-large-change']).toMatchObject({ type: 'boolean', default: false });
      const step = doc.jobs.apply!.steps.find((s) => s.id === 'apply')!;
      expect(step.env).toMatchObject({
        ACCORD_OVERRIDE_REASON: '${{ inputs.reason }}',
        ALLOW_LARGE_CHANGE: '${{ inputs.allow-large-change }}',
      });
    },
  );

  it('has a Dependabot config for actions and npm, here and in the template', () => {
    for (const file of ['.github/dependabot.yml', 'templates/init/.github/dependabot.yml']) {
      const doc = load<{ updates: { 'package-ecosystem': string }[] }>(file);
      expect(doc.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    }
  });

  it('ships the same helper scripts to accord init repositories', () => {
    for (const f of ['github.cjs', 'state-branch.sh'])
      expect(readFileSync(join(root, 'templates/init/.github/accord', f), 'utf8')).toBe(
        readFileSync(join(root, '.github/accord', f), 'utf8'),
      );
  });
});

describe('the workflows accord init writes', () => {
  const w = (name: string) => load<Workflow>(`templates/init/.github/workflows/${name}.yml`);
  const secretsIn = (name: string) =>
    [
      ...readFileSync(join(root, `templates/init/.github/workflows/${name}.yml`), 'utf8').matchAll(
        /secrets\.(\w+)/g,
      ),
    ].map((m) => m[1]!);

  it('plan reads only read-only secrets; apply and reconcile read write secrets from a protected environment', () => {
    for (const name of ['plan', 'ci']) expect(secretsIn(name).every((s) => s.includes('_READ_'))).toBe(true);
    expect(secretsIn('plan').length).toBeGreaterThan(0);
    const apply = w('apply');
    const applyStep = apply.jobs.apply!.steps.find((s) => s.id === 'apply')!;
    const writeSecrets = Object.values(applyStep.env ?? {}).filter((v) => /secrets\./.test(v));
    expect(writeSecrets.length).toBeGreaterThan(0);
    expect(writeSecrets.every((v) => v.includes('_WRITE_'))).toBe(true);
    // Only the apply step itself holds write credentials.
    expect(secretsIn('apply').filter((s) => s.includes('_WRITE_')).length).toBe(writeSecrets.length);
    expect(apply.jobs.apply!.environment).toBe('accord-apply');
    expect(apply.concurrency).toEqual({ group: 'accord-apply', 'cancel-in-progress': false });
    expect(Object.keys(w('plan').on)).toEqual(['pull_request']);
    const reconcile = w('reconcile');
    const reconcileStep = reconcile.jobs.reconcile!.steps.find((s) => s.id === 'reconcile')!;
    expect(Object.values(reconcileStep.env ?? {}).filter((v) => /secrets\./.test(v)).length).toBeGreaterThan(
      0,
    );
    expect(secretsIn('reconcile').every((s) => s.includes('_WRITE_'))).toBe(true);
    expect(reconcile.jobs.reconcile!.environment).toBe('accord-apply');
    expect(reconcile.concurrency).toEqual({ group: 'accord-apply', 'cancel-in-progress': false });
  });

  it('hand credentials only to the steps that read the platforms', () => {
    for (const name of ['plan', 'reconcile', 'apply']) {
      const doc = w(name);
      expect([name, JSON.stringify(doc.env ?? {})]).not.toEqual([name, expect.stringMatching(/secrets\./)]);
      for (const job of Object.values(doc.jobs))
        for (const step of job.steps.filter((s) => JSON.stringify(s.env ?? {}).includes('secrets.')))
          if (step.uses) expect(step.uses).toBe('./.github/actions/accord-plan');
          else expect(step.run ?? '').toMatch(/npx --no accord (diff|plan|reconcile|apply)/);
    }
  });

  it('apply the reviewed plan artifact and keep state on the accord-state branch', () => {
    const runs = w('apply')
      .jobs.apply!.steps.map((s) => s.run ?? '')
      .join('\n');
    expect(runs).toContain('npx --no accord apply reviewed/plan.json --no-code --auto-approve');
    expect(runs).toContain('.github/accord/state-branch.sh write');
    expect(runs).not.toMatch(/git push/);
  });

  it('never run a pull request with secrets from pull_request_target', () => {
    for (const file of FILES)
      expect(Object.keys(load<Workflow & Action>(file).on ?? {})).not.toContain('pull_request_target');
  });
});

describe('the composite action', () => {
  const action = load<Action>('.github/actions/accord/action.yml');

  it('is composite with command, args and node-version inputs', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.inputs.command?.required).toBe(true);
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['command', 'args', 'node-version']));
    expect(action.runs.steps[0]!.uses).toMatch(/^actions\/setup-node@/);
  });

  it('passes inputs through the environment, never into the script text', () => {
    for (const step of action.runs.steps) expect(step.run ?? '').not.toMatch(/\$\{\{\s*inputs\./);
  });
});

it('lists every YAML file it checks relative to the repository', () => {
  expect(FILES.map((f) => relative(root, join(root, f)))).toContain('.github/workflows/plan.yml');
});
