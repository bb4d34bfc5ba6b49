import { describe, expect, it } from '@jest/globals';
import { modulesLoadedBy as traced } from './support/modules-loaded.js';

/** Every module URL `accord ARGS` resolved; the run must succeed. */
function modulesLoadedBy(args: string[]): string[] {
  const run = traced(args);
  // 4 is a plan blocked by a guard rail: it still ran everything.
  expect([0, 4]).toContain(run.status);
  return run.urls;
}
const sandboxModules = (urls: string[]) =>
  urls.filter((u) => /\/node_modules\/msw\/|packages\/sandbox\/src\/index\.ts/.test(u));

describe('the sandbox package is loaded only when asked for', () => {
  it.each([[['--help']], [['validate']], [['plan', '--help']]])(
    'accord %j loads neither the sandbox nor msw',
    (args) => {
      const urls = modulesLoadedBy(args);
      expect(urls.length).toBeGreaterThan(20);
      expect(sandboxModules(urls)).toEqual([]);
    },
  );

  it('accord plan --sandbox loads both', () => {
    const urls = modulesLoadedBy(['plan', '--sandbox', '--people', '20']);
    expect(urls.some((u) => u.endsWith('packages/sandbox/src/index.ts'))).toBe(true);
    expect(urls.some((u) => u.includes('/node_modules/msw/'))).toBe(true);
  }, 60_000);
});
