/**
 * The actions accord's workflows use, implemented by what they do (the runner never downloads an
 * action): actions/checkout, actions/setup-node, actions/upload-artifact,
 * actions/download-artifact and actions/github-script. Each refuses an input it does not
 * implement, and every `uses:` must be pinned by a commit SHA, as this repository requires.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { checkEndpoint } from './permissions.js';
import type { StepContext, StepResult } from './workflow-runner.js';
import { runProcess } from './workflow-runner.js';

type Obj = Record<string, unknown>;

export interface ActionResult {
  exitCode: number;
  outputs?: Record<string, string>;
  exported?: Record<string, string>;
  paths?: string[];
}

export interface StoredArtifact {
  id: number;
  runId: number;
  name: string;
  dir: string;
  files: string[];
}

/** The artifacts of every run, by run id and name; downloads are logged. */
export class ArtifactStore {
  readonly uploaded: StoredArtifact[] = [];
  readonly downloads: { runId: number; name: string; intoRun: number; job: string }[] = [];
  private next = 7000;

  constructor(readonly root: string) {}

  add(runId: number, name: string): StoredArtifact {
    const artifact = { id: this.next++, runId, name, dir: join(this.root, String(runId), name), files: [] };
    this.uploaded.push(artifact);
    return artifact;
  }

  find(runId: number, name: string): StoredArtifact | undefined {
    return this.uploaded.find((a) => a.runId === runId && a.name === name);
  }
}

const inputsOf = (uses: string, given: Obj, known: Record<string, string | undefined>) => {
  for (const key of Object.keys(given))
    if (!(key in known))
      throw new Error(`runner: ${uses} has no input \`${key}\` (or the runner does not implement it)`);
  const out: Record<string, string> = {};
  for (const [key, fallback] of Object.entries(known)) {
    const value = given[key];
    if (value !== undefined && value !== null) out[key] = String(value);
    else if (fallback !== undefined) out[key] = fallback;
  }
  return out;
};

const git = async (ctx: StepContext, cwd: string, step: StepResult, ...args: string[]) => {
  step.stdout += `[command]git ${args.join(' ')}\n`;
  const r = await runProcess('git', args, cwd, ctx.env, 120_000);
  step.stdout += r.stdout;
  step.stderr += r.stderr;
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed (exit ${r.exitCode})`);
  return r.stdout.trim();
};

export async function runAction(
  uses: string,
  given: Obj,
  ctx: StepContext,
  step: StepResult,
): Promise<ActionResult> {
  const m = /^([\w.-]+\/[\w.-]+)@(.+)$/.exec(uses);
  if (!m) throw new Error(`runner: cannot read uses: ${uses}`);
  const [, action, ref] = m as unknown as [string, string, string];
  if (!/^[0-9a-f]{40}$/.test(ref)) throw new Error(`runner: ${uses} is not pinned by a commit SHA`);
  switch (action) {
    case 'actions/checkout':
      return checkout(given, ctx, step);
    case 'actions/setup-node':
      return setupNode(given, ctx, step);
    case 'actions/upload-artifact':
      return uploadArtifact(given, ctx, step);
    case 'actions/download-artifact':
      return downloadArtifact(given, ctx, step);
    case 'actions/github-script':
      return githubScript(given, ctx, step);
    default:
      throw new Error(`runner: the action ${action} is not implemented`);
  }
}

// ---------------------------------------------------------------- actions/checkout

async function checkout(given: Obj, ctx: StepContext, step: StepResult): Promise<ActionResult> {
  const gh = ctx.github;
  const inputs = inputsOf('actions/checkout', given, {
    repository: String(gh.repository),
    ref: '',
    token: ctx.token,
    'persist-credentials': 'true',
    path: '',
    clean: 'true',
    'fetch-depth': '1',
    'fetch-tags': 'false',
  });
  if (inputs.repository !== gh.repository)
    throw new Error('runner: checkout of another repository is not implemented');
  const target = resolve(ctx.workspace, inputs.path!);
  if (target !== ctx.workspace && !target.startsWith(ctx.workspace + sep))
    throw new Error('runner: checkout path outside the workspace');
  mkdirSync(target, { recursive: true });
  if (inputs.clean === 'true')
    for (const f of readdirSync(target)) rmSync(join(target, f), { recursive: true, force: true });
  const host = ctx.options.host;

  // What to check out: the event's ref and commit, or the `ref` input.
  let ref = String(gh.ref);
  let sha = String(gh.sha);
  if (inputs.ref) {
    if (/^[0-9a-f]{40}$/.test(inputs.ref)) {
      sha = inputs.ref;
      ref = '';
    } else {
      const full = inputs.ref.startsWith('refs/')
        ? inputs.ref
        : host.rev(`refs/heads/${inputs.ref}`)
          ? `refs/heads/${inputs.ref}`
          : `refs/tags/${inputs.ref}`;
      const found = host.rev(full);
      if (!found) throw new Error(`runner: checkout ref ${inputs.ref} does not exist`);
      ref = full;
      sha = found;
    }
  }
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  const tracking = branch
    ? `refs/remotes/origin/${branch}`
    : ref.startsWith('refs/pull/')
      ? ref.replace(/^refs\/pull\//, 'refs/remotes/pull/')
      : ref.startsWith('refs/tags/')
        ? ref
        : undefined;

  await git(ctx, target, step, 'init', '-q', '-b', 'main', '.');
  await git(ctx, target, step, 'remote', 'add', 'origin', host.url);
  const depth = Number(inputs['fetch-depth']);
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`runner: fetch-depth ${inputs['fetch-depth']}`);
  if (depth === 0) {
    await git(
      ctx,
      target,
      step,
      'fetch',
      '-q',
      '--prune',
      '--no-recurse-submodules',
      'origin',
      '+refs/heads/*:refs/remotes/origin/*',
      '+refs/tags/*:refs/tags/*',
    );
    if (tracking && !tracking.startsWith('refs/remotes/origin/'))
      await git(ctx, target, step, 'fetch', '-q', 'origin', `+${sha}:${tracking}`);
  } else {
    await git(
      ctx,
      target,
      step,
      'fetch',
      '-q',
      '--no-tags',
      '--prune',
      '--no-recurse-submodules',
      `--depth=${depth}`,
      'origin',
      tracking ? `+${sha}:${tracking}` : sha,
    );
    if (inputs['fetch-tags'] === 'true')
      throw new Error('runner: fetch-tags with a depth is not implemented');
  }
  if (branch) await git(ctx, target, step, 'checkout', '-q', '--force', '-B', branch, tracking!);
  else await git(ctx, target, step, 'checkout', '-q', '--force', '--detach', tracking ?? sha);
  const head = await git(ctx, target, step, 'rev-parse', 'HEAD');
  if (head !== sha) throw new Error(`runner: checked out ${head}, expected ${sha}`);
  if (inputs['persist-credentials'] === 'true') {
    const basic = Buffer.from(`x-access-token:${inputs.token}`).toString('base64');
    step.stdout += `::add-mask::${basic}\n`;
    await git(
      ctx,
      target,
      step,
      'config',
      '--local',
      'http.https://github.com/.extraheader',
      `AUTHORIZATION: basic ${basic}`,
    );
  }
  return { exitCode: 0, outputs: { ref, commit: sha } };
}

// ---------------------------------------------------------------- actions/setup-node

/**
 * Node is already here: this repository's devDependency `node` (Node 24) in its node_modules/.bin,
 * which goes first on PATH. The version asked for must be the one that is there.
 */
async function setupNode(given: Obj, ctx: StepContext, step: StepResult): Promise<ActionResult> {
  const inputs = inputsOf('actions/setup-node', given, { 'node-version': undefined, cache: '' });
  if (!inputs['node-version']) throw new Error('runner: setup-node without node-version is not implemented');
  if (inputs.cache && inputs.cache !== 'npm') throw new Error(`runner: setup-node cache ${inputs.cache}`);
  const bin = join(ctx.options.checkout, 'node_modules', '.bin');
  const r = await runProcess(join(bin, 'node'), ['--version'], ctx.workspace, ctx.env, 30_000);
  const version = r.stdout.trim();
  if (!version.startsWith(`v${inputs['node-version']}.`) && version !== `v${inputs['node-version']}`)
    throw new Error(`runner: setup-node asks for Node ${inputs['node-version']}, but ${bin} has ${version}`);
  step.stdout += `Found in cache @ ${bin}: node ${version} (cache: ${inputs.cache || 'none'}, not restored)\n`;
  return { exitCode: 0, paths: [bin], outputs: { 'node-version': version, 'cache-hit': 'false' } };
}

// ---------------------------------------------------------------- artifacts

async function uploadArtifact(given: Obj, ctx: StepContext, step: StepResult): Promise<ActionResult> {
  const inputs = inputsOf('actions/upload-artifact', given, {
    name: 'artifact',
    path: undefined,
    'if-no-files-found': 'warn',
    'retention-days': '',
    'compression-level': '6',
    overwrite: 'false',
    'include-hidden-files': 'false',
  });
  if (!inputs.path) throw new Error('runner: upload-artifact needs a path');
  const store = ctx.artifacts;
  const paths = inputs.path
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of paths)
    if (/[*?[\]!]/.test(p)) throw new Error(`runner: upload-artifact path ${p}: globs are not implemented`);
  const found = paths.map((p) => resolve(ctx.workspace, p)).filter((p) => existsSync(p));
  if (found.length === 0) {
    const message = `No files were found with the provided path: ${inputs.path}. No artifacts will be uploaded.`;
    if (inputs['if-no-files-found'] === 'error') {
      step.stdout += `::error::${message}\n`;
      return { exitCode: 1 };
    }
    if (inputs['if-no-files-found'] === 'warn') step.stdout += `::warning::${message}\n`;
    return { exitCode: 0 };
  }
  const existing = store.find(ctx.runId, inputs.name!);
  if (existing) {
    if (inputs.overwrite !== 'true') {
      step.stdout += `::error::an artifact named ${inputs.name} already exists in this run\n`;
      return { exitCode: 1 };
    }
    rmSync(existing.dir, { recursive: true, force: true });
    store.uploaded.splice(store.uploaded.indexOf(existing), 1);
    const gh = ctx.options.github.artifacts;
    gh.splice(
      gh.findIndex((a) => a.id === existing.id),
      1,
    );
  }
  // The root of the artifact is the least common ancestor of the paths (a single file: its folder).
  const dirs = found.map((p) => (statSync(p).isDirectory() ? p : dirname(p)));
  let root = dirs[0]!;
  while (!dirs.every((d) => d === root || d.startsWith(root + sep))) root = dirname(root);
  const artifact = store.add(ctx.runId, inputs.name!);
  for (const p of found) {
    const dest = join(artifact.dir, relative(root, p));
    cpSync(p, dest, { recursive: true });
  }
  const list = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? list(join(dir, e.name)) : [relative(artifact.dir, join(dir, e.name))],
    );
  artifact.files = list(artifact.dir).sort();
  ctx.options.github.artifacts.push({
    id: artifact.id,
    name: artifact.name,
    expired: false,
    created_at: new Date().toISOString(),
    workflow_run: {
      id: ctx.runId,
      head_sha: ctx.headSha,
      head_repository_id: ctx.options.host.repository.id,
    },
  });
  step.stdout += `Artifact ${artifact.name} has been successfully uploaded! (${artifact.files.join(', ')})\n`;
  return { exitCode: 0, outputs: { 'artifact-id': String(artifact.id) } };
}

async function downloadArtifact(given: Obj, ctx: StepContext, step: StepResult): Promise<ActionResult> {
  const inputs = inputsOf('actions/download-artifact', given, {
    name: undefined,
    path: '',
    'run-id': '',
    'github-token': '',
    repository: String(ctx.github.repository),
  });
  if (!inputs.name)
    throw new Error('runner: download-artifact without a name (all artifacts) is not implemented');
  if (inputs.repository !== ctx.github.repository)
    throw new Error('runner: download from another repository');
  let runId = ctx.runId;
  if (inputs['run-id']) {
    // v4: another run's artifact needs a token, with actions: read.
    if (!inputs['github-token']) throw new Error('runner: download-artifact with run-id needs github-token');
    if (inputs['github-token'] !== ctx.token)
      throw new Error("runner: download-artifact with a token that is not the job's");
    checkEndpoint(ctx.permissions, 'actions.downloadArtifact', undefined);
    runId = Number(inputs['run-id']);
    if (!Number.isInteger(runId)) throw new Error(`runner: run-id ${inputs['run-id']} is not a number`);
  }
  const artifact = ctx.artifacts.find(runId, inputs.name);
  if (!artifact) {
    step.stdout += `::error::Unable to download artifact(s): Artifact not found for name: ${inputs.name}\n`;
    return { exitCode: 1 };
  }
  const dest = resolve(ctx.workspace, inputs.path!);
  if (isAbsolute(inputs.path!) && !dest.startsWith(ctx.workspace))
    throw new Error('runner: download outside the workspace');
  mkdirSync(dest, { recursive: true });
  cpSync(artifact.dir, dest, { recursive: true });
  ctx.artifacts.downloads.push({ runId, name: inputs.name, intoRun: ctx.runId, job: ctx.jobId });
  step.stdout += `Artifact ${inputs.name} (run ${runId}) downloaded to ${dest}\n`;
  return { exitCode: 0, outputs: { 'download-path': dest } };
}

// ---------------------------------------------------------------- actions/github-script

/** Throws for anything the script reads that the runner does not provide. */
function strictObject<T extends object>(target: T, what: string): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === 'symbol' || key === 'then' || Reflect.has(object, key))
        return Reflect.get(object, key, receiver) as unknown;
      throw new Error(`runner: github-script's ${what}.${key} is not implemented`);
    },
  });
}

async function githubScript(given: Obj, ctx: StepContext, step: StepResult): Promise<ActionResult> {
  const inputs = inputsOf('actions/github-script', given, {
    script: undefined,
    'github-token': ctx.token,
    'result-encoding': 'json',
    debug: 'false',
    retries: '0',
  });
  if (!inputs.script) throw new Error('runner: github-script needs a script');
  if (inputs['github-token'] !== ctx.token)
    throw new Error('runner: github-script with another token is not implemented');
  const gh = ctx.github;
  const payload = JSON.parse(readFileSync(ctx.env.GITHUB_EVENT_PATH!, 'utf8')) as Obj;
  const [owner, repo] = String(gh.repository).split('/') as [string, string];
  const context = strictObject(
    {
      payload,
      eventName: gh.event_name,
      sha: gh.sha,
      ref: gh.ref,
      workflow: gh.workflow,
      action: '__run',
      actor: gh.actor,
      job: ctx.jobId,
      runNumber: Number(gh.run_number),
      runId: ctx.runId,
      runAttempt: 1,
      apiUrl: gh.api_url,
      serverUrl: gh.server_url,
      graphqlUrl: gh.graphql_url,
      repo: { owner, repo },
      issue: {
        owner,
        repo,
        number: Number(
          ((payload.issue ?? payload.pull_request ?? payload) as { number?: number }).number ?? NaN,
        ),
      },
    },
    'context',
  );

  const outputs: Record<string, string> = {};
  const exported: Record<string, string> = {};
  const paths: string[] = [];
  let failed: string | undefined;
  const log = (prefix: string) => (message: unknown) => {
    step.stdout += `${prefix}${message instanceof Error ? message.message : String(message)}\n`;
  };
  const core = strictObject(
    {
      info: log(''),
      debug: log('::debug::'),
      notice: log('::notice::'),
      warning: log('::warning::'),
      error: log('::error::'),
      setOutput: (name: string, value: unknown) => {
        outputs[name] = typeof value === 'string' ? value : JSON.stringify(value);
      },
      exportVariable: (name: string, value: unknown) => {
        exported[name] = String(value);
      },
      addPath: (p: string) => paths.push(p),
      setSecret: (value: string) => {
        step.stdout += `::add-mask::${value}\n`;
      },
      setFailed: (message: unknown) => {
        failed = message instanceof Error ? message.message : String(message);
        step.stdout += `::error::${failed}\n`;
      },
      isDebug: () => false,
      startGroup: log('::group::'),
      endGroup: () => {
        step.stdout += '::endgroup::\n';
      },
    },
    'core',
  );

  // The client: the fake's endpoints, refused when the job's token lacks the permission.
  const fake = ctx.options.github;
  const pulls = new Set(ctx.options.host.pulls.map((p) => p.number));
  const onPull = (params: Obj): boolean | undefined => {
    if (params.issue_number !== undefined) return pulls.has(Number(params.issue_number));
    if (params.comment_id !== undefined) {
      const c = fake.comments.find((x) => x.id === params.comment_id);
      return c ? pulls.has(c.issue) : undefined;
    }
    return undefined;
  };
  const rest: Record<string, Record<string, (p: Obj) => Promise<unknown>>> = {};
  for (const [namespace, endpoints] of Object.entries(fake.github.rest as unknown as Record<string, Obj>)) {
    const wrapped: Record<string, (p: Obj) => Promise<unknown>> = {};
    for (const name of Object.keys(endpoints)) {
      const endpoint = `${namespace}.${name}`;
      wrapped[name] = async (params: Obj) => {
        ctx.calls.push({ job: ctx.jobId, endpoint, params });
        checkEndpoint(ctx.permissions, endpoint, onPull(params));
        return (endpoints[name] as (p: Obj) => unknown)(params);
      };
    }
    rest[namespace] = strictObject(wrapped, `github.rest.${namespace}`);
  }
  const github = strictObject(
    {
      rest: strictObject(rest, 'github.rest'),
      paginate: async (fn: (p: Obj) => Promise<unknown>, params: Obj) => {
        const r = (await fn(params)) as unknown;
        // Octokit's paginate returns the items, whether the endpoint answers a list or { data }.
        return Array.isArray(r) ? r : ((r as { data?: unknown }).data ?? r);
      },
    },
    'github',
  );

  const scriptRequire = createRequire(join(ctx.workspace, 'github-script.cjs'));
  const env = ctx.env;
  const scriptProcess = new Proxy(process, {
    get(target, key, receiver) {
      if (key === 'env') return env;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const fn = new AsyncFunction(
    'require',
    'github',
    'context',
    'core',
    'process',
    'exec',
    'glob',
    'io',
    inputs.script,
  );
  const unavailable = (name: string) => strictObject({}, name);
  const cwd = process.cwd();
  let value: unknown;
  try {
    process.chdir(ctx.workspace);
    value = await fn(
      scriptRequire,
      github,
      context,
      core,
      scriptProcess,
      unavailable('exec'),
      unavailable('glob'),
      unavailable('io'),
    );
  } catch (error) {
    failed = (error as Error).message;
    step.stderr += `::error::Unhandled error: ${(error as Error).stack ?? String(error)}\n`;
  } finally {
    process.chdir(cwd);
  }
  if (value !== undefined)
    outputs.result = inputs['result-encoding'] === 'string' ? String(value) : JSON.stringify(value);
  return { exitCode: failed === undefined ? 0 : 1, outputs, exported, paths };
}
