/**
 * The npm tarball works where users get it: `npm pack` (which runs prepack, a fresh build), the
 * tarball installed into an empty directory with no network, then the installed `accord` bin run
 * from there: `--version`, `init` + `validate`, a TypeScript policy importing from
 * 'accord-access', and a sandbox `plan`.
 *
 * Offline: `npm ci` installs from the lock file's URLs and integrity hashes, so the npm cache it
 * fills holds every tarball but no registry metadata, and a plain `npm install --offline x.tgz`
 * cannot resolve a version range (ENOTCACHED). The empty directory therefore gets a lock file of
 * its own: the tarball plus this checkout's locked runtime dependencies (every entry of
 * package-lock.json that is not dev-only), installed with `npm ci --offline`. A runtime dependency
 * missing from the cache fails the install, and so this test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
};

interface LockEntry {
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

// npm and npx as the running npm (npm sets npm_execpath for `npm run jest`), else from PATH.
const npmCli = process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : undefined;
const tool = (name: 'npm' | 'npx'): [string, string[]] =>
  npmCli
    ? [process.execPath, [join(dirname(npmCli), `${name}-cli.js`)]]
    : [process.platform === 'win32' ? `${name}.cmd` : name, []];

// The children run on this Node (the bin's `#!/usr/bin/env node` included), with none of the
// package and lifecycle variables of the `npm run` that started jest.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|INIT_CWD$)/i.test(key),
  ),
);
env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
env.NO_COLOR = '1';
env.npm_config_update_notifier = 'false';
env.npm_config_fund = 'false';
env.npm_config_audit = 'false';

function run(name: 'npm' | 'npx', args: string[], cwd: string, timeout = 60_000): Run {
  const [command, prefix] = tool(name);
  const result = spawnSync(command, [...prefix, ...args], { cwd, env, encoding: 'utf8', timeout });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Fails with the command's output, which says far more than "expected 0, received 1". */
function ok(result: Run, what: string): Run {
  if (result.status !== 0)
    throw new Error(
      `${what} exited ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  return result;
}

const accord = (args: string[], cwd: string) => run('npx', ['--no', '--', 'accord', ...args], cwd);

describe(`the ${pkg.name} tarball, installed offline into an empty directory`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'accord-pack-'));
  const packDir = join(temp, 'pack');
  const app = join(temp, 'app');
  let files: string[] = [];

  beforeAll(() => {
    mkdirSync(packDir);
    mkdirSync(app);
    const packed = ok(
      run('npm', ['pack', '--json', '--pack-destination', packDir], repoRoot, 150_000),
      'npm pack',
    );
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [
      { filename: string; integrity: string; files: { path: string }[] },
    ];
    files = report[0].files.map((f) => f.path);
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${packDir}`);
    cpSync(join(packDir, tarball), join(app, tarball));

    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const spec = `file:${tarball}`;
    const packages: Record<string, unknown> = {
      '': { name: 'app', dependencies: { [pkg.name]: spec } },
      [`node_modules/${pkg.name}`]: {
        version: pkg.version,
        resolved: spec,
        integrity: report[0].integrity,
        license: pkg.license,
        dependencies: pkg.dependencies,
        bin: pkg.bin,
        engines: pkg.engines,
      },
    };
    // The checkout's tree is hoisted, so its runtime entries keep their paths in the new one;
    // workspace links (the sandbox) are left out: the tarball carries its own compiled copy.
    for (const [path, entry] of Object.entries(lock.packages))
      if (
        path.startsWith('node_modules/') &&
        !entry.dev &&
        !entry.link &&
        !path.startsWith('node_modules/@accord/')
      )
        packages[path] = entry;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'app', private: true, dependencies: { [pkg.name]: spec } }),
    );
    writeFileSync(
      join(app, 'package-lock.json'),
      JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }),
    );
    ok(
      run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], app, 150_000),
      'npm ci --offline',
    );
  }, 240_000);

  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('ships the build and the compiled sandbox, without sources, tests or source maps', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/accord.js',
        'dist/cli/main.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/node_modules/@accord/sandbox/package.json',
        'dist/node_modules/@accord/sandbox/index.js',
        'schemas/policy.schema.json',
        'templates/init/package.json',
      ]),
    );
    expect(
      files.filter((f) => /\.map$|\.test\.|^(src|test|packages|policies|scripts|bench)\//.test(f)),
    ).toEqual([]);
    expect(files).not.toContain('bin/run-ts.js');
  });

  it('answers npx accord --version with the packed version', () => {
    expect(existsSync(join(app, 'node_modules', '.bin', 'accord'))).toBe(true);
    const version = ok(accord(['--version'], app), 'accord --version');
    expect(version.stdout.trim()).toBe(pkg.version);
  }, 30_000);

  it('scaffolds with init a repository whose policy validates', () => {
    ok(accord(['init', 'access'], app), 'accord init');
    const scaffolded = JSON.parse(readFileSync(join(app, 'access', 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(scaffolded.devDependencies[pkg.name]).toBe(`^${pkg.version}`);
    const valid = ok(accord(['validate', '--no-code', '-p', 'access/policies'], app), 'accord validate');
    expect(valid.stdout).toMatch(/^Policy is valid: 5 documents, 1 access rule, 1 Salesforce org/);
  }, 30_000);

  it(`validates a TypeScript policy that imports definePolicy from '${pkg.name}'`, () => {
    const dir = join(app, 'ts-policies');
    mkdirSync(dir);
    for (const file of ['identity.json', 'lifecycle.json', 'guardrails.json'])
      cpSync(join(repoRoot, 'templates/init/policies', file), join(dir, file));
    writeFileSync(
      join(dir, 'platforms.ts'),
      `import { definePolicy } from '${pkg.name}';\n\n` +
        `export default definePolicy({\n` +
        `  platforms: { okta: { label: 'Okta' }, salesforce: { prod: { label: 'Production', apiVersion: '62.0' } } },\n` +
        `  access: [\n` +
        `    { id: 'sales', when: { oktaGroup: 'Sales' }, grants: { prod: { profile: 'Standard User' } } },\n` +
        `  ],\n` +
        `});\n`,
    );
    const valid = ok(accord(['validate', '-p', 'ts-policies'], app), 'accord validate (TS)');
    expect(valid.stdout).toMatch(/^Policy is valid: 4 documents, 1 access rule, 1 Salesforce org/);

    // The same import from plain Node: the package's `exports` map.
    const imported = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { definePolicy } from '${pkg.name}'; console.log(typeof definePolicy);`,
      ],
      { cwd: app, env, encoding: 'utf8' },
    );
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('function');
  }, 30_000);

  it('plans the demo policy against the sandbox', () => {
    cpSync(join(repoRoot, 'policies'), join(app, 'demo'), { recursive: true });
    const plan = ok(
      accord(['plan', '--sandbox', '--people', '40', '-p', 'demo'], app),
      'accord plan --sandbox',
    );
    expect(plan.stdout).toMatch(/^Plan: \d+ to create, .*\d+ to grant/m);
  }, 60_000);
});
