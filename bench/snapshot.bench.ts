/**
 * `npm run bench:snapshot [-- PEOPLE]`: seeds a loopback sandbox (default 100,000 people), takes a
 * full snapshot of every platform through the real providers, and prints the time and the API
 * calls per tenant next to what the paging formula allows (ceil(records / page size) per list,
 * plus auth; no per-object GETs).
 */
import { loadPolicy } from '../src/policy/validate.js';
import { createProviders } from '../src/providers/registry.js';
import { snapshotScope } from '../src/providers/scope.js';
import { snapshotAll } from '../src/providers/snapshot-all.js';
import { startSandbox } from '@accord/sandbox';

const people = Number(process.argv[2] ?? 100_000);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const t0 = performance.now();
const sandbox = await startSandbox({ transport: 'loopback', port: 0, people, seed: 42 });
const seeded = performance.now();
const { policy } = await loadPolicy('policies');
if (!policy) throw new Error('the demo policy is invalid');
const providers = createProviders({ platforms: policy.platforms, env: { ...process.env, ...sandbox.env } });
sandbox.instrument.reset();
const started = performance.now();
const snapshots = await snapshotAll(providers, snapshotScope(policy));
const took = performance.now() - started;

const count = (tenant: string) => sandbox.instrument.count({ tenant });
const okta = snapshots.okta!;
const onelogin = snapshots.onelogin!;
const ceil = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
const oktaLive = okta.accounts.filter((a) => a.status !== 'deprovisioned').length;
const oktaGone = okta.accounts.length - oktaLive;
// Okta: users at 200 a page, deprovisioned (search) at 200, one group search, members at 1000 a page.
const oktaFormula =
  ceil(oktaLive, 200) +
  ceil(oktaGone, 200) +
  1 +
  okta.groups.reduce((n, g) => n + ceil(g.memberIds.length, 1000), 0);
// OneLogin: token, users at 100 a page, the roles list, role users at 650 a page.
const oneloginFormula =
  1 +
  ceil(onelogin.accounts.length, 100) +
  1 +
  onelogin.groups.reduce((n, g) => n + ceil(g.memberIds.length, 650), 0);

const rows = [
  { tenant: 'okta', records: okta.accounts.length, calls: count('okta'), formula: oktaFormula },
  {
    tenant: 'onelogin',
    records: onelogin.accounts.length,
    calls: count('onelogin'),
    formula: oneloginFormula,
  },
  ...Object.values(snapshots.salesforce).map((s) => {
    // Nine queries; Users and PermissionSetAssignment page at 2000 rows (the rest fit in one page).
    const formula = 7 + ceil(s.users.length, 2000) + ceil(s.assignments.length, 2000) + 1; // +1: the User query retried without a field the org lacks
    return {
      tenant: s.platform,
      records: s.users.length + s.assignments.length,
      calls: count(s.platform),
      formula,
    };
  }),
];

console.log(`accord snapshot benchmark: ${people.toLocaleString()} people`);
console.log(`  seeding the sandbox: ${seconds(seeded - t0)}`);
console.log(`  snapshot of all platforms over loopback HTTP: ${seconds(took)}`);
console.table(rows.map((r) => ({ ...r, withinFormula: r.calls <= r.formula ? 'yes' : 'NO' })));
console.log(`  heap used: ${Math.round(process.memoryUsage().heapUsed / 1024 / 1024)} MB`);
await sandbox.close();
process.exitCode = rows.every((r) => r.calls <= r.formula) ? 0 : 1;
