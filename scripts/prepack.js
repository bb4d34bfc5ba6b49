// What the npm tarball ships, built fresh: npm runs this as `prepack` before `npm pack` and
// `npm publish`.
//
// 1. A clean `npm run build`: dist/ from src/ (declarations for policy authors, no source maps;
//    see tsconfig.build.json) and packages/sandbox/dist/.
// 2. The sandbox inside dist/: packages/sandbox is a private workspace package that runs from its
//    TypeScript sources in the checkout, so an installed accord-access could not load it. Its
//    compiled JavaScript (no tests, maps or declarations) goes to
//    dist/node_modules/@accord/sandbox/ with a package.json of its own, where Node's ordinary
//    lookup finds `import('@accord/sandbox')` from dist/cli/. Its dependencies (msw, pure-rand)
//    are dependencies of accord-access itself, so `npm install` fetches them like any other, or
//    takes them from the npm cache offline; this script refuses to pack when one is missing.
//    (bundleDependencies would also work, but it copies msw's whole tree, about 1,400 files,
//    into the tarball.)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sandboxDir = join(root, 'packages/sandbox');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

rmSync(join(root, 'dist'), { recursive: true, force: true });
try {
  // npm sets npm_execpath to its own CLI when it runs a script; `node scripts/prepack.js` by hand
  // falls back to the npm on PATH.
  const npm = process.env.npm_execpath;
  execFileSync(npm ? process.execPath : 'npm', [...(npm ? [npm] : []), 'run', 'build'], {
    cwd: root,
    // The build's output goes to stderr: `npm pack --json` prints its answer on stdout.
    stdio: ['ignore', 2, 2],
    shell: !npm && process.platform === 'win32',
  });

  const pkg = readJson(join(root, 'package.json'));
  const sandbox = readJson(join(sandboxDir, 'package.json'));
  const missing = Object.keys(sandbox.dependencies ?? {}).filter((name) => !pkg.dependencies?.[name]);
  if (missing.length > 0) {
    throw new Error(
      `prepack: the sandbox depends on ${missing.join(', ')}, which ${pkg.name} does not list in ` +
        '"dependencies"; an installed package could not load it',
    );
  }

  // "./src/defaults.ts" -> "./defaults.js" (the compiled tree is flattened: no src/ or dist/ level).
  const compiled = (target) => {
    const m = /^\.\/src\/(.+)\.ts$/.exec(target);
    if (!m) throw new Error(`prepack: unexpected sandbox export target ${target}`);
    return `./${m[1]}.js`;
  };
  const target = join(root, 'dist/node_modules/@accord/sandbox');
  mkdirSync(target, { recursive: true });
  cpSync(join(sandboxDir, 'dist'), target, {
    recursive: true,
    filter: (src) => !/\.(map|d\.ts)$/.test(src) && !/\.test\.js$/.test(src),
  });
  const exportsMap = Object.fromEntries(
    Object.entries(sandbox.exports).map(([subpath, file]) => [subpath, compiled(file)]),
  );
  const shipped = {
    name: sandbox.name,
    version: sandbox.version,
    private: true,
    description: `The compiled sandbox shipped inside ${pkg.name}; its dependencies are ${pkg.name}'s.`,
    type: 'module',
    license: sandbox.license,
    exports: exportsMap,
  };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
} finally {
  // packages/sandbox/dist/ is only the build's intermediate (tsconfig.build.json reads its types).
  rmSync(join(sandboxDir, 'dist'), { recursive: true, force: true });
}
