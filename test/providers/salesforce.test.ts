import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import type { Change, ChangeResult } from '../../src/model/change.js';
import type { SalesforceSnapshot, SnapshotScope } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import type { ProgressEvent } from '../../src/providers/provider.js';
import {
  SalesforceProvider,
  salesforceFactory,
  type SalesforceProviderOptions,
} from '../../src/providers/salesforce/index.js';
import { createSandbox } from '@accord/sandbox';
import { loadDemoPolicy } from '../support/demo.js';
import { changeBuilder } from './change.js';

/** The Salesforce provider against the sandbox's prod and emea orgs, through jsforce 3. */

const sandbox = createSandbox();
const server = setupServer(...sandbox.handlers);
const prod = sandbox.stores.salesforce.prod!;
const emea = sandbox.stores.salesforce.emea!;
const instrument = sandbox.instrument;
let policy: Policy;

const FAST: SalesforceProviderOptions = {
  retry: { sleep: async () => undefined },
  transportRetry: { minTimeout: 1 },
  bulkPollIntervalMs: 5,
};
const scope: SnapshotScope = {
  oktaGroups: [],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: ['Department', 'Title', 'ManagerId', 'No_Such_Field__c'],
  // A transfer to a queue is in play (UC-07 below), so the queues are read.
  salesforceQueues: true,
};
const provider = (org = 'prod', options: SalesforceProviderOptions = FAST) =>
  new SalesforceProvider(org, { settings: policy.platforms.salesforce![org]!, env: sandbox.env }, options);

const calls = (route?: string, method?: string) =>
  instrument.count({
    tenant: 'salesforce:prod',
    ...(route ? { route: `/services/data/:version${route}` } : {}),
    method,
  });

const change = changeBuilder(
  'salesforce:prod',
  'c',
  (c, seq) => `salesforce.prod.user["${c.account.key}"].${c.kind}.${c.action}.${seq}`,
);

const newUser = (n: string, over: Record<string, unknown> = {}) => ({
  Username: `sf.new.${n}@acme.test`,
  Email: `sf.new.${n}@acme.test`,
  FirstName: 'New',
  LastName: `Person${n}`,
  Alias: `np${n}`.slice(0, 8),
  FederationIdentifier: `sf.new.${n}@acme.test`,
  TimeZoneSidKey: 'America/Los_Angeles',
  LocaleSidKey: 'en_US',
  EmailEncodingKey: 'UTF-8',
  LanguageLocaleKey: 'en_US',
  Profile: 'Chatter Free User',
  UserRole: null,
  Manager: null,
  ...over,
});
const createChange = (user: Record<string, unknown>) =>
  change({ kind: 'account', action: 'create', account: { key: String(user.Username) }, after: user });

const transfer = (username: string, object: string, to: { user: string } | { queue: string }) =>
  change({
    kind: 'records',
    action: 'transfer',
    account: { key: username },
    target: { name: object },
    after: { to },
  });

const byStatus = (results: ChangeResult[]) =>
  results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

beforeAll(async () => {
  server.listen({ onUnhandledFrame: 'error' });
  policy = await loadDemoPolicy();
});
afterAll(() => server.close());
beforeEach(() => {
  instrument.reset();
  instrument.clearFaults();
});

describe('factory', () => {
  it('makes one provider per org of the policy, id salesforce:<org>', () => {
    const providers = salesforceFactory.create({ platforms: policy.platforms, env: sandbox.env });
    expect(providers.map((p) => p.id)).toEqual(['salesforce:prod', 'salesforce:emea']);
    expect(providers[0]!.maxBatch('permissionSet', 'grant')).toBe(200);
    expect(providers[0]!.maxBatch('account', 'create')).toBe(200);
    expect(providers[0]!.maxBatch('records', 'transfer')).toBe(1);
    expect(salesforceFactory.create({ platforms: {}, env: {} })).toEqual([]);
  });
});

describe('UC-01 snapshot', () => {
  it('reads prod with one call per object (each under 2000 rows), no per-record GETs', async () => {
    const events: ProgressEvent[] = [];
    const snap = await provider().snapshot(scope, (e) => events.push(e));
    // 9 queries, plus one more for the User query asked again without the field prod lacks.
    expect(calls('/query', 'GET')).toBe(10);
    expect(calls('/query/:locator')).toBe(0);
    expect(calls()).toBe(10);

    expect(snap.platform).toBe('salesforce:prod');
    expect(snap.users).toHaveLength(prod.table('User').size);
    const ana = snap.users.find((u) => u.username === 'ana.lopez@acme.test')!;
    const dana = snap.users.find((u) => u.username === 'dana.boss@acme.test')!;
    expect(ana).toMatchObject({
      email: 'ana.lopez@acme.test',
      federationId: 'ana.lopez@acme.test',
      isActive: true,
      frozen: false,
      profile: 'Sales User',
      license: 'Salesforce',
      role: 'Sales Rep',
      managerId: dana.id,
      fields: { Department: 'Sales', Title: 'Account Executive' },
    });
    expect(Object.keys(ana.fields)).toEqual(['Department', 'Title']);
    expect(snap.profiles.find((p) => p.name === 'Finance User')?.license).toBe('Salesforce Platform');
    expect(snap.roles.map((r) => r.name).sort()).toEqual([
      'CEO',
      'Finance',
      'Sales Manager',
      'Sales Rep',
      'Support Agent',
    ]);
    // Neither profile-owned sets nor the aggregate sets of groups are assignable permission sets.
    expect(snap.permissionSets.map((s) => s.name).sort()).toEqual(
      prod
        .records('PermissionSet')
        .filter((s) => s.Type === 'Regular')
        .map((s) => String(s.Name))
        .sort(),
    );
    expect(snap.permissionSetGroups.map((g) => g.developerName).sort()).toEqual([
      'Sales_Leadership',
      'Support_Tier2',
    ]);
    const mine = (id: string) => snap.assignments.filter((a) => a.userId === id);
    expect(mine(ana.id)).toEqual([expect.objectContaining({ permissionSet: 'Sales_Cloud_User' })]);
    expect(
      mine(dana.id)
        .map((a) => a.permissionSet ?? `group:${a.permissionSetGroup}`)
        .sort(),
    ).toEqual(['Sales_Cloud_User', 'group:Sales_Leadership']);
    const nonProfile = prod
      .records('PermissionSetAssignment')
      .filter((a) => prod.get('PermissionSet', String(a.PermissionSetId))?.IsOwnedByProfile !== true);
    expect(snap.assignments).toHaveLength(nonProfile.length);
    const salesforce = snap.licenses.find((l) => l.name === 'Salesforce')!;
    expect(salesforce.total - salesforce.used).toBe(5);
    expect(snap.queues!.map((q) => q.name).sort()).toEqual(['Support Queue', 'Unassigned Leads']);

    const done = events.filter((e) => e.done);
    expect(done.map((e) => e.phase)).toEqual([
      'UserLicense',
      'Profile',
      'UserRole',
      'PermissionSet',
      'PermissionSetGroup',
      'Queue',
      'UserLogin',
      'User',
      'PermissionSetAssignment',
    ]);
    expect(done[7]).toEqual({
      platform: 'salesforce:prod',
      phase: 'User',
      pages: 1,
      records: snap.users.length,
      done: true,
    });
  });

  it('reads emea with the same nine calls', async () => {
    const snap = await provider('emea').snapshot({ ...scope, salesforceFields: [] });
    expect(instrument.count({ tenant: 'salesforce:emea' })).toBe(9);
    expect(instrument.count({ tenant: 'salesforce:prod' })).toBe(0);
    expect(snap.users).toHaveLength(emea.table('User').size);
    expect(snap.permissionSets.map((s) => s.name)).toContain('GDPR_Data_Access');
    expect(snap.users.find((u) => u.username === 'ana.lopez@acme.test.emea')?.role).toBe('EMEA Sales Rep');
  });

  it('sends no Queue query when no transfer names a queue (issue 17)', async () => {
    const snap = await provider('emea').snapshot({ ...scope, salesforceFields: [], salesforceQueues: false });
    expect(instrument.count({ tenant: 'salesforce:emea' })).toBe(8);
    expect(instrument.log.some((r) => decodeURIComponent(r.url).includes("Type = 'Queue'"))).toBe(false);
    expect(snap.queues).toBeUndefined();
  });
});

describe('UC-02 K Salesforce changes of one kind cost ceil(K/200) calls', () => {
  it('grants 450 permission sets with 3 composite POSTs and revokes them with 3 DELETEs', async () => {
    const p = provider();
    const snap = await p.snapshot(scope);
    const sets = ['Report_Builder', 'Data_Export', 'Knowledge_User', 'Billing_Approver'];
    const has = new Set(snap.assignments.map((a) => `${a.userId}/${a.permissionSet}`));
    const grants: Change[] = [];
    for (const set of sets)
      for (const u of snap.users)
        if (grants.length < 450 && !has.has(`${u.id}/${set}`))
          grants.push(
            change({
              kind: 'permissionSet',
              action: 'grant',
              account: { key: u.username, id: u.id },
              target: { name: set },
            }),
          );
    expect(grants).toHaveLength(450);
    const before = prod.table('PermissionSetAssignment').size;
    instrument.reset();
    const results = await p.apply(grants);
    expect(calls('/composite/sobjects', 'POST')).toBe(3);
    expect(calls()).toBe(3);
    expect(byStatus(results)).toEqual({ applied: 450 });
    expect(results.map((r) => r.changeId)).toEqual(grants.map((g) => g.id));
    expect(prod.table('PermissionSetAssignment').size).toBe(before + 450);
    for (const [i, r] of results.entries()) {
      const row = prod.get('PermissionSetAssignment', r.createdId!)!;
      expect(row.AssigneeId).toBe(grants[i]!.account.id);
      expect(prod.get('PermissionSet', String(row.PermissionSetId))?.Name).toBe(grants[i]!.target!.name);
    }

    instrument.reset();
    const revokes = grants.map((g, i) =>
      change({
        kind: 'permissionSet',
        action: 'revoke',
        account: g.account,
        target: { name: g.target!.name, id: results[i]!.createdId },
      }),
    );
    expect(byStatus(await p.apply(revokes))).toEqual({ applied: 450 });
    expect(calls('/composite/sobjects', 'DELETE')).toBe(3);
    expect(calls()).toBe(3);
    expect(prod.table('PermissionSetAssignment').size).toBe(before);
  });
});

describe('UC-03 users: create, update, activate, deactivate, freeze', () => {
  let snap: SalesforceSnapshot;
  const p = () => provider();
  let sfp: SalesforceProvider;
  beforeAll(async () => {
    sfp = p();
    snap = await sfp.snapshot(scope);
  });

  it('creates users with profile, role and manager named, in one call', async () => {
    instrument.reset();
    const users = [
      newUser('1', {
        Profile: 'Sales User',
        UserRole: 'Sales Rep',
        Manager: 'dana.boss@acme.test',
        Department: 'Sales',
        Title: 'SDR',
      }),
      newUser('2', { EmployeeNumber: 'E999001' }),
      newUser('3', { Manager: 'sf.new.1@acme.test' }),
    ];
    // The third's manager is created in the same batch and looked up once, by Username.
    const results = await sfp.apply(users.map(createChange));
    expect(byStatus(results)).toEqual({ applied: 2, failed: 1 });
    expect(results[2]!.message).toBe('manager user sf.new.1@acme.test not found in salesforce:prod');
    expect(calls('/composite/sobjects', 'POST')).toBe(1);
    expect(calls('/query', 'GET')).toBe(1);
    const one = prod.user('sf.new.1@acme.test')!;
    expect(results[0]!.createdId).toBe(one.Id);
    expect(one).toMatchObject({
      ProfileId: prod.named('Profile', 'Sales User')!.Id,
      UserRoleId: prod.named('UserRole', 'Sales Rep')!.Id,
      ManagerId: prod.user('dana.boss@acme.test')!.Id,
      Department: 'Sales',
      Title: 'SDR',
      IsActive: true,
    });
    expect(prod.user('sf.new.2@acme.test')?.EmployeeNumber).toBe('E999001');
    // Created users are known from then on: the third goes through now without a lookup.
    instrument.reset();
    expect(byStatus(await sfp.apply([createChange(users[2]!)]))).toEqual({ applied: 1 });
    expect(calls()).toBe(1);
    expect(prod.user('sf.new.3@acme.test')?.ManagerId).toBe(one.Id);
  });

  it('updates owned fields, profile, role and manager by name', async () => {
    const kim = snap.users.find((u) => u.username === 'kim.mover@acme.test')!;
    instrument.reset();
    const [result] = await sfp.apply([
      change({
        kind: 'account',
        action: 'update',
        account: { key: kim.username },
        after: {
          Profile: 'Sales User',
          UserRole: 'Sales Rep',
          Manager: 'dana.boss@acme.test',
          Title: 'Account Manager',
          Phone: null,
        },
      }),
    ]);
    expect(result).toEqual({ changeId: expect.any(String), status: 'applied' });
    expect(calls('/composite/sobjects', 'PATCH')).toBe(1);
    expect(calls()).toBe(1);
    expect(prod.get('User', kim.id)).toMatchObject({
      ProfileId: prod.named('Profile', 'Sales User')!.Id,
      UserRoleId: prod.named('UserRole', 'Sales Rep')!.Id,
      ManagerId: prod.user('dana.boss@acme.test')!.Id,
      Title: 'Account Manager',
      Phone: null,
    });
  });

  it('freezes and unfreezes through UserLogin, deactivates and activates through IsActive, never deletes', async () => {
    const u = prod.user('sf.new.2@acme.test')!;
    const acct = { key: 'sf.new.2@acme.test' };
    instrument.reset();
    expect(byStatus(await sfp.apply([change({ kind: 'account', action: 'freeze', account: acct })]))).toEqual(
      { applied: 1 },
    );
    expect(prod.loginOf(u.Id)?.IsFrozen).toBe(true);
    // One query for the UserLogin ids, one PATCH.
    expect(calls('/query', 'GET')).toBe(1);
    expect(calls('/composite/sobjects', 'PATCH')).toBe(1);
    expect((await provider().snapshot(scope)).users.find((x) => x.id === u.Id)?.frozen).toBe(true);

    const results = await sfp.apply([
      change({ kind: 'account', action: 'deactivate', account: acct }),
      change({ kind: 'account', action: 'freeze', account: acct, after: { frozen: false } }),
    ]);
    expect(byStatus(results)).toEqual({ applied: 2 });
    expect(prod.get('User', u.Id)?.IsActive).toBe(false);
    expect(prod.loginOf(u.Id)?.IsFrozen).toBe(false);
    expect(
      byStatus(await sfp.apply([change({ kind: 'account', action: 'activate', account: acct })])),
    ).toEqual({ applied: 1 });
    expect(prod.get('User', u.Id)?.IsActive).toBe(true);

    const [suspend] = await sfp.apply([change({ kind: 'account', action: 'suspend', account: acct })]);
    expect(suspend).toMatchObject({
      status: 'failed',
      message: 'Salesforce users cannot be suspended; freeze or deactivate them',
    });
    expect(instrument.requests({ tenant: 'salesforce:prod' }).filter((r) => r.method === 'DELETE')).toEqual(
      [],
    );
    expect(prod.user('sf.new.2@acme.test')).toBeDefined();
  });

  it('reports a user it cannot find on the change, without a write', async () => {
    instrument.reset();
    const [r] = await sfp.apply([
      change({ kind: 'account', action: 'deactivate', account: { key: 'nobody@acme.test' } }),
    ]);
    expect(r).toMatchObject({
      status: 'failed',
      message: 'user nobody@acme.test not found in salesforce:prod',
    });
    expect(calls('/composite/sobjects')).toBe(0);
  });
});

describe('UC-04 permission set groups and revokes by name', () => {
  it('grants a group with PermissionSetGroupId and revokes sets and groups looked up in one query', async () => {
    const p = provider();
    const snap = await p.snapshot(scope);
    const ana = snap.users.find((u) => u.username === 'ana.lopez@acme.test')!;
    instrument.reset();
    const [grant] = await p.apply([
      change({
        kind: 'permissionSetGroup',
        action: 'grant',
        account: { key: ana.username, id: ana.id },
        target: { name: 'Sales_Leadership' },
      }),
    ]);
    expect(grant!.status).toBe('applied');
    const row = prod.get('PermissionSetAssignment', grant!.createdId!)!;
    expect(row.PermissionSetGroupId).toBe(prod.named('PermissionSetGroup', 'Sales_Leadership')!.Id);

    instrument.reset();
    const revokes = [
      change({
        kind: 'permissionSetGroup',
        action: 'revoke',
        account: { key: ana.username },
        target: { name: 'Sales_Leadership' },
      }),
      change({
        kind: 'permissionSet',
        action: 'revoke',
        account: { key: ana.username },
        target: { name: 'Sales_Cloud_User' },
      }),
      change({
        kind: 'permissionSet',
        action: 'revoke',
        account: { key: ana.username },
        target: { name: 'Data_Export' },
      }),
    ];
    const results = await p.apply(revokes);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(results[2]!.detail).toEqual({ note: 'already absent' });
    // Per kind: one lookup query and one DELETE.
    expect(calls('/query', 'GET')).toBe(2);
    expect(calls('/composite/sobjects', 'DELETE')).toBe(2);
    const left = prod
      .assignmentsOf(ana.id)
      .map((a) => prod.get('PermissionSet', String(a.PermissionSetId))!)
      .filter((s) => s.IsOwnedByProfile !== true);
    expect(left).toEqual([]);
  });
});

describe('UC-05 a collection that partly fails', () => {
  it('fails only the changes whose records Salesforce refused (DUPLICATE_USERNAME, LICENSE_LIMIT_EXCEEDED)', async () => {
    const license = prod.named('UserLicense', 'Salesforce')!;
    const headroom = Number(license.TotalLicenses) - prod.usedLicenses(license.Id);
    expect(headroom).toBeGreaterThan(0);
    const fits = Array.from({ length: headroom }, (_, i) => newUser(`lic${i}`, { Profile: 'Standard User' }));
    const over = newUser('licover', { Profile: 'Standard User' });
    // Usernames are unique across every org: emea already has this one.
    const duplicate = newUser('dup', { Username: 'ana.lopez@acme.test.emea' });
    const chatter = newUser('fine');
    const changes = [duplicate, ...fits, over, chatter].map(createChange);
    instrument.reset();
    const results = await provider().apply(changes);
    expect(calls('/composite/sobjects', 'POST')).toBe(1);
    expect(results[0]).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^DUPLICATE_USERNAME: Duplicate Username\. The username/),
    });
    expect(results[0]!.message).not.toContain('<br>');
    expect(results.slice(1, 1 + headroom).every((r) => r.status === 'applied' && r.createdId)).toBe(true);
    expect(results[1 + headroom]).toMatchObject({
      status: 'failed',
      message: 'LICENSE_LIMIT_EXCEEDED: License Limit Exceeded',
    });
    expect(results[2 + headroom]!.status).toBe('applied');
    expect(prod.user('sf.new.licover@acme.test')).toBeUndefined();
    expect(prod.user('sf.new.fine@acme.test')).toBeDefined();
    expect(prod.usedLicenses(license.Id)).toBe(Number(license.TotalLicenses));
  });
});

describe('UC-07 transfer of open records', () => {
  const owned = (object: string, ownerId: string) =>
    prod.records(object).filter((r) => r.OwnerId === ownerId);

  it("moves exactly the leaver's open opportunities to the manager and open leads to a queue", async () => {
    const p = provider();
    await p.snapshot(scope);
    const leaver = prod.user('sam.leaver@acme.test')!;
    const dana = prod.user('dana.boss@acme.test')!;
    const queue = prod.named('Group', 'Unassigned_Leads')!;
    const opps = owned('Opportunity', leaver.Id);
    const openOpps = opps.filter((o) => o.IsClosed === false);
    const leads = owned('Lead', leaver.Id);
    const openLeads = leads.filter((l) => l.IsConverted === false);
    expect(openOpps).toHaveLength(5);
    expect(openLeads).toHaveLength(2);
    const danaOpps = owned('Opportunity', dana.Id).length;

    instrument.reset();
    const results = await p.apply([
      transfer(leaver.Username as string, 'Opportunity', { user: 'dana.boss@acme.test' }),
      transfer(leaver.Username as string, 'Lead', { queue: 'Unassigned Leads' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(results[0]!.detail).toEqual({
      object: 'Opportunity',
      to: { user: 'dana.boss@acme.test' },
      total: 5,
      via: 'collections',
      moved: 5,
    });
    expect(results[1]!.detail).toMatchObject({ object: 'Lead', moved: 2, via: 'collections' });
    // Per transfer: one query for the records, one PATCH.
    expect(calls('/query', 'GET')).toBe(2);
    expect(calls('/composite/sobjects', 'PATCH')).toBe(2);
    for (const o of openOpps) expect(prod.get('Opportunity', o.Id)?.OwnerId).toBe(dana.Id);
    for (const l of openLeads) expect(prod.get('Lead', l.Id)?.OwnerId).toBe(queue.Id);
    // Closed records stay with the leaver.
    expect(
      owned('Opportunity', leaver.Id)
        .map((o) => o.Id)
        .sort(),
    ).toEqual(
      opps
        .filter((o) => o.IsClosed)
        .map((o) => o.Id)
        .sort(),
    );
    expect(owned('Lead', leaver.Id).every((l) => l.IsConverted === true)).toBe(true);
    expect(owned('Opportunity', dana.Id)).toHaveLength(danaOpps + 5);

    // Nothing left to move: applied with 0 moved, no write.
    instrument.reset();
    const [again] = await p.apply([
      transfer(leaver.Username as string, 'Opportunity', { user: 'dana.boss@acme.test' }),
    ]);
    expect(again).toMatchObject({ status: 'applied', detail: { moved: 0, total: 0 } });
    expect(calls('/composite/sobjects')).toBe(0);
  });

  it('uses Bulk API 2.0 above the threshold and reports bad targets on the change', async () => {
    const p = provider('prod', { ...FAST, transferBulkThreshold: 3 });
    const robin = prod.user('robin.gone@acme.test')!;
    const cases = owned('Case', robin.Id).filter((c) => c.IsClosed === false);
    expect(cases).toHaveLength(6);
    const queue = prod.named('Group', 'Support_Queue')!;
    instrument.reset();
    const results = await p.apply([
      transfer('robin.gone@acme.test', 'Case', { queue: 'Support Queue' }),
      transfer('robin.gone@acme.test', 'Contract', { queue: 'Support Queue' }),
      transfer('robin.gone@acme.test', 'Account', { queue: 'No Such Queue' }),
    ]);
    expect(results[0]).toMatchObject({ status: 'applied', detail: { via: 'bulk', moved: 6, total: 6 } });
    expect(
      instrument.count({
        tenant: 'salesforce:prod',
        route: '/services/data/:version/jobs/ingest',
        method: 'POST',
      }),
    ).toBe(1);
    expect(calls('/composite/sobjects')).toBe(0);
    for (const c of cases) expect(prod.get('Case', c.Id)?.OwnerId).toBe(queue.Id);
    expect(results[1]).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^cannot transfer Contract/),
    });
    expect(results[2]).toMatchObject({
      status: 'failed',
      message: 'queue No Such Queue not found in salesforce:prod',
    });
  });
});
