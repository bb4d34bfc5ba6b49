import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import { stderrProgress } from '../../src/cli/progress.js';
import { AccordError } from '../../src/errors.js';
import type {
  IdpSnapshot,
  PlatformId,
  SalesforceSnapshot,
  Snapshot,
  SnapshotScope,
  Snapshots,
} from '../../src/model/snapshot.js';
import type { Progress, ProgressEvent, Provider } from '../../src/providers/provider.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { createProviders } from '../../src/providers/registry.js';
import { snapshotScope } from '../../src/providers/scope.js';
import type { Policy } from '../../src/policy/policy.js';
import { fingerprint, fingerprints } from '../../src/model/fingerprint.js';
import { emptyState } from '../../src/model/state.js';
import { createPlan } from '../../src/plan/plan.js';
import { createSandbox, DEFAULT_SEED } from '@accord/sandbox';
import { demoSnapshots, loadDemoPolicy } from '../support/demo.js';

const scope: SnapshotScope = {
  oktaGroups: ['Sales'],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: [],
};
const fetchedAt = '2026-11-23T00:00:00.000Z';
const idp = (platform: 'okta' | 'onelogin'): IdpSnapshot => ({
  platform,
  accounts: [],
  groups: [],
  missingGroups: [],
  fetchedAt,
});
const org = (key: string): SalesforceSnapshot => ({
  platform: `salesforce:${key}`,
  org: key,
  users: [],
  profiles: [],
  roles: [],
  permissionSets: [],
  permissionSetGroups: [],
  assignments: [],
  licenses: [],
  queues: [],
  fetchedAt,
});

/** A provider whose snapshot resolves (or rejects) only when the test says so. */
function fakeProvider(id: PlatformId) {
  let settle!: { resolve: (s: Snapshot) => void; reject: (e: unknown) => void };
  const calls: { scope: SnapshotScope; progress: Progress | undefined }[] = [];
  const provider: Provider = {
    id,
    snapshot: (s, progress) => {
      calls.push({ scope: s, progress });
      return new Promise<Snapshot>((resolve, reject) => (settle = { resolve, reject }));
    },
    apply: () => Promise.reject(new Error('not used')),
    maxBatch: () => 1,
  };
  return { provider, calls, settle: () => settle };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('snapshotAll', () => {
  it('reads every platform in parallel and assembles the snapshots by platform and org', async () => {
    const okta = fakeProvider('okta');
    const onelogin = fakeProvider('onelogin');
    const prod = fakeProvider('salesforce:prod');
    const emea = fakeProvider('salesforce:emea');
    const progress: Progress = () => undefined;
    const pending = snapshotAll(
      [okta, onelogin, prod, emea].map((f) => f.provider),
      scope,
      progress,
    );
    await tick();
    // Every read started before any finished.
    for (const f of [okta, onelogin, prod, emea]) expect(f.calls).toEqual([{ scope, progress }]);
    emea.settle().resolve(org('emea'));
    prod.settle().resolve(org('prod'));
    onelogin.settle().resolve(idp('onelogin'));
    okta.settle().resolve(idp('okta'));
    expect(await pending).toEqual({
      okta: idp('okta'),
      onelogin: idp('onelogin'),
      salesforce: { prod: org('prod'), emea: org('emea') },
      // Taken as each read completed: the same as fingerprinting the snapshots afterwards.
      fingerprints: {
        okta: fingerprint(idp('okta')),
        onelogin: fingerprint(idp('onelogin')),
        'salesforce:prod': fingerprint(org('prod')),
        'salesforce:emea': fingerprint(org('emea')),
      },
    });
  });

  it('fingerprints content, not the time of reading', () => {
    const base = fingerprint(org('prod'));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint({ ...org('prod'), fetchedAt: '2027-01-01T00:00:00.000Z' })).toBe(base);
    expect(fingerprint({ ...org('prod'), queues: [{ id: '00G1', name: 'Leads' }] })).not.toBe(base);
    expect(fingerprint(org('emea'))).not.toBe(base);
    // Planning without fingerprints from the snapshot stage works them out: same values.
    const snapshots = { okta: idp('okta'), salesforce: { prod: org('prod') } };
    expect(fingerprints(snapshots)).toEqual({ okta: fingerprint(idp('okta')), 'salesforce:prod': base });
  });

  it('returns only the platforms it was given', async () => {
    const okta = fakeProvider('okta');
    const pending = snapshotAll([okta.provider], scope);
    await tick();
    okta.settle().resolve(idp('okta'));
    const result = await pending;
    expect(result).toEqual({
      okta: idp('okta'),
      salesforce: {},
      fingerprints: { okta: fingerprint(idp('okta')) },
    });
    expect('onelogin' in result).toBe(false);
  });

  it("propagates a platform's AccordError and never returns the platforms that did succeed", async () => {
    const okta = fakeProvider('okta');
    const prod = fakeProvider('salesforce:prod');
    const pending = snapshotAll([okta.provider, prod.provider], scope);
    await tick();
    const failure = new AccordError(
      'salesforce:prod: authentication failed (401); check SF_PROD_ACCESS_TOKEN',
    );
    prod.settle().reject(failure);
    okta.settle().resolve(idp('okta'));
    await expect(pending).rejects.toBe(failure);
  });

  it('prefers an AccordError over an unexpected error from another platform', async () => {
    const okta = fakeProvider('okta');
    const onelogin = fakeProvider('onelogin');
    const pending = snapshotAll([okta.provider, onelogin.provider], scope);
    await tick();
    const explained = new AccordError('onelogin: cannot reach https://globex.onelogin.com (ECONNREFUSED)');
    okta.settle().reject(new Error('boom'));
    onelogin.settle().reject(explained);
    await expect(pending).rejects.toBe(explained);
  });

  it('waits for every platform before failing, so no read is left running unobserved', async () => {
    const okta = fakeProvider('okta');
    const onelogin = fakeProvider('onelogin');
    let settled = false;
    const pending = snapshotAll([okta.provider, onelogin.provider], scope).finally(() => (settled = true));
    pending.catch(() => undefined);
    await tick();
    okta.settle().reject(new AccordError('okta: authentication failed (401); check OKTA_API_TOKEN'));
    await tick();
    expect(settled).toBe(false);
    onelogin.settle().resolve(idp('onelogin'));
    await expect(pending).rejects.toThrow('okta: authentication failed');
  });

  it('wraps any other error in a one-line AccordError naming the platform, without secrets', async () => {
    const prod = fakeProvider('salesforce:prod');
    const pending = snapshotAll([prod.provider], scope);
    await tick();
    prod
      .settle()
      .reject(
        new TypeError(
          "Cannot read properties of undefined (reading 'Id') Bearer 00Dxx!secret\n    at x.js:1",
        ),
      );
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccordError);
    expect((error as AccordError).message).toBe(
      "salesforce:prod: snapshot failed: Cannot read properties of undefined (reading 'Id') Bearer ***",
    );
    expect((error as AccordError).code).toBe('snapshot.failed');
  });

  it('refuses a snapshot for another platform than the provider', async () => {
    const okta = fakeProvider('okta');
    const pending = snapshotAll([okta.provider], scope);
    await tick();
    okta.settle().resolve(idp('onelogin'));
    await expect(pending).rejects.toThrow('okta: provider returned a snapshot for onelogin');
  });
});

describe('stderrProgress', () => {
  const terminal = (isTTY: boolean) => {
    const written: string[] = [];
    return { isTTY, written, write: (text: string) => written.push(text) };
  };
  const event = (
    platform: PlatformId,
    phase: string,
    pages: number,
    records: number,
    done?: boolean,
  ): ProgressEvent => ({
    platform,
    phase,
    pages,
    records,
    ...(done ? { done } : {}),
  });

  it('without a terminal, prints a platform at most every 10 s, and closes the phases it showed', () => {
    const log = terminal(false);
    let now = 0;
    const progress = stderrProgress(log, { NO_COLOR: '1' }, () => now);
    progress(event('okta', 'users', 1, 200));
    now = 4_000;
    progress(event('okta', 'users', 2, 400));
    progress(event('onelogin', 'users', 1, 100));
    progress(event('onelogin', 'users', 1, 100, true)); // quick: never shown, so no done line either
    now = 10_000;
    progress(event('okta', 'users', 3, 600));
    now = 15_000;
    progress(event('okta', 'users', 4, 800));
    progress(event('okta', 'users', 5, 900, true));
    expect(log.written).toEqual([
      'okta: users 3 pages, 600 records\n',
      'okta: users 5 pages, 900 records done\n',
    ]);
  });

  it('keeps one line per platform and rewrites them in place', () => {
    const tty = terminal(true);
    const progress = stderrProgress(tty, { NO_COLOR: '1' })!;
    progress(event('okta', 'users', 1, 200));
    progress(event('salesforce:prod', 'User', 1, 1));
    progress(event('okta', 'users', 3, 512, true));
    expect(tty.written).toEqual([
      '\r\x1b[2Kokta: users 1 page, 200 records\n',
      '\x1b[1A\r\x1b[2Kokta: users 1 page, 200 records\n\r\x1b[2Ksalesforce:prod: User 1 page, 1 record\n',
      '\x1b[2A\r\x1b[2Kokta: users 3 pages, 512 records done\n\r\x1b[2Ksalesforce:prod: User 1 page, 1 record\n',
    ]);
  });

  it('colours only when NO_COLOR is unset', () => {
    const coloured = terminal(true);
    stderrProgress(coloured, {})!(event('okta', 'users', 1, 2));
    expect(coloured.written.join('')).toContain('\x1b[1m');
    const plain = terminal(true);
    stderrProgress(plain, { NO_COLOR: '1' })!(event('okta', 'users', 1, 2));
    expect(plain.written.join('')).not.toContain('\x1b[1m');
  });
});

describe('UC-01 snapshotAll over the sandbox, through the registry', () => {
  const sandbox = createSandbox({ people: 120 });
  const server = setupServer(...sandbox.handlers);
  let policy: Policy;

  beforeAll(async () => {
    server.listen({ onUnhandledFrame: 'error' });
    policy = await loadDemoPolicy();
  });
  afterAll(() => server.close());
  beforeEach(() => sandbox.instrument.reset());

  it('creates one provider per platform and org the demo policy declares', () => {
    const providers = createProviders({ platforms: policy.platforms, env: sandbox.env });
    expect(providers.map((p) => p.id)).toEqual(['okta', 'onelogin', 'salesforce:prod', 'salesforce:emea']);
  });

  it('reads every platform of the demo policy', async () => {
    const tenants = ['okta', 'onelogin', 'salesforce:prod', 'salesforce:emea'] as const;
    const events: ProgressEvent[] = [];
    const snapshots = await snapshotAll(
      createProviders({ platforms: policy.platforms, env: sandbox.env }),
      snapshotScope(policy),
      (e) => events.push(e),
    );
    const calls = tenants.map((tenant) => sandbox.instrument.count({ tenant }));
    // Every platform is read, and reports its pages as it goes.
    for (const [i, tenant] of tenants.entries()) {
      expect(calls[i]).toBeGreaterThan(0);
      expect(events.some((e) => e.platform === tenant && e.pages > 0)).toBe(true);
    }
    // Reading again costs exactly the same calls: nothing depends on timing or order.
    sandbox.instrument.reset();
    await snapshotAll(
      createProviders({ platforms: policy.platforms, env: sandbox.env }),
      snapshotScope(policy),
    );
    expect(tenants.map((tenant) => sandbox.instrument.count({ tenant }))).toEqual(calls);
    expect(snapshots.okta?.accounts.length).toBe(sandbox.stores.okta.users().length);
    expect(snapshots.onelogin?.accounts.length).toBeGreaterThan(0);
    expect(Object.keys(snapshots.salesforce).sort()).toEqual(['emea', 'prod']);
    expect(snapshots.salesforce.prod?.users.length).toBeGreaterThan(0);
  });

  it('fails as a whole, naming the variable, when one org rejects its credentials', async () => {
    const env = { ...sandbox.env, SF_EMEA_ACCESS_TOKEN: 'wrong-token-value' };
    const providers = createProviders({ platforms: policy.platforms, env });
    const error = await snapshotAll(providers, snapshotScope(policy)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccordError);
    expect((error as AccordError).message).toMatch(
      /^salesforce:emea: authentication failed \(401\); check .*SF_EMEA_ACCESS_TOKEN/,
    );
    expect((error as AccordError).message).not.toContain('wrong-token-value');
  });
});

describe('synthetic snapshots (planner tests, bench:plan) agree with the providers over the sandbox', () => {
  const people = 150;
  const sandbox = createSandbox({ people, seed: DEFAULT_SEED });
  const server = setupServer(...sandbox.handlers);
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterAll(() => server.close());

  it('plans the same changes from either', async () => {
    const policy = await loadDemoPolicy();
    const scope = snapshotScope(policy);
    const read = await snapshotAll(createProviders({ platforms: policy.platforms, env: sandbox.env }), scope);
    const synthetic = demoSnapshots(policy, people, DEFAULT_SEED);
    // Ids differ by construction (the emulators mint their own); what the planner decides must not.
    const shape = (snapshots: Snapshots) =>
      createPlan(policy, snapshots, emptyState(), { now: new Date('2026-11-23T00:00:00Z') })
        .changes.map((c) => `${c.action} ${c.address} ${JSON.stringify(c.after)}`)
        // A Contact's external id is the person's Okta id (UC-15), minted by each side its own way.
        .map((line) => line.replace(/"okta:(?:00u|okta-p)[\w-]+"/g, '"okta:<id>"'))
        .sort();
    const fromProviders = shape(read);
    expect(fromProviders.length).toBeGreaterThan(20);
    expect(shape(synthetic)).toEqual(fromProviders);
  });
});
