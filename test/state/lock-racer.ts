// Child process for the lock race in lock.test.ts: load everything, say "ready", wait for the go
// file so every racer calls acquireLock at the same moment, then report the outcome.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock } from '../../src/state/lock.js';

const [statePath, goFile, name] = process.argv.slice(2) as [string, string, string];
process.stdout.write('ready\n');
while (!existsSync(goFile)) await sleep(2);
try {
  const lock = await acquireLock(statePath, `race ${name}`, { GITHUB_ACTOR: name });
  process.stdout.write(`won\n`);
  // Hold it long enough that every other racer has certainly tried.
  await sleep(1500);
  await lock.release();
} catch (error) {
  process.stdout.write(`lost ${(error as Error & { code?: string }).code}: ${(error as Error).message}\n`);
}
