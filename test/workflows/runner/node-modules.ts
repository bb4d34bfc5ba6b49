/**
 * What stands in for `npm ci` in a job: the job's work tree gets a node_modules whose entries link
 * to this checkout's, and a node_modules/.bin/accord that runs this checkout's accord, so that
 * `npx accord` in the workflow runs the code under test (an install per job would take minutes,
 * and there is no registry here).
 */
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from './workflow-runner.js';

export function linkNodeModules(checkout: string) {
  return (step: StepContext) => {
    const from = join(checkout, 'node_modules');
    const to = join(step.workspace, 'node_modules');
    mkdirSync(join(to, '.bin'), { recursive: true });
    for (const entry of readdirSync(from))
      if (entry !== '.bin') symlinkSync(join(from, entry), join(to, entry));
    for (const bin of readdirSync(join(from, '.bin')))
      symlinkSync(join(from, '.bin', bin), join(to, '.bin', bin));
    const accord = join(to, '.bin', 'accord');
    writeFileSync(
      accord,
      `#!/bin/sh\nexec node ${JSON.stringify(join(checkout, 'bin', 'accord.js'))} "$@"\n`,
    );
    chmodSync(accord, 0o755);
    step.print(`npm ci replaced by the test runner: node_modules linked from ${from}`);
  };
}
