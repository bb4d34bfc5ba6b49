/**
 * The import direction of ARCHITECTURE.md, checked by `npm run lint:imports` (part of `npm test`):
 * a stage imports only the stages before it, the engine composes, the CLI only wires.
 */
const MAY_IMPORT = {
  model: ['model', 'policy/types\\.ts$', 'errors\\.ts$'],
  policy: ['policy', 'model', 'errors\\.ts$'],
  providers: ['providers', 'policy', 'model', 'errors\\.ts$'],
  compile: ['compile', 'policy', 'model', 'errors\\.ts$'],
  plan: ['plan', 'compile', 'policy', 'model', 'errors\\.ts$'],
  apply: ['apply', 'providers', 'policy', 'model', 'errors\\.ts$'],
  state: ['state', 'plan', 'policy', 'model', 'errors\\.ts$'],
  gitops: ['gitops', 'policy', 'model', 'errors\\.ts$'],
  render: ['render', 'plan', 'policy', 'model', 'errors\\.ts$'],
  // accord import (UC-27): reads every platform, mines rules, and plans the result; the CLI wires it.
  import: ['import', 'plan', 'compile', 'providers', 'policy', 'model', 'errors\\.ts$'],
  // accord events pull (UC-18, UC-19): normalise, match, and deliver exactly once (state/fsync).
  events: ['events', 'providers', 'state', 'policy', 'model', 'errors\\.ts$'],
  engine: [
    'engine',
    'events',
    'gitops',
    'state',
    'apply',
    'plan',
    'compile',
    'providers',
    'policy',
    'model',
    'errors\\.ts$',
  ],
  cli: ['cli', 'engine', 'import', 'render', 'state', 'plan', 'policy', 'model', 'errors\\.ts$'],
};

const within = (paths) => `^src/(${paths.join('|')})`;

module.exports = {
  forbidden: [
    ...Object.entries(MAY_IMPORT).map(([stage, allowed]) => ({
      name: `${stage}-imports-a-later-stage`,
      comment: `src/${stage}/ may import only ${allowed.join(', ')} (ARCHITECTURE.md)`,
      severity: 'error',
      from: { path: `^src/${stage}/` },
      to: {
        path: '^src/',
        pathNot: within(allowed),
        // The CLI reads the provider contract's progress types, nothing that runs.
        ...(stage === 'cli' ? { dependencyTypesNot: ['type-only'] } : {}),
      },
    })),
    {
      name: 'command-imports-a-command',
      comment:
        'a command never imports another; what two commands share lives beside main.ts or in the engine',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/main\\.ts$' },
      to: { path: '^src/cli/commands/' },
    },
    {
      name: 'sandbox-imports-accord',
      comment: 'the sandbox is its own package: it emulates the platforms and knows nothing of accord',
      severity: 'error',
      from: { path: '^packages/sandbox/src/' },
      to: { path: '^src/' },
    },
    {
      name: 'accord-loads-the-sandbox-eagerly',
      comment:
        'only the CLI loads the sandbox, and only on demand (a dynamic import), so real runs never load msw',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/load-sandbox\\.ts$' },
      to: { path: '^packages/sandbox/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
