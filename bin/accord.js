#!/usr/bin/env node
// In a checkout, run the TypeScript sources directly (tsx) so there is no stale build to forget;
// a published package ships only dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(source);
  process.exitCode = await main();
} else {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main();
}
