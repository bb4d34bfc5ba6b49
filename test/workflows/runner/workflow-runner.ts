/**
 * A small local GitHub Actions runner for tests (act does not install here): it reads a workflow
 * from the test host's repository at the event's commit, evaluates the expressions it uses, runs
 * `run:` steps with bash in a fresh work tree per job (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH,
 * GITHUB_STEP_SUMMARY, workflow commands), and implements the actions accord's workflows use by
 * what they do (see actions.ts). Jobs run one after another in `needs` order. Whatever it does not
 * implement throws, so a workflow can never pass a test by using something the runner ignored.
 *
 * What a job's token may do is checked: pushes go through the host's pre-receive hook with the
 * job's `contents` permission, and github-script's client refuses an endpoint the job's
 * `permissions:` do not allow. Secrets (and the token) are fake strings; every captured output is
 * kept raw and searched for them (`RunResult.secretLeaks`), and shown masked in `log()`.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import yaml from 'js-yaml';
import type { fakeGitHub } from '../fake-github.js';
import { ArtifactStore, runAction, type ActionResult } from './actions.js';
import { condition, interpolate, interpolateAll, type Scope, type Value } from './expressions.js';
import type { GitHost, HostPull } from './git-host.js';
import { resolvePermissions, type Permissions } from './permissions.js';

export type FakeGitHub = ReturnType<typeof fakeGitHub>;
type Obj = Record<string, unknown>;

export interface RunnerOptions {
  /** Where runs put their work trees, homes and artifacts. */
  root: string;
  host: GitHost;
  github: FakeGitHub;
  /** This repository's checkout: its node_modules (and through them accord) serve every job. */
  checkout: string;
  /** The runner machine's own environment on top of the basics (e.g. ACCORD_SANDBOX_DATA). */
  env?: Record<string, string>;
  /** Repository secrets by name (fake values). */
  secrets?: Record<string, string>;
  /**
   * `run:` scripts replaced by the test, matched exactly after trimming (`npm ci`: linking this
   * checkout's node_modules instead of installing). Each use is listed in `StepResult.replaced`.
   */
  replaceRun?: Record<string, (step: StepContext) => Promise<void> | void>;
}

export type Trigger =
  | { event: 'pull_request'; pull: HostPull; action?: string }
  | { event: 'push'; before: string; after: string; ref?: string }
  | { event: 'schedule'; cron?: string }
  | { event: 'workflow_dispatch'; inputs?: Record<string, string | boolean>; ref?: string };

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title?: string;
  message: string;
}

export interface StepResult {
  id?: string;
  name: string;
  uses?: string;
  outcome: 'success' | 'failure' | 'skipped';
  conclusion: 'success' | 'failure' | 'skipped';
  exitCode?: number;
  outputs: Record<string, string>;
  /** Raw output, unmasked (searched for secrets). */
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  replaced?: boolean;
}

export interface JobResult {
  id: string;
  result: 'success' | 'failure' | 'skipped';
  steps: StepResult[];
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
  permissions: Permissions;
}

export interface GitHubCall {
  job: string;
  endpoint: string;
  params: Obj;
}

export interface RunResult {
  runId: number;
  workflow: string;
  event: string;
  conclusion: 'success' | 'failure';
  jobs: Record<string, JobResult>;
  calls: GitHubCall[];
  /** Where a secret or the token appeared in captured output (should be empty). */
  secretLeaks: string[];
  /** Everything the jobs printed, masked as GitHub shows it. */
  log(): string;
  step(job: string, idOrName: string): StepResult;
}

/** What a step implementation (an action, or a replaced run) sees. */
export interface StepContext {
  runId: number;
  jobId: string;
  workspace: string;
  runnerTemp: string;
  env: Record<string, string>;
  github: Obj;
  permissions: Permissions;
  options: RunnerOptions;
  /** The trigger's commit as artifacts record it (a pull request's head). */
  headSha: string;
  token: string;
  print(line: string): void;
  calls: GitHubCall[];
  artifacts: ArtifactStore;
}

const TOP_KEYS = new Set(['name', 'run-name', 'on', 'permissions', 'concurrency', 'defaults', 'env', 'jobs']);
const JOB_KEYS = new Set([
  'name',
  'runs-on',
  'timeout-minutes',
  'permissions',
  'steps',
  'if',
  'needs',
  'env',
  'defaults',
  'outputs',
  'concurrency',
  'continue-on-error',
]);
const STEP_KEYS = new Set([
  'id',
  'name',
  'uses',
  'run',
  'with',
  'env',
  'if',
  'shell',
  'continue-on-error',
  'timeout-minutes',
  'working-directory',
]);

const checkKeys = (what: string, value: Obj, allowed: Set<string>) => {
  for (const key of Object.keys(value))
    if (!allowed.has(key))
      throw new Error(`runner: ${what} uses \`${key}\`, which this runner does not implement`);
};

const SHELLS: Record<string, string[]> = {
  // What Actions runs for `shell: bash`, and for no shell at all on Linux.
  bash: ['bash', '--noprofile', '--norc', '-eo', 'pipefail'],
  '': ['bash', '-e'],
  sh: ['sh', '-e'],
};

/** The system PATH without any node_modules/.bin: Node comes from setup-node, as on GitHub. */
const systemPath = () =>
  (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
    .split(delimiter)
    .filter((p) => p && !p.includes('node_modules'))
    .join(delimiter);

export class WorkflowRunner {
  readonly token = `ghs_fakeToken${randomUUID().replaceAll('-', '')}`;
  readonly artifacts: ArtifactStore;
  private runs = 0;

  constructor(readonly options: RunnerOptions) {
    this.artifacts = new ArtifactStore(join(options.root, 'artifacts'));
  }

  private get secretValues(): string[] {
    return [this.token, ...Object.values(this.options.secrets ?? {})].filter((s) => s.length > 0);
  }

  /**
   * Merges a pull request as GitHub would (here: fast-forward), and lists the merge commit as
   * associated with it. Returns the push the merge makes.
   */
  merge(number: number): { before: string; after: string } {
    const push = this.options.host.mergePull(number);
    const pull = this.options.host.pull(number);
    registerPull(this.options.github, pull, this.options.host);
    for (const list of this.options.github.pulls.values())
      for (const p of list)
        if (p.number === number) {
          p.merged_at = pull.mergedAt!;
          p.merge_commit_sha = pull.mergeCommitSha!;
        }
    return push;
  }

  /** Runs one workflow of the host's repository for a trigger. */
  async run(workflowPath: string, trigger: Trigger): Promise<RunResult> {
    const { host, github } = this.options;
    this.runs += 1;
    const runId = 9000 + this.runs;
    const event = eventOf(trigger, host);
    const text = host.show(event.sha, workflowPath);
    if (text === undefined) throw new Error(`runner: ${workflowPath} does not exist at ${event.sha}`);
    const workflow = yaml.load(text) as Obj;
    checkKeys(workflowPath, workflow, TOP_KEYS);
    checkTrigger(workflowPath, workflow.on, trigger, event);
    const inputs = dispatchInputs(workflow.on, trigger);

    const runDir = join(this.options.root, 'runs', `${runId}`);
    mkdirSync(runDir, { recursive: true });
    const eventPath = join(runDir, 'event.json');
    writeFileSync(eventPath, JSON.stringify(event.payload, null, 2));

    if (trigger.event === 'pull_request') registerPull(github, trigger.pull, host);

    const githubContext: Obj = {
      event: event.payload,
      event_name: trigger.event,
      sha: event.sha,
      ref: event.ref,
      ref_name: event.ref.replace(/^refs\/(heads|tags)\//, ''),
      ref_type: 'branch',
      head_ref: event.headRef ?? '',
      base_ref: event.baseRef ?? '',
      repository: host.repository.full_name,
      repository_id: String(host.repository.id),
      repository_owner: host.repository.owner,
      run_id: String(runId),
      run_number: String(this.runs),
      run_attempt: '1',
      server_url: 'https://github.com',
      api_url: 'https://api.github.com',
      graphql_url: 'https://api.github.com/graphql',
      actor: 'octocat',
      triggering_actor: 'octocat',
      workflow: String(workflow.name ?? workflowPath),
      token: this.token,
      retention_days: '90',
    };

    const jobsSpec = (workflow.jobs ?? {}) as Record<string, Obj>;
    const order = jobOrder(jobsSpec);
    const jobs: Record<string, JobResult> = {};
    const calls: GitHubCall[] = [];
    for (const jobId of order) {
      jobs[jobId] = await this.runJob({
        runId,
        jobId,
        job: jobsSpec[jobId]!,
        workflow,
        githubContext: { ...githubContext, job: jobId },
        inputs,
        jobs,
        eventPath,
        runDir,
        event,
        calls,
      });
    }
    const conclusion = Object.values(jobs).some((j) => j.result === 'failure') ? 'failure' : 'success';

    const masks = new Set(this.secretValues);
    for (const job of Object.values(jobs))
      for (const step of job.steps)
        for (const line of `${step.stdout}\n${step.stderr}`.split('\n')) {
          const m = /^::add-mask::(.*)$/.exec(line);
          if (m?.[1]) masks.add(m[1]);
        }
    const mask = (s: string) => {
      let out = s;
      for (const m of masks) out = out.split(m).join('***');
      return out;
    };
    const secretLeaks: string[] = [];
    for (const job of Object.values(jobs)) {
      const places: [string, string][] = [[`${job.id} summary`, job.summary]];
      for (const step of job.steps)
        places.push(
          [`${job.id} / ${step.name} stdout`, step.stdout],
          [`${job.id} / ${step.name} stderr`, step.stderr],
          [`${job.id} / ${step.name} outputs`, JSON.stringify(step.outputs)],
          [`${job.id} / ${step.name} annotations`, JSON.stringify(step.annotations)],
        );
      for (const [where, value] of places)
        for (const secret of this.secretValues) if (value.includes(secret)) secretLeaks.push(where);
    }
    return {
      runId,
      workflow: workflowPath,
      event: trigger.event,
      conclusion,
      jobs,
      calls,
      secretLeaks,
      log: () =>
        Object.values(jobs)
          .flatMap((job) => [
            `## job ${job.id}: ${job.result}`,
            ...job.steps.map(
              (s) =>
                `### ${s.name}: ${s.conclusion}${s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}\n${mask(s.stdout)}${mask(s.stderr)}`,
            ),
          ])
          .join('\n'),
      step: (jobId, idOrName) => {
        const found = jobs[jobId]?.steps.find((s) => s.id === idOrName || s.name === idOrName);
        if (!found) throw new Error(`no step ${idOrName} in job ${jobId}`);
        return found;
      },
    };
  }

  private async runJob(args: {
    runId: number;
    jobId: string;
    job: Obj;
    workflow: Obj;
    githubContext: Obj;
    inputs: Obj;
    jobs: Record<string, JobResult>;
    eventPath: string;
    runDir: string;
    event: EventInfo;
    calls: GitHubCall[];
  }): Promise<JobResult> {
    const { runId, jobId, job, workflow, githubContext, inputs, jobs, event } = args;
    checkKeys(`job ${jobId}`, job, JOB_KEYS);
    const needs = ([] as string[]).concat((job.needs as string | string[] | undefined) ?? []);
    const permissions = resolvePermissions(workflow.permissions, job.permissions);
    const jobDir = join(args.runDir, jobId);
    const workspace = join(jobDir, 'work', this.options.host.repository.name);
    const runnerTemp = join(jobDir, 'temp');
    const home = join(jobDir, 'home');
    for (const d of [workspace, runnerTemp, home]) mkdirSync(d, { recursive: true });
    const result: JobResult = {
      id: jobId,
      result: 'skipped',
      steps: [],
      outputs: {},
      summary: '',
      workspace,
      permissions,
    };

    const needsContext: Record<string, Value> = {};
    for (const n of needs) {
      const done = jobs[n];
      if (!done) throw new Error(`runner: job ${jobId} needs ${n}, which has not run`);
      needsContext[n] = { result: done.result, outputs: done.outputs };
    }
    const needsStatus = needs.every((n) => jobs[n]!.result === 'success') ? 'success' : 'failure';
    const dispatchDeclared = declaredInputs(workflow.on);
    const secrets: Record<string, Value> = { GITHUB_TOKEN: this.token, ...(this.options.secrets ?? {}) };
    const idsOf = (steps: Obj[] | undefined) =>
      new Set(((steps ?? []).map((s) => s.id).filter(Boolean) as string[]) ?? []);
    // A composite action's steps see its own step ids and inputs (set while they run).
    let stepIds = idsOf(job.steps as Obj[] | undefined);
    let inputNames: string[] = dispatchDeclared;
    const checkPath = (path: string[]) => {
      const [root, name, field] = path;
      if (root === 'steps' && name !== undefined) {
        if (!stepIds.has(name)) throw new Error(`runner: steps.${name} is not a step id of job ${jobId}`);
        if (field !== undefined && !['outputs', 'outcome', 'conclusion'].includes(field))
          throw new Error(`runner: steps.${name}.${field} is not a step property`);
      }
      if (root === 'needs' && name !== undefined && !needs.includes(name))
        throw new Error(`runner: needs.${name} is not in job ${jobId}'s needs`);
      if (root === 'inputs' && name !== undefined && !inputNames.includes(name))
        throw new Error(`runner: inputs.${name} is not a declared input`);
      if (root === 'secrets' && name !== undefined && !(name in secrets))
        throw new Error(`runner: secrets.${name} is not a secret the test provides`);
    };
    const baseContexts = (env: Obj): Record<string, Value> => ({
      github: githubContext as Value,
      env: env as Value,
      inputs: inputs as Value,
      secrets,
      needs: needsContext,
      runner: {
        os: 'Linux',
        arch: 'X64',
        name: 'accord-test-runner',
        temp: runnerTemp,
        environment: 'github-hosted',
      },
    });
    const scopeOf = (contexts: Record<string, Value>, status?: Scope['status'], hash?: boolean): Scope => ({
      context: (name) => {
        if (name in contexts) return contexts[name]!;
        throw new Error(`runner: the ${name} context is not available here`);
      },
      checkPath,
      ...(status ? { status } : {}),
      ...(hash ? { hashFiles: (patterns: string[]) => hashFiles(workspace, patterns) } : {}),
    });

    const workflowEnv = interpolateAll(
      (workflow.env ?? {}) as Record<string, string>,
      scopeOf(baseContexts({})),
    );
    if (!condition(job.if, scopeOf(baseContexts(workflowEnv), needsStatus))) return result;
    const jobEnv = {
      ...workflowEnv,
      ...interpolateAll((job.env ?? {}) as Record<string, string>, scopeOf(baseContexts(workflowEnv))),
    };

    this.options.host.setContentsPermission(permissions.contents as 'none');
    const files = {
      GITHUB_OUTPUT: join(runnerTemp, '_output'),
      GITHUB_ENV: join(runnerTemp, '_env'),
      GITHUB_PATH: join(runnerTemp, '_path'),
      GITHUB_STEP_SUMMARY: join(runnerTemp, '_summary'),
      GITHUB_STATE: join(runnerTemp, '_state'),
    };
    const exported: Record<string, string> = {};
    const paths: string[] = [];
    const defaults = {
      ...(((workflow.defaults as Obj | undefined)?.run ?? {}) as Obj),
      ...(((job.defaults as Obj | undefined)?.run ?? {}) as Obj),
    };
    const timeoutMinutes = Number(job['timeout-minutes'] ?? 360);
    const deadline = Date.now() + timeoutMinutes * 60_000;
    /** Where steps run: the job itself, or a composite action's steps inside one of its steps. */
    interface Frame {
      steps: Record<string, Value>;
      /** Contexts a composite action's steps see instead of the job's (inputs, github.action_path). */
      contexts: Record<string, Value>;
      /** The env of the step that uses the composite action, which its steps inherit. */
      env: Record<string, string>;
    }
    const runSteps = async (steps: Obj[], frame: Frame): Promise<'success' | 'failure'> => {
      let status: 'success' | 'failure' = 'success';
      const stepsContext = frame.steps;
      for (const [index, step] of steps.entries()) {
        checkKeys(`job ${jobId} step ${index + 1}`, step, STEP_KEYS);
        if ((step.run === undefined) === (step.uses === undefined))
          throw new Error(`runner: job ${jobId} step ${index + 1} needs exactly one of run and uses`);
        const name = String(
          step.name ?? (step.uses ? `Run ${String(step.uses)}` : `Run ${String(step.run).split('\n')[0]}`),
        );
        const envContext = { ...jobEnv, ...exported, ...frame.env };
        const contexts = {
          ...baseContexts(envContext),
          ...frame.contexts,
          steps: stepsContext,
          job: { status },
        };
        const stepResult: StepResult = {
          ...(step.id ? { id: String(step.id) } : {}),
          name,
          ...(step.uses ? { uses: String(step.uses) } : {}),
          outcome: 'skipped',
          conclusion: 'skipped',
          outputs: {},
          stdout: '',
          stderr: '',
          annotations: [],
        };
        result.steps.push(stepResult);
        const run = condition(step.if, scopeOf(contexts, status, true));
        if (run) {
          const stepEnvDeclared = interpolateAll(
            (step.env ?? {}) as Record<string, string>,
            scopeOf(contexts, status, true),
          );
          const envForWith = { ...envContext, ...stepEnvDeclared };
          const withScope = scopeOf({ ...contexts, env: envForWith }, status, true);
          for (const f of Object.values(files)) writeFileSync(f, '', { flag: 'a' });
          writeFileSync(files.GITHUB_OUTPUT, '');
          writeFileSync(files.GITHUB_ENV, '');
          writeFileSync(files.GITHUB_PATH, '');
          writeFileSync(files.GITHUB_STEP_SUMMARY, '');
          const env: Record<string, string> = {
            PATH: [...paths, systemPath()].join(delimiter),
            HOME: home,
            LANG: 'C.UTF-8',
            CI: 'true',
            GITHUB_ACTIONS: 'true',
            RUNNER_OS: 'Linux',
            RUNNER_ARCH: 'X64',
            RUNNER_TEMP: runnerTemp,
            RUNNER_TOOL_CACHE: join(jobDir, 'toolcache'),
            GITHUB_WORKSPACE: workspace,
            GITHUB_EVENT_PATH: args.eventPath,
            GITHUB_EVENT_NAME: String(githubContext.event_name),
            GITHUB_SHA: event.sha,
            GITHUB_REF: event.ref,
            GITHUB_REF_NAME: String(githubContext.ref_name),
            GITHUB_REF_TYPE: 'branch',
            GITHUB_HEAD_REF: event.headRef ?? '',
            GITHUB_BASE_REF: event.baseRef ?? '',
            GITHUB_REPOSITORY: this.options.host.repository.full_name,
            GITHUB_REPOSITORY_ID: String(this.options.host.repository.id),
            GITHUB_REPOSITORY_OWNER: this.options.host.repository.owner,
            GITHUB_RUN_ID: String(runId),
            GITHUB_RUN_NUMBER: String(githubContext.run_number),
            GITHUB_RUN_ATTEMPT: '1',
            GITHUB_JOB: jobId,
            GITHUB_ACTOR: 'octocat',
            GITHUB_WORKFLOW: String(githubContext.workflow),
            GITHUB_SERVER_URL: String(githubContext.server_url),
            GITHUB_API_URL: String(githubContext.api_url),
            GITHUB_GRAPHQL_URL: String(githubContext.graphql_url),
            ...files,
            // No network here: npm must not try the registry, nor check for its own updates.
            npm_config_offline: 'true',
            npm_config_update_notifier: 'false',
            npm_config_fund: 'false',
            npm_config_audit: 'false',
            ...(this.options.env ?? {}),
            ...jobEnv,
            ...exported,
            ...frame.env,
            ...stepEnvDeclared,
          };
          const continueOnError = step['continue-on-error'] === true || step['continue-on-error'] === 'true';
          const stepTimeout = Math.min(
            deadline - Date.now(),
            step['timeout-minutes'] !== undefined ? Number(step['timeout-minutes']) * 60_000 : Infinity,
          );
          const ctx: StepContext = {
            runId,
            jobId,
            workspace,
            runnerTemp,
            env,
            github: githubContext,
            permissions,
            options: this.options,
            headSha: event.headSha,
            token: this.token,
            print: (line) => {
              stepResult.stdout += `${line}\n`;
            },
            calls: args.calls,
            artifacts: this.artifacts,
          };
          let outcome: ActionResult;
          try {
            if (step.run !== undefined) {
              const script = interpolate(String(step.run), withScope);
              const replace = this.options.replaceRun?.[script.trim()];
              if (replace) {
                await replace(ctx);
                stepResult.replaced = true;
                outcome = { exitCode: 0 };
              } else {
                const shell = String(step.shell ?? defaults.shell ?? '');
                const argv = SHELLS[shell];
                if (!argv) throw new Error(`runner: shell ${shell} is not implemented`);
                const dir = String(step['working-directory'] ?? defaults['working-directory'] ?? '.');
                const file = join(runnerTemp, `${randomUUID()}.sh`);
                writeFileSync(file, script);
                const proc = await runProcess(
                  argv[0]!,
                  [...argv.slice(1), file],
                  join(workspace, dir),
                  env,
                  stepTimeout,
                );
                stepResult.stdout += proc.stdout;
                stepResult.stderr += proc.stderr;
                outcome = { exitCode: proc.exitCode };
              }
            } else if (String(step.uses).startsWith('./')) {
              // A local composite action: its steps run here, in this job, with its inputs.
              const withInputs = interpolateAll((step.with ?? {}) as Obj, withScope) as Record<
                string,
                string
              >;
              const actionPath = join(workspace, String(step.uses));
              const action = yaml.load(readFileSync(join(actionPath, 'action.yml'), 'utf8')) as Obj;
              const runs = action.runs as Obj;
              if (runs.using !== 'composite')
                throw new Error(`runner: ${String(step.uses)} is not a composite action`);
              const declared = (action.inputs ?? {}) as Record<string, Obj>;
              for (const key of Object.keys(withInputs))
                if (!(key in declared)) throw new Error(`runner: ${String(step.uses)} has no input ${key}`);
              const actionInputs: Record<string, Value> = {};
              for (const [key, spec] of Object.entries(declared)) {
                const value = withInputs[key] ?? (spec.default as string | undefined);
                if (value === undefined && spec.required === true)
                  throw new Error(`runner: ${String(step.uses)} needs the input ${key}`);
                actionInputs[key] = value ?? '';
              }
              const saved = { stepIds, inputNames };
              stepIds = idsOf(runs.steps as Obj[]);
              inputNames = Object.keys(declared);
              const inner: Frame = {
                steps: {},
                contexts: { inputs: actionInputs, github: { ...githubContext, action_path: actionPath } },
                env: { ...frame.env, ...stepEnvDeclared },
              };
              try {
                const innerStatus = await runSteps(runs.steps as Obj[], inner);
                const outputs = interpolateAll(
                  Object.fromEntries(
                    Object.entries((action.outputs ?? {}) as Record<string, Obj>).map(([k, o]) => [
                      k,
                      String(o.value),
                    ]),
                  ),
                  scopeOf({ ...baseContexts(envContext), ...inner.contexts, steps: inner.steps }),
                );
                outcome = { exitCode: innerStatus === 'success' ? 0 : 1, outputs };
              } finally {
                ({ stepIds, inputNames } = saved);
                // The inner steps read their own files; none of it is this step's too.
                for (const f of [
                  files.GITHUB_OUTPUT,
                  files.GITHUB_ENV,
                  files.GITHUB_PATH,
                  files.GITHUB_STEP_SUMMARY,
                ])
                  writeFileSync(f, '');
              }
            } else {
              const withInputs = interpolateAll((step.with ?? {}) as Obj, withScope);
              outcome = await runAction(String(step.uses), withInputs, ctx, stepResult);
            }
          } catch (error) {
            stepResult.stderr += `runner: ${(error as Error).stack ?? String(error)}\n`;
            outcome = { exitCode: 1 };
          }
          // Workflow commands, then the files the step wrote.
          for (const line of `${stepResult.stdout}\n${stepResult.stderr}`.split('\n')) {
            const m = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
            if (m) {
              const title = /title=([^,]*)/.exec(m[2] ?? '')?.[1];
              stepResult.annotations.push({
                level: m[1] as Annotation['level'],
                ...(title ? { title } : {}),
                message: m[3]!,
              });
            } else if (/^::(set-output|save-state|set-env|add-path)\b/.test(line))
              throw new Error(`runner: the workflow uses the disabled command ${line.split('::')[1]}`);
          }
          Object.assign(
            stepResult.outputs,
            parseKeyValues(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
            outcome.outputs ?? {},
          );
          Object.assign(
            exported,
            parseKeyValues(readFileSync(files.GITHUB_ENV, 'utf8')),
            outcome.exported ?? {},
          );
          const added = readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean);
          paths.unshift(...added.reverse(), ...(outcome.paths ?? []));
          result.summary += readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
          stepResult.exitCode = outcome.exitCode;
          stepResult.outcome = outcome.exitCode === 0 ? 'success' : 'failure';
          stepResult.conclusion =
            stepResult.outcome === 'failure' && continueOnError ? 'success' : stepResult.outcome;
          if (stepResult.conclusion === 'failure') status = 'failure';
        }
        if (step.id)
          stepsContext[String(step.id)] = {
            outputs: stepResult.outputs,
            outcome: stepResult.outcome,
            conclusion: stepResult.conclusion,
          };
      }
      return status;
    };
    const stepsContext: Record<string, Value> = {};
    const status = await runSteps((job.steps ?? []) as Obj[], { steps: stepsContext, contexts: {}, env: {} });
    result.result = status;
    const outputsScope = scopeOf({ ...baseContexts(jobEnv), steps: stepsContext, job: { status } });
    result.outputs = interpolateAll((job.outputs ?? {}) as Record<string, string>, outputsScope);
    return result;
  }
}

// ---------------------------------------------------------------- events

interface EventInfo {
  sha: string;
  ref: string;
  headRef?: string;
  baseRef?: string;
  /** The commit an artifact's workflow_run.head_sha records: a pull request's head, else sha. */
  headSha: string;
  payload: Obj;
}

function eventOf(trigger: Trigger, host: GitHost): EventInfo {
  const repository = {
    id: host.repository.id,
    name: host.repository.name,
    full_name: host.repository.full_name,
    owner: { login: host.repository.owner },
    default_branch: host.repository.default_branch,
  };
  switch (trigger.event) {
    case 'pull_request': {
      const p = trigger.pull;
      const side = (ref: string, sha: string) => ({ ref, sha, repo: repository, label: `acme:${ref}` });
      return {
        sha: p.mergeSha,
        ref: `refs/pull/${p.number}/merge`,
        headRef: p.headRef,
        baseRef: p.baseRef,
        headSha: p.headSha,
        payload: {
          action: trigger.action ?? 'synchronize',
          number: p.number,
          pull_request: {
            number: p.number,
            state: 'open',
            merged: false,
            head: side(p.headRef, p.headSha),
            base: side(p.baseRef, p.baseSha),
          },
          repository,
          sender: { login: 'octocat' },
        },
      };
    }
    case 'push': {
      const ref = trigger.ref ?? 'refs/heads/main';
      return {
        sha: trigger.after,
        ref,
        headSha: trigger.after,
        payload: {
          ref,
          before: trigger.before,
          after: trigger.after,
          head_commit: { id: trigger.after },
          repository,
        },
      };
    }
    case 'schedule': {
      const sha = host.rev(`refs/heads/${host.repository.default_branch}`)!;
      return {
        sha,
        ref: `refs/heads/${host.repository.default_branch}`,
        headSha: sha,
        payload: { schedule: trigger.cron ?? '', repository },
      };
    }
    case 'workflow_dispatch': {
      const ref = trigger.ref ?? `refs/heads/${host.repository.default_branch}`;
      const sha = host.rev(ref)!;
      return { sha, ref, headSha: sha, payload: { ref, inputs: trigger.inputs ?? {}, repository } };
    }
  }
}

/** Refuses a trigger the workflow does not declare (including a push to a branch it filters out). */
function checkTrigger(path: string, on: unknown, trigger: Trigger, event: EventInfo) {
  const events: Obj =
    typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((e: string) => [e, null]))
        : ((on ?? {}) as Obj);
  if (!(trigger.event in events)) throw new Error(`runner: ${path} does not run on ${trigger.event}`);
  const filter = events[trigger.event] as Obj | null;
  if (!filter) return;
  for (const key of Object.keys(filter))
    if (!['branches', 'inputs', 'types'].includes(key) && !(trigger.event === 'schedule'))
      throw new Error(`runner: ${path}: on.${trigger.event}.${key} is not implemented`);
  const branches = filter.branches as string[] | undefined;
  if (branches) {
    const branch =
      trigger.event === 'pull_request' ? event.baseRef! : event.ref.replace(/^refs\/heads\//, '');
    if (branches.some((b) => /[*?[!]/.test(b)))
      throw new Error(`runner: ${path}: branch patterns are not implemented`);
    if (!branches.includes(branch))
      throw new Error(`runner: ${path} does not run on ${trigger.event} to ${branch}`);
  }
  const types = filter.types as string[] | undefined;
  if (types && trigger.event === 'pull_request' && !types.includes(trigger.action ?? 'synchronize'))
    throw new Error(`runner: ${path} does not run on pull_request ${trigger.action ?? 'synchronize'}`);
}

const declaredInputs = (on: unknown): string[] => {
  const dispatch = (on as Obj | undefined)?.workflow_dispatch as Obj | null | undefined;
  return Object.keys((dispatch?.inputs ?? {}) as Obj);
};

/** The inputs context: a dispatch's inputs typed as declared (with defaults); empty otherwise. */
function dispatchInputs(on: unknown, trigger: Trigger): Obj {
  if (trigger.event !== 'workflow_dispatch') return {};
  const declared = (((on as Obj).workflow_dispatch as Obj | null)?.inputs ?? {}) as Record<string, Obj>;
  const given = trigger.inputs ?? {};
  for (const name of Object.keys(given))
    if (!(name in declared)) throw new Error(`runner: workflow_dispatch has no input ${name}`);
  const out: Obj = {};
  for (const [name, spec] of Object.entries(declared)) {
    let value = given[name] ?? spec.default;
    if (value === undefined || value === '') {
      if (spec.required === true) throw new Error(`runner: workflow_dispatch input ${name} is required`);
      value = spec.type === 'boolean' ? false : '';
    }
    out[name] = spec.type === 'boolean' ? value === true || value === 'true' : String(value);
  }
  return out;
}

/** GitHub lists a pull request's head commit (and merge, once merged) as associated with it. */
function registerPull(github: FakeGitHub, pull: HostPull, host: GitHost) {
  const entry = {
    number: pull.number,
    merged_at: null,
    merge_commit_sha: pull.mergeSha,
    head: { sha: pull.headSha, repo: { id: host.repository.id } },
  };
  const list = github.pulls.get(pull.headSha) ?? [];
  if (!list.some((p) => p.number === pull.number)) github.pulls.set(pull.headSha, [...list, entry]);
}

// ---------------------------------------------------------------- helpers

function jobOrder(jobs: Record<string, Obj>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    if (visiting.has(id)) throw new Error(`runner: jobs need each other in a cycle at ${id}`);
    const job = jobs[id];
    if (!job) throw new Error(`runner: no job ${id}`);
    visiting.add(id);
    for (const n of ([] as string[]).concat((job.needs as string | string[] | undefined) ?? [])) visit(n);
    visiting.delete(id);
    order.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id);
  return order;
}

/** GITHUB_OUTPUT / GITHUB_ENV: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`runner: unterminated ${heredoc[1]}<<${heredoc[2]} block`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`runner: cannot read the line "${line}" of a GITHUB_OUTPUT/GITHUB_ENV file`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function hashFiles(workspace: string, patterns: string[]): string {
  const hashes: string[] = [];
  for (const pattern of patterns) {
    if (/[*?[\]!]/.test(pattern))
      throw new Error(`runner: hashFiles('${pattern}'): globs are not implemented`);
    const file = join(workspace, pattern);
    if (existsSync(file)) hashes.push(createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
  if (hashes.length === 0) return '';
  return createHash('sha256').update(hashes.join('')).digest('hex');
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own process group, killed as a whole when the time is up. */
export function runProcess(
  command: string,
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (!existsSync(cwd)) {
      resolve({ exitCode: 1, stdout: '', stderr: `runner: working directory ${cwd} does not exist\n` });
      return;
    }
    const child = spawn(command, argv, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let timedOut = false;
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(
          () => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          },
          Math.max(0, timeoutMs),
        )
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) stderr += `runner: the step ran out of time (timeout-minutes)\n`;
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
