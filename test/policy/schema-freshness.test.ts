import { expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `npm test` also runs `schemas:check` on its own; this keeps the check inside jest for anyone
// running the suite directly.
it('the committed schemas match src/policy/types.ts', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const output = execFileSync(process.execPath, ['scripts/generate-schemas.js', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(output).toContain('up to date');
});
