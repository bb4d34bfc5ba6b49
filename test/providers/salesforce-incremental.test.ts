import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import type { SalesforceSnapshot, SnapshotScope } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import { SalesforceProvider } from '../../src/providers/salesforce/index.js';
import { since } from '../../src/providers/salesforce/incremental.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { snapshotCachePath, writeCache } from '../../src/providers/snapshot-cache.js';
import { createRecord, createSandbox, updateRecord, type Sandbox } from '@accord/sandbox';
import type { SalesforceStore } from '../../packages/sandbox/src/salesforce/store.js';
import { deleteRecord } from '../../packages/sandbox/src/salesforce/operations.js';
import { loadDemoPolicy } from '../support/demo.js';
import { planLines, providersOf, scratchCaches, tenantAndRounds } from './incremental-support.js';

/**
 * UC-26, Salesforce: reads built on the snapshot cache (SystemModstamp deltas, COUNT() checks,
 * an id list for revokes): what they cost, and that they equal a full read after random edits.
 */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

let policy: Policy;
beforeAll(async () => {
  policy = await loadDemoPolicy();
});

const FAST = { retry: { sleep: async () => undefined }, transportRetry: { minTimeout: 1 } };
const content = ({ fetchedAt: _, ...rest }: SalesforceSnapshot) => rest;

type Edit =
  | { kind: 'create'; n: number }
  | { kind: 'profile' | 'deactivate' | 'activate' | 'freeze' | 'unfreeze' | 'title'; pick: number }
  | { kind: 'assign'; pick: number; set: number }
  | { kind: 'revoke'; pick: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), n: fc.nat(1_000_000) }),
  fc.record({
    kind: fc.constantFrom(
      'profile' as const,
      'deactivate' as const,
      'activate' as const,
      'freeze' as const,
      'unfreeze' as const,
      'title' as const,
    ),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constant('assign' as const), pick: fc.nat(), set: fc.nat() }),
  fc.record({ kind: fc.constant('revoke' as const), pick: fc.nat() }),
);

/** One edit through the org's own write paths (so SystemModstamp moves as the org moves it). */
function applyEdit(store: SalesforceStore, e: Edit): void {
  const users = store.records('User');
  const user = users[('pick' in e ? e.pick : 0) % users.length]!;
  const profiles = store.records('Profile');
  try {
    switch (e.kind) {
      case 'create': {
        const profile = profiles.find((p) => p.Name === 'Chatter Free User') ?? profiles[0]!;
        createRecord(store, 'User', {
          Username: `inc.${e.n}.${store.org}@acme.test`,
          Email: `inc.${e.n}@acme.test`,
          LastName: `Inc${e.n}`,
          Alias: `i${e.n}`.slice(0, 8),
          TimeZoneSidKey: 'America/Los_Angeles',
          LocaleSidKey: 'en_US',
          EmailEncodingKey: 'UTF-8',
          LanguageLocaleKey: 'en_US',
          ProfileId: profile.Id,
        });
        return;
      }
      case 'profile': {
        const other = profiles.filter((p) => p.Id !== user.ProfileId);
        updateRecord(store, 'User', user.Id, { ProfileId: other[e.pick % other.length]!.Id });
        return;
      }
      case 'title':
        updateRecord(store, 'User', user.Id, { Title: `Title ${e.pick % 7}`, Department: 'Edited' });
        return;
      case 'deactivate':
      case 'activate':
        updateRecord(store, 'User', user.Id, { IsActive: e.kind === 'activate' });
        return;
      case 'freeze':
      case 'unfreeze': {
        const login = store.loginOf(user.Id);
        if (login) updateRecord(store, 'UserLogin', login.Id, { IsFrozen: e.kind === 'freeze' });
        return;
      }
      case 'assign': {
        const sets = store.records('PermissionSet').filter((s) => s.IsOwnedByProfile !== true);
        const set = sets[e.set % sets.length]!;
        createRecord(
          store,
          'PermissionSetAssignment',
          set.PermissionSetGroupId
            ? { AssigneeId: user.Id, PermissionSetGroupId: set.PermissionSetGroupId }
            : { AssigneeId: user.Id, PermissionSetId: set.Id },
        );
        return;
      }
      case 'revoke': {
        const mine = store
          .records('PermissionSetAssignment')
          .filter((a) => store.get('PermissionSet', String(a.PermissionSetId))?.IsOwnedByProfile !== true);
        if (mine.length > 0) deleteRecord(store, mine[e.pick % mine.length]!.Id);
        return;
      }
    }
  } catch {
    // An edit the org refuses (a licence limit, a duplicate assignment) changes nothing.
  }
}

/** A scope that reads only Salesforce: no IdP group or role, deprovisioned people included. */
const salesforceOnly = (more: Partial<SnapshotScope>): SnapshotScope => ({
  oktaGroups: [],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: [],
  ...more,
});

describe('UC-26 incremental Salesforce reads', () => {
  let sandbox: Sandbox;
  let cachePath: string;
  const scope = salesforceOnly({ salesforceFields: ['Department', 'Title'] });
  const provider = () =>
    new SalesforceProvider('prod', { settings: policy.platforms.salesforce!.prod!, env: sandbox.env }, FAST);
  const store = () => sandbox.stores.salesforce.prod!;
  const calls = () => sandbox.instrument.count({ tenant: 'salesforce:prod' });
  const cachedRead = async (refresh: 'auto' | 'full' = 'auto') => {
    sandbox.instrument.reset();
    const s = await snapshotAll([provider()], scope, undefined, { cache: { path: cachePath, refresh } });
    return {
      snapshot: s.salesforce.prod!,
      read: s.reads!['salesforce:prod']!,
      fingerprint: s.fingerprints!['salesforce:prod'],
      calls: calls(),
    };
  };
  const fullRead = async () => {
    sandbox.instrument.reset();
    const s = await snapshotAll([provider()], scope);
    return { snapshot: s.salesforce.prod!, fingerprint: s.fingerprints!['salesforce:prod'], calls: calls() };
  };

  beforeEach(async () => {
    sandbox = createSandbox({ people: 5000 });
    server.resetHandlers(...sandbox.handlers);
    cachePath = snapshotCachePath(join(await mkdtemp(join(tmpdir(), 'accord-sf-inc-')), 'dev.state.json'));
  });

  it('floors the cursor less the margin to a SOQL datetime literal', () => {
    expect(since('2024-01-15T09:00:00.000+0000')).toBe('2024-01-15T08:55:00Z');
    expect(since('2024-01-15T09:00:00.750+0100')).toBe('2024-01-15T07:55:00Z');
    expect(since('not a time')).toBeUndefined();
  });

  it('reads an unchanged org in exactly 10 calls (6 catalogue, 2 deltas, 2 counts), against the full read', async () => {
    const first = await cachedRead();
    expect(first.read).toEqual({ mode: 'full', fallback: 'no snapshot cache' });
    const full = await fullRead();
    expect(first.calls).toBe(full.calls);
    const users = store().records('User').length;
    const assignments = store()
      .records('PermissionSetAssignment')
      .filter(
        (a) => store().get('PermissionSet', String(a.PermissionSetId))?.IsOwnedByProfile !== true,
      ).length;
    expect(users).toBeGreaterThan(2000);
    // 6 catalogue reads (no queues in this scope) + users + assignments, 2000 a page
    expect(full.calls).toBe(6 + Math.ceil(users / 2000) + Math.ceil(assignments / 2000));

    const second = await cachedRead();
    expect(second.read).toEqual({ mode: 'incremental' });
    expect(second.calls).toBe(10);
    expect(content(second.snapshot)).toEqual(content(full.snapshot));
    expect(second.fingerprint).toBe(full.fingerprint);
    const text = await readFile(cachePath, 'utf8');
    expect(text).not.toMatch(/token|secret|Bearer/i);
  });

  it('sees edits, grants, freezes and revokes (by an id list, not a full read)', async () => {
    await cachedRead();
    const [a, b, c] = store()
      .records('User')
      .filter((u) => u.IsActive === true);
    applyEdit(store(), { kind: 'title', pick: store().records('User').indexOf(a!) });
    applyEdit(store(), { kind: 'deactivate', pick: store().records('User').indexOf(b!) });
    applyEdit(store(), { kind: 'freeze', pick: store().records('User').indexOf(c!) });
    applyEdit(store(), { kind: 'create', n: 1 });
    applyEdit(store(), { kind: 'assign', pick: store().records('User').indexOf(a!), set: 1 });
    let read = await cachedRead();
    expect(read.read).toEqual({ mode: 'incremental' });
    expect(read.calls).toBe(10);
    let full = await fullRead();
    expect(content(read.snapshot)).toEqual(content(full.snapshot));
    expect(read.fingerprint).toBe(full.fingerprint);

    applyEdit(store(), { kind: 'revoke', pick: 3 });
    read = await cachedRead();
    expect(read.read).toEqual({ mode: 'incremental' });
    const assignments = read.snapshot.assignments.length;
    // the id list pages like the full assignment query
    expect(read.calls).toBe(10 + Math.ceil(assignments / 2000));
    full = await fullRead();
    expect(content(read.snapshot)).toEqual(content(full.snapshot));
  });

  it('reads in full on --refresh=full, a renamed profile, a malformed cache and a cursor gap', async () => {
    await cachedRead();
    expect((await cachedRead('full')).read).toEqual({ mode: 'full', fallback: '--refresh=full' });

    // A tenant put back to an earlier state (a fresh seed behind the same URL) has nothing at
    // the cursor: the edit made before is not silently kept.
    applyEdit(store(), { kind: 'title', pick: 5 });
    await cachedRead();
    sandbox = createSandbox({ people: 5000 });
    server.resetHandlers(...sandbox.handlers);
    let read = await cachedRead();
    expect(read.read.fallback).toMatch(/^cursor gap/);
    expect(content(read.snapshot)).toEqual(content((await fullRead()).snapshot));

    const profile = store().records('Profile')[0]!;
    store().write('Profile', profile.Id, { ...profile, Name: `${String(profile.Name)} (renamed)` });
    read = await cachedRead();
    expect(read.read).toEqual({ mode: 'full', fallback: expect.stringMatching(/profile, role/) });
    expect(content(read.snapshot)).toEqual(content((await fullRead()).snapshot));
    expect((await cachedRead()).read.mode).toBe('incremental');

    const text = await readFile(cachePath, 'utf8');
    await writeFile(cachePath, text.replace('"version":1', '"version":2'));
    expect((await cachedRead()).read).toEqual({ mode: 'full', fallback: 'no snapshot cache' });
    await cachedRead();
    // A base the provider cannot parse (the file's digest is right, the content is not).
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as {
      platforms: Record<string, { base: Record<string, unknown> }>;
    };
    file.platforms['salesforce:prod']!.base.usersCursor = 'yesterday';
    await writeCache(cachePath, file.platforms as never, new Date());
    expect((await cachedRead()).read).toEqual({
      mode: 'full',
      fallback: 'the cached Salesforce read is malformed',
    });
  });
});

describe('UC-26 incremental equals full, Salesforce (property)', () => {
  it('plans the same changes from incremental Salesforce snapshots as from full ones, after every edit', async () => {
    const scope = snapshotScope(policy);
    const plan = planLines(policy);
    const caches = scratchCaches('accord-sf-prop-');
    let incrementalReads = 0;
    let reads = 0;
    let moved = 0;
    let idLists = 0;
    await fc
      .assert(
        fc.asyncProperty(...tenantAndRounds(edit), async (people, seed, rounds) => {
          const sandbox = createSandbox({ people, seed });
          server.resetHandlers(...sandbox.handlers);
          const { mine: sf, others: rest } = providersOf(policy, sandbox, (id) =>
            id.startsWith('salesforce:'),
          );
          const cache = await caches.next();
          const others = await snapshotAll(rest(), scope);
          await snapshotAll(sf(), scope, undefined, { cache });
          const orgs = Object.values(sandbox.stores.salesforce);
          let before = (await snapshotAll(sf(), scope)).fingerprints;
          for (const round of rounds) {
            round.forEach((e, i) => applyEdit(orgs[i % orgs.length]!, e));
            sandbox.instrument.reset();
            const viaCache = await snapshotAll(sf(), scope, undefined, { cache });
            idLists += sandbox.instrument
              .requests()
              .filter((r) => r.url.includes('SELECT%20Id%20FROM%20PermissionSetAssignment')).length;
            const full = await snapshotAll(sf(), scope);
            if (JSON.stringify(full.fingerprints) !== JSON.stringify(before)) moved++;
            before = full.fingerprints;
            for (const [platform, read] of Object.entries(viaCache.reads ?? {})) {
              reads++;
              if (read?.mode === 'incremental') incrementalReads++;
              expect(viaCache.fingerprints![platform as `salesforce:${string}`]).toBe(
                full.fingerprints![platform as `salesforce:${string}`],
              );
            }
            for (const org of Object.keys(full.salesforce))
              expect(content(viaCache.salesforce[org]!)).toEqual(content(full.salesforce[org]!));
            expect(plan({ ...others, salesforce: viaCache.salesforce })).toEqual(
              plan({ ...others, salesforce: full.salesforce }),
            );
          }
        }),
        { seed: 20_261_204, numRuns: 25 },
      )
      .finally(caches.removeAll);
    // The property is only worth something if most reads really were incremental.
    expect(incrementalReads).toBeGreaterThan(reads * 0.8);
    // ... and if the edits really moved the orgs, revokes included.
    expect(moved).toBeGreaterThan(50);
    expect(idLists).toBeGreaterThan(5);
  }, 180_000);
});

describe('UC-26 incremental CRM records (Contacts and Accounts of UC-14, UC-15)', () => {
  let sandbox: Sandbox;
  let cachePath: string;
  const scope = salesforceOnly({
    salesforceContacts: {
      prod: {
        contactFields: ['Accord_Id__c', 'Department', 'Email', 'LastName'],
        externalIdFields: ['Accord_Id__c'],
        accountFields: ['Name', 'Website'],
      },
    },
  });
  const store = () => sandbox.stores.salesforce.prod!;
  const contacts = () =>
    store()
      .records('Contact')
      .filter((c) => c.Accord_Id__c !== null);
  const read = async (cache: boolean) => {
    const provider = new SalesforceProvider(
      'prod',
      { settings: policy.platforms.salesforce!.prod!, env: sandbox.env },
      FAST,
    );
    sandbox.instrument.reset();
    const s = await snapshotAll([provider], scope, undefined, cache ? { cache: { path: cachePath } } : {});
    return {
      snapshot: s.salesforce.prod!,
      read: s.reads?.['salesforce:prod'],
      calls: sandbox.instrument.count({ tenant: 'salesforce:prod' }),
    };
  };

  /** A small org with more than a page of accord's Contacts (below one, a full read is one call). */
  const seed = async (seedNumber = 42) => {
    sandbox = createSandbox({ people: 200, seed: seedNumber });
    server.resetHandlers(...sandbox.handlers);
    cachePath = snapshotCachePath(join(await mkdtemp(join(tmpdir(), 'accord-sf-crm-')), 'dev.state.json'));
    // Stamped a second apart an hour ago, as rows an org grew over time: outside the cursor's margin.
    const hourAgo = Date.now() - 3_600_000;
    for (let i = 0; i < 2100; i++) {
      const id = createRecord(store(), 'Contact', {
        LastName: `Crm${i}`,
        Email: `crm.${i}@partner.test`,
        Accord_Id__c: `crm-${i}`,
      });
      const stamp = new Date(hourAgo + i * 1000).toISOString().replace('Z', '+0000');
      store().write('Contact', id, { ...store().get('Contact', id)!, SystemModstamp: stamp });
    }
  };
  beforeEach(() => seed());

  it('reads an unchanged set as a delta and a count, and sees edits, creates, deletes and cleared keys', async () => {
    const first = await read(true);
    const full = await read(false);
    expect(first.calls).toBe(full.calls);
    expect(first.snapshot.contacts).toHaveLength(contacts().length);
    // The full read's 2 Contact pages become 1 delta and 1 COUNT(); users and assignments add their
    // 2 counts; Accounts (one page) stay one full read.
    const second = await read(true);
    expect(second.read).toEqual({ mode: 'incremental' });
    expect(second.calls).toBe(full.calls - 2 + 2 + 2);
    expect(content(second.snapshot)).toEqual(content(full.snapshot));
    const unchanged = sandbox.instrument.requests().filter((r) => r.url.includes('FROM%20Contact'));
    expect(unchanged.map((r) => decodeURIComponent(r.url).replace(/\+/g, ' '))).toEqual([
      expect.stringMatching(/FROM Contact WHERE \(Accord_Id__c != null\) AND SystemModstamp > \d{4}-/),
      expect.stringMatching(/SELECT COUNT\(\) FROM Contact WHERE Accord_Id__c != null$/),
    ]);

    const [edited, removed, unkeyed] = contacts();
    updateRecord(store(), 'Contact', edited!.Id, { Department: 'Edited' });
    deleteRecord(store(), removed!.Id);
    updateRecord(store(), 'Contact', unkeyed!.Id, { Accord_Id__c: null });
    createRecord(store(), 'Contact', {
      LastName: 'New',
      Email: 'crm.new@partner.test',
      Accord_Id__c: 'crm-new',
    });
    const after = await read(true);
    expect(after.read).toEqual({ mode: 'incremental' });
    // Two rows left the set (a delete, a cleared key): the ids still there are read, 2 pages.
    expect(after.calls).toBe(second.calls + 2);
    const fresh = await read(false);
    expect(content(after.snapshot)).toEqual(content(fresh.snapshot));
    const byId = new Map(after.snapshot.contacts!.map((c) => [c.id, c]));
    expect(byId.get(edited!.Id)?.fields.Department).toBe('Edited');
    expect(byId.has(removed!.Id) || byId.has(unkeyed!.Id)).toBe(false);
  });

  it('reads the set in full when the declared fields change (the scope, and so the cache key, moved)', async () => {
    await read(true);
    scope.salesforceContacts!.prod!.contactFields.push('FirstName');
    try {
      const again = await read(true);
      const full = await read(false);
      expect(again.calls).toBe(full.calls);
      expect(content(again.snapshot)).toEqual(content(full.snapshot));
    } finally {
      scope.salesforceContacts!.prod!.contactFields.pop();
    }
  });

  it('reads the set in full when the cached query is not the one this read would send', async () => {
    await read(true);
    // Same scope (so the same cache key), but the Contacts were cached under another SELECT, as
    // by a version of accord that selected other fields.
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as {
      platforms: Record<string, { base: { records: { Contact: { query: string } } } }>;
    };
    const contact = file.platforms['salesforce:prod']!.base.records.Contact;
    contact.query = contact.query.replace('Department, ', '');
    await writeCache(cachePath, file.platforms as never, new Date());
    const again = await read(true);
    expect(again.read).toEqual({ mode: 'incremental' });
    const sent = sandbox.instrument.requests().filter((r) => r.url.includes('FROM%20Contact'));
    // Only the full query (its next page is fetched by locator): no delta, no COUNT().
    expect(sent).toHaveLength(1);
    expect(decodeURIComponent(sent[0]!.url)).not.toContain('SystemModstamp >');
    expect(content(again.snapshot)).toEqual(content((await read(false)).snapshot));
  });

  type CrmEdit = { kind: 'edit' | 'delete' | 'unkey' | 'rekey' | 'create' | 'account'; pick: number };
  const crmEdit: fc.Arbitrary<CrmEdit> = fc.record({
    kind: fc.constantFrom('edit', 'delete', 'unkey', 'rekey', 'create', 'account'),
    pick: fc.nat(),
  });
  const applyCrmEdit = (e: CrmEdit) => {
    const all = store().records('Contact');
    const c = all[e.pick % all.length]!;
    switch (e.kind) {
      case 'edit':
        return updateRecord(store(), 'Contact', c.Id, { Department: `Dept ${e.pick % 5}` });
      case 'delete':
        return deleteRecord(store(), c.Id);
      case 'unkey':
        return updateRecord(store(), 'Contact', c.Id, { Accord_Id__c: null });
      case 'rekey':
        return updateRecord(store(), 'Contact', c.Id, { Accord_Id__c: `rekeyed-${e.pick}` });
      case 'create':
        return createRecord(store(), 'Contact', {
          LastName: `P${e.pick}`,
          Email: `p.${e.pick}@partner.test`,
          Accord_Id__c: `p-${e.pick}`,
        });
      case 'account': {
        const accounts = store().records('Account');
        if (accounts.length === 0) return;
        return updateRecord(store(), 'Account', accounts[e.pick % accounts.length]!.Id, {
          Website: `https://w${e.pick % 3}.test`,
        });
      }
    }
  };

  it('gives the Contacts and Accounts of a full read after random edits (property)', async () => {
    let incremental = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(1000),
        fc.array(fc.array(crmEdit, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        async (seedNumber, rounds) => {
          await seed(seedNumber);
          await read(true);
          for (const round of rounds) {
            for (const e of round) {
              try {
                applyCrmEdit(e);
              } catch {
                // An edit the org refuses (a duplicate email, a deleted row) changes nothing.
              }
            }
            const viaCache = await read(true);
            if (viaCache.read?.mode === 'incremental') incremental++;
            const full = await read(false);
            expect(viaCache.snapshot.contacts).toEqual(full.snapshot.contacts);
            expect(viaCache.snapshot.accounts).toEqual(full.snapshot.accounts);
          }
        },
      ),
      { seed: 20_261_207, numRuns: 8 },
    );
    expect(incremental).toBeGreaterThan(8);
  }, 120_000);
});
