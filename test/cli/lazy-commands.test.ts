import { describe, expect, it } from '@jest/globals';
import { modulesLoadedBy } from './support/modules-loaded.js';

/**
 * Commands are declared cheaply and their actions imported on first use (src/cli/lazy-action.ts),
 * so help and version load commander and the declarations, none of what runs a command.
 */
const HEAVY =
  /\/node_modules\/(@okta\/|jsforce\/|got\/|ajv\/|ajv-formats\/|jose\/|libphonenumber-js\/|simple-git\/|jiti\/|p-limit\/|fast-json-patch\/)|\/src\/(engine|providers|compile|plan|policy\/validate|state|apply|gitops)\/|\/src\/cli\/actions\//;

describe('lazy-loaded commands', () => {
  it.each([[['--help']], [['--version']], [['-version']], [['plan', '--help']], [['show', '--help']]])(
    'accord %j loads no command dependencies',
    (args) => {
      const run = modulesLoadedBy(args);
      expect(run.status).toBe(0);
      expect(run.urls.some((u) => u.endsWith('src/cli/main.ts'))).toBe(true);
      expect(run.urls.filter((u) => HEAVY.test(u))).toEqual([]);
    },
  );

  it('still shows every option of a command in its help', () => {
    const run = modulesLoadedBy(['apply', '--help']);
    expect(run.status).toBe(0);
    for (const flag of [
      '--parallelism <n>',
      '--lock-timeout <duration>',
      '--target <address-prefix...>',
      '-p, --policies <dir>',
      '--people <n>',
    ])
      expect(run.stdout).toContain(flag);
  });

  it('loads only the action of the command that runs', () => {
    const run = modulesLoadedBy(['validate']);
    expect(run.status).toBe(0);
    const actions = run.urls
      .filter((u) => u.includes('/src/cli/actions/'))
      .map((u) => u.replace(/.*\/actions\//, ''));
    expect([...new Set(actions)]).toEqual(['validate.ts']);
    expect(run.urls.some((u) => /\/node_modules\/(@okta\/|jsforce\/|got\/)/.test(u))).toBe(false);
  });
});
