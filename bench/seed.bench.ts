/**
 * Seed benchmark: how long the demo company and each platform store take to build at 1k, 10k and
 * 100k people, and the heap they hold. Issue 4 requires 100k people seeded in under 10 s; this
 * prints PASS/FAIL rather than being a timed test, because a loaded CI machine would make a timed
 * test flaky.
 *
 *   npm run bench:seed              # 1000 10000 100000
 *   npm run bench:seed -- 5000      # other sizes
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateCompany, seedOkta, seedOneLogin, seedSalesforce, UsernameRegistry } from '@accord/sandbox';

const LIMIT_PEOPLE = 100_000;
const LIMIT_MS = 10_000;

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
if (sizes.length === 0) sizes.push(1_000, 10_000, LIMIT_PEOPLE);

// A collection before each size makes the heap delta that size's own; exposing gc at runtime
// spares `npm run bench:seed` a node flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

const rows: Record<string, Record<string, string | number>> = {};
let failed = false;
for (const people of sizes) {
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const [company, companyMs] = time(() => generateCompany({ people, seed: 42 }));
  const [okta, oktaMs] = time(() => seedOkta(company));
  const [onelogin, oneloginMs] = time(() => seedOneLogin(company));
  const [salesforce, salesforceMs] = time(() => seedSalesforce(company, new UsernameRegistry()));
  const totalMs = companyMs + oktaMs + oneloginMs + salesforceMs;
  const heapUsed = process.memoryUsage().heapUsed;
  let verdict = '-';
  if (people === LIMIT_PEOPLE) {
    verdict = totalMs < LIMIT_MS ? 'PASS' : 'FAIL';
    failed ||= verdict === 'FAIL';
  }
  rows[`${people} people`] = {
    'company ms': Math.round(companyMs),
    'okta ms': Math.round(oktaMs),
    'onelogin ms': Math.round(oneloginMs),
    'salesforce ms': Math.round(salesforceMs),
    'total ms': Math.round(totalMs),
    'heap used MB': mb(heapUsed),
    'heap delta MB': mb(heapUsed - heapBefore),
    [`< ${LIMIT_MS / 1000} s`]: verdict,
  };
  // Keep the stores alive until measured, so the heap figure includes them.
  void [okta, onelogin, salesforce];
}

console.table(rows);
if (sizes.includes(LIMIT_PEOPLE)) {
  console.log(
    failed
      ? `FAIL: seeding ${LIMIT_PEOPLE} people took ${LIMIT_MS / 1000} s or more`
      : `PASS: seeding ${LIMIT_PEOPLE} people takes under ${LIMIT_MS / 1000} s`,
  );
}
if (failed) process.exitCode = 1;
