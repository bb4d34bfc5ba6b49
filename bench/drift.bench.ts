/**
 * `npm run bench:drift`: what a drift run's reads cost on an unchanged and on a 1%-changed estate,
 * against a full snapshot. Seeds a loopback sandbox (ACCORD_BENCH_PEOPLE, default 100,000), reads
 * every platform of the demo policy in full (writing the snapshot cache), then again through the
 * cache with nothing changed, then after 1% of the Okta people were edited (profile edits,
 * deactivations, group moves). Prints API calls and time per platform, and PASS/FAIL against
 * issue 17's targets: ≤ 5% of a full snapshot's calls unchanged, ≤ 10% with 1% changed. OneLogin
 * (users by `updated_since`, role members only where its events say they moved) and Salesforce
 * read incrementally too; their catalogue calls (role list, events, Salesforce's) are printed.
 * Note the bench reads `ACCORD_BENCH_PEOPLE`, not an argument.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '../src/policy/validate.js';
import { createProviders } from '../src/providers/registry.js';
import { snapshotScope } from '../src/providers/scope.js';
import { snapshotAll } from '../src/providers/snapshot-all.js';
import { startSandbox } from '@accord/sandbox';

const people = Number(process.env.ACCORD_BENCH_PEOPLE ?? 100_000);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const sandbox = await startSandbox({ transport: 'loopback', port: 0, people, seed: 42 });
const { policy } = await loadPolicy('policies');
if (!policy) throw new Error('the demo policy is invalid');
const scope = snapshotScope(policy);
const dir = await mkdtemp(join(tmpdir(), 'accord-drift-bench-'));
const cache = { path: join(dir, 'bench.snapshot-cache.json') };
const tenants = [
  'okta',
  'onelogin',
  ...Object.keys(policy.platforms.salesforce ?? {}).map((k) => `salesforce:${k}`),
];

async function run(label: string, refresh: 'auto' | 'full') {
  const providers = createProviders({
    platforms: policy!.platforms,
    env: { ...process.env, ...sandbox.env },
  });
  sandbox.instrument.reset();
  const started = performance.now();
  const snapshots = await snapshotAll(providers, scope, undefined, { cache: { ...cache, refresh } });
  const ms = performance.now() - started;
  const calls = Object.fromEntries(tenants.map((t) => [t, sandbox.instrument.count({ tenant: t })]));
  return {
    label,
    ms,
    calls,
    total: Object.values(calls).reduce((a, b) => a + b, 0),
    reads: snapshots.reads ?? {},
  };
}

const full = await run('full snapshot', 'full');
const unchanged = await run('incremental, unchanged', 'auto');

// 1% of the Okta people changed: a third get a profile edit, a third are deactivated, a third
// move between two policy groups.
const store = sandbox.stores.okta;
const users = store.users().filter((u) => u.status === 'ACTIVE');
const groups = scope.oktaGroups.map((n) => store.findGroupByName(n)).filter((g) => g?.type === 'OKTA_GROUP');
const changed = Math.max(1, Math.round(store.users().length / 100));
for (let i = 0; i < changed; i++) {
  const user = users[(i * 7919) % users.length]!;
  if (i % 3 === 0) store.updateUser(user.id, { profile: { title: `Changed ${i}` } });
  else if (i % 3 === 1) store.transition(user.id, 'deactivate');
  else if (groups.length > 0) {
    const group = groups[i % groups.length]!;
    if (store.isMember(group.id, user.id)) store.removeMember(group.id, user.id);
    else store.addMember(group.id, user.id);
  }
}
const onePercent = await run(`incremental, ${changed.toLocaleString()} people changed`, 'auto');
await sandbox.close();
await rm(dir, { recursive: true, force: true });

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(2)}%`;
console.log(`accord drift benchmark: ${people.toLocaleString()} people (ACCORD_BENCH_PEOPLE)`);
console.table(
  [full, unchanged, onePercent].map((r) => ({
    run: r.label,
    time: seconds(r.ms),
    ...r.calls,
    total: r.total,
    'of full': pct(r.total, full.total),
    'okta of full': pct(r.calls.okta!, full.calls.okta!),
    'okta read': r.reads.okta?.mode ?? 'full',
  })),
);
const targets = [
  { name: 'unchanged estate ≤ 5% of a full snapshot', run: unchanged, limit: 0.05 },
  { name: '1% changed ≤ 10% of a full snapshot', run: onePercent, limit: 0.1 },
];
let ok = true;
for (const t of targets) {
  const all = t.run.total / full.total;
  const okta = t.run.calls.okta! / full.calls.okta!;
  const pass = all <= t.limit;
  ok &&= pass;
  console.log(
    `${pass ? 'PASS' : 'FAIL'} ${t.name}: all platforms ${pct(t.run.total, full.total)}; ` +
      `okta alone ${pct(t.run.calls.okta!, full.calls.okta!)} (${okta <= t.limit ? 'within' : 'over'})`,
  );
}
console.log(
  'note: Okta, OneLogin (users; role members from its events) and Salesforce (users, assignments, Contacts and Accounts) read incrementally; the OneLogin role list, apps and the Salesforce catalogue are read in full every run; the 1% case edits Okta people only',
);
process.exitCode = ok ? 0 : 1;
