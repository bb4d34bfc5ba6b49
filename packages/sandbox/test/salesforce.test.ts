import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SignJWT, generateKeyPair } from 'jose';
import { Connection } from 'jsforce';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import {
  SalesforceStore,
  UsernameRegistry,
  salesforceTenant,
  seedSalesforce,
} from '../src/salesforce/index.js';

/** The Salesforce emulator through the real jsforce 3 client. */

const PROD = 'https://acme-prod.my.salesforce.test';
const EMEA = 'https://acme-emea.my.salesforce.test';
const VERSION = '62.0';

const registry = new UsernameRegistry();
const stores = seedSalesforce(generateCompany({ people: 2500, seed: 42 }), registry);
const prod = stores.prod!;
const emea = stores.emea!;
const instrument = new Instrument(1);
const prodTenant = salesforceTenant(prod, PROD, instrument);
const emeaTenant = salesforceTenant(emea, EMEA, instrument);
const server = setupServer(...prodTenant.handlers, ...emeaTenant.handlers);

const connect = (tenant = prodTenant, instanceUrl = PROD) =>
  new Connection({
    instanceUrl,
    accessToken: tenant.env[`SF_${tenant.id.split(':')[1]!.toUpperCase()}_ACCESS_TOKEN`],
    version: VERSION,
  });

const profileId = (name: string) => prod.named('Profile', name)!.Id;

const newUser = (n: string, over: Record<string, unknown> = {}) => ({
  Username: `new.${n}@acme.test`,
  Email: `new.${n}@acme.test`,
  LastName: `New${n}`,
  FirstName: 'Test',
  Alias: `new${n}`.slice(0, 8),
  TimeZoneSidKey: 'America/Los_Angeles',
  LocaleSidKey: 'en_US',
  EmailEncodingKey: 'UTF-8',
  LanguageLocaleKey: 'en_US',
  ProfileId: profileId('Chatter Free User'),
  ...over,
});

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());
beforeEach(() => instrument.reset());

describe('seed', () => {
  it('builds one store per org with the catalogue, companions and derived license use', () => {
    expect(Object.keys(stores).sort()).toEqual(['emea', 'prod']);
    const ana = prod.user('ana.lopez@acme.test')!;
    expect(ana.Id).toMatch(/^005[A-Za-z0-9]{15}$/);
    expect(prod.loginOf(ana.Id)?.IsFrozen).toBe(false);
    const sets = prod.assignmentsOf(ana.Id).map((a) => prod.get('PermissionSet', String(a.PermissionSetId))!);
    expect(sets.filter((s) => s.IsOwnedByProfile === true)).toHaveLength(1);
    expect(sets.map((s) => s.Name)).toContain('Sales_Cloud_User');
    expect(ana.ManagerId).toBe(prod.user('dana.boss@acme.test')!.Id);
    expect(emea.user('ana.lopez@acme.test.emea')).toBeDefined();
    for (const license of prod.records('UserLicense')) {
      const active = prod
        .records('User')
        .filter((u) => u.IsActive === true && prod.licenseOfProfile(u.ProfileId)?.Id === license.Id).length;
      expect(license.UsedLicenses).toBe(active);
    }
  });

  it('round-trips through toJSON/fromJSON', () => {
    const copy = SalesforceStore.fromJSON(JSON.parse(JSON.stringify(emea.toJSON())), new UsernameRegistry());
    expect(copy.toJSON()).toEqual(emea.toJSON());
    expect(copy.user('sam.admin@acme.test.emea')?.Id).toBe(emea.user('sam.admin@acme.test.emea')?.Id);
  });

  it('exposes the env that points a client at the org', () => {
    expect(prodTenant.id).toBe('salesforce:prod');
    expect(prodTenant.env).toMatchObject({
      SF_PROD_INSTANCE_URL: PROD,
      SF_PROD_LOGIN_URL: PROD,
      SF_PROD_USERNAME: 'integration@acme.test',
    });
    expect(Object.keys(prodTenant.env).sort()).toEqual(
      ['ACCESS_TOKEN', 'CLIENT_ID', 'CLIENT_SECRET', 'INSTANCE_URL', 'LOGIN_URL', 'USERNAME'].map(
        (k) => `SF_PROD_${k}`,
      ),
    );
  });
});

describe('query', () => {
  it('autoFetches across 2000-record batches', async () => {
    const conn = connect();
    const total = prod.table('Opportunity').size;
    expect(total).toBeGreaterThan(2000);
    const result = await conn.query('SELECT Id, Name, OwnerId, Owner.Username FROM Opportunity', {
      autoFetch: true,
      maxFetch: 100000,
    });
    expect(result.totalSize).toBe(total);
    expect(result.records).toHaveLength(total);
    expect(new Set(result.records.map((r) => r.Id)).size).toBe(total);
    expect(instrument.count({ tenant: 'salesforce:prod', route: '/services/data/:version/query' })).toBe(1);
    expect(
      instrument.count({ tenant: 'salesforce:prod', route: '/services/data/:version/query/:locator' }),
    ).toBe(Math.ceil(total / 2000) - 1);
  });

  it('pages with queryMore and reads relationship fields', async () => {
    const conn = connect();
    const first = await conn.query(
      'SELECT Id, AssigneeId, Assignee.Username, PermissionSet.Name, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false',
      { headers: { 'Sforce-Query-Options': 'batchSize=500' } },
    );
    expect(first.totalSize).toBeGreaterThan(1000);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(500);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-500$/);
    const rec = first.records[0] as Record<string, unknown> & { Assignee: { Username: string } };
    expect(rec.attributes).toMatchObject({ type: 'PermissionSetAssignment' });
    expect(rec.Assignee.Username).toMatch(/@/);
    expect((rec.PermissionSet as { IsOwnedByProfile: boolean }).IsOwnedByProfile).toBe(false);
    const second = await conn.queryMore(first.nextRecordsUrl!);
    expect(second.records).toHaveLength(500);
    expect(second.nextRecordsUrl).toMatch(/-1000$/);
    expect(new Set([...first.records, ...second.records].map((r) => r.Id)).size).toBe(1000);
  });

  it('answers COUNT() and users with Profile and UserRole', async () => {
    const conn = connect();
    const count = await conn.query('SELECT COUNT() FROM User WHERE IsActive = true');
    expect(count.totalSize).toBe(prod.records('User').filter((u) => u.IsActive === true).length);
    const dana = await conn.query<{ Profile: { Name: string }; UserRole: { Name: string } }>(
      "SELECT Id, Profile.Name, UserRole.Name FROM User WHERE Username = 'dana.boss@acme.test'",
    );
    expect(dana.records[0]).toMatchObject({
      Profile: { Name: 'Sales User' },
      UserRole: { Name: 'Sales Manager' },
    });
  });

  it('turns a SOQL error into a 400 with its errorCode', async () => {
    await expect(connect().query('SELECT Nope FROM User')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await expect(connect().query('SELEC Id FROM User')).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
    });
  });
});

describe('writes', () => {
  it('creates users in one composite call, partly failing per record', async () => {
    const conn = connect();
    const results = await conn.sobject('User').create([
      newUser('a1'),
      newUser('a2', { Username: 'ana.lopez@acme.test.emea' }), // taken in the other org
      newUser('a3', { LastName: undefined }),
      newUser('a4'),
    ]);
    expect(instrument.count({ route: '/services/data/:version/composite/sobjects', method: 'POST' })).toBe(1);
    expect(results.map((r) => r.success)).toEqual([true, false, false, true]);
    const [ok, dup, missing] = results;
    expect(ok).toMatchObject({ success: true, errors: [] });
    expect((ok as { id: string }).id).toMatch(/^005/);
    expect(dup).toMatchObject({
      success: false,
      errors: [{ statusCode: 'DUPLICATE_USERNAME', fields: ['Username'] }],
    });
    expect(missing).toMatchObject({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }],
    });
    const created = prod.user('new.a1@acme.test')!;
    expect(prod.loginOf(created.Id)).toBeDefined();
    expect(prod.assignmentsOf(created.Id)).toHaveLength(1);
  });

  it('rolls everything back with allOrNone', async () => {
    const conn = connect();
    const before = prod.table('User').size;
    const used = prod.named('UserLicense', 'Chatter Free')!.UsedLicenses;
    const results = await conn
      .sobject('User')
      .create([newUser('b1'), newUser('b2', { Alias: 'waytoolongalias' })], { allOrNone: true });
    expect(results[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'STRING_TOO_LONG' }] });
    expect(prod.table('User').size).toBe(before);
    expect(prod.user('new.b1@acme.test')).toBeUndefined();
    expect(prod.named('UserLicense', 'Chatter Free')!.UsedLicenses).toBe(used);
    expect(registry.owner('new.b1@acme.test')).toBeUndefined();
  });

  it('refuses to delete a user, but deactivates one', async () => {
    const conn = connect();
    const id = prod.user('new.a4@acme.test')!.Id;
    await expect(conn.sobject('User').destroy(id)).rejects.toMatchObject({ errorCode: 'METHOD_NOT_ALLOWED' });
    const [res] = await conn.sobject('User').destroy([id]);
    expect(res).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_TYPE_FOR_OPERATION' }] });
    await conn.sobject('User').update({ Id: id, IsActive: false });
    expect(prod.get('User', id)?.IsActive).toBe(false);
  });

  it('enforces the license limit on create and on activation', async () => {
    const conn = connect();
    const license = prod.named('UserLicense', 'Salesforce')!;
    const free = Number(license.TotalLicenses) - Number(license.UsedLicenses);
    expect(free).toBe(5);
    const standard = profileId('Standard User');
    const batch = Array.from({ length: free + 1 }, (_, i) => newUser(`lic${i}`, { ProfileId: standard }));
    const results = await conn.sobject('User').create(batch);
    expect(results.filter((r) => r.success)).toHaveLength(free);
    expect(results[free]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'LICENSE_LIMIT_EXCEEDED' }],
    });
    const inactive = await conn
      .sobject('User')
      .create(newUser('lic-off', { ProfileId: standard, IsActive: false }));
    expect(inactive.success).toBe(true);
    await expect(conn.sobject('User').update({ Id: inactive.id!, IsActive: true })).rejects.toMatchObject({
      errorCode: 'LICENSE_LIMIT_EXCEEDED',
    });
  });

  it('keeps permission set assignments consistent', async () => {
    const conn = connect();
    const ana = prod.user('ana.lopez@acme.test')!;
    const salesCloud = prod.named('PermissionSet', 'Sales_Cloud_User')!.Id;
    // A single-record create answers 400 and jsforce throws; a collection reports per record.
    await expect(
      conn.sobject('PermissionSetAssignment').create({ AssigneeId: ana.Id, PermissionSetId: salesCloud }),
    ).rejects.toMatchObject({ errorCode: 'DUPLICATE_VALUE' });
    const [dup] = await conn
      .sobject('PermissionSetAssignment')
      .create([{ AssigneeId: ana.Id, PermissionSetId: salesCloud }]);
    expect(dup).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });

    const group = prod.named('PermissionSetGroup', 'Support_Tier2')!;
    const grant = await conn
      .sobject('PermissionSetAssignment')
      .create({ AssigneeId: ana.Id, PermissionSetGroupId: group.Id });
    expect(grant.success).toBe(true);
    const row = prod.get('PermissionSetAssignment', grant.id!)!;
    expect(row.PermissionSetId).toBe(prod.aggregateSetOf(group.Id));

    const [bad] = await conn
      .sobject('PermissionSetAssignment')
      .create([{ AssigneeId: '005000000000000AAA', PermissionSetId: salesCloud }]);
    expect(bad!.errors[0]).toMatchObject({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' });

    const profileSet = prod.profileSetOf(String(ana.ProfileId))!;
    const [own] = await conn
      .sobject('PermissionSetAssignment')
      .create([{ AssigneeId: ana.Id, PermissionSetId: profileSet }]);
    expect(own!.errors[0]).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION' });
    const profileAssignment = prod.assignmentId(ana.Id, profileSet)!;
    const [del] = await conn.sobject('PermissionSetAssignment').destroy([profileAssignment, grant.id!]);
    expect(del).toMatchObject({ success: false });
    expect(prod.get('PermissionSetAssignment', grant.id!)).toBeUndefined();

    // A profile change moves the profile-owned assignment with it.
    await conn.sobject('User').update({ Id: ana.Id, ProfileId: profileId('Standard User') });
    expect(prod.assignmentId(ana.Id, profileSet)).toBeUndefined();
    expect(prod.assignmentId(ana.Id, prod.profileSetOf(profileId('Standard User'))!)).toBe(profileAssignment);
  });

  it('refuses a permission set whose license the user profile lacks', async () => {
    const conn = connect();
    const platform = prod.named('UserLicense', 'Salesforce Platform')!.Id;
    const created = await conn
      .sobject('PermissionSet')
      .create({ Name: 'Platform_Only', Label: 'Platform Only', LicenseId: platform });
    expect(created.success).toBe(true);
    const dana = prod.user('dana.boss@acme.test')!;
    const [res] = await conn
      .sobject('PermissionSetAssignment')
      .create([{ AssigneeId: dana.Id, PermissionSetId: created.id }]);
    expect(res!.errors[0]).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION' });
  });

  it('freezes through UserLogin', async () => {
    const conn = connect();
    const leaver = prod.user('sam.leaver@acme.test')!;
    const login = await conn.query<{ Id: string }>(
      `SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${leaver.Id}'`,
    );
    expect(login.records).toHaveLength(1);
    await conn.sobject('UserLogin').update({ Id: login.records[0]!.Id, IsFrozen: true });
    expect(prod.loginOf(leaver.Id)?.IsFrozen).toBe(true);
    await expect(conn.sobject('UserLogin').create({ UserId: leaver.Id })).rejects.toMatchObject({
      errorCode: 'INVALID_TYPE_FOR_OPERATION',
    });
  });

  it('reads, updates and deletes records one at a time', async () => {
    const conn = connect();
    const dana = prod.user('dana.boss@acme.test')!;
    const created = await conn.sobject('Account').create({ Name: 'Sandbox Co', OwnerId: dana.Id });
    const account = await conn.sobject('Account').retrieve(created.id!);
    expect(account).toMatchObject({ Name: 'Sandbox Co', OwnerId: dana.Id, attributes: { type: 'Account' } });
    await conn.sobject('Account').update({ Id: created.id!, Name: 'Renamed Co' });
    expect(prod.get('Account', created.id!)?.Name).toBe('Renamed Co');
    await conn.sobject('Account').destroy(created.id!);
    await expect(conn.sobject('Account').retrieve(created.id!)).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    const describe = await conn.sobject('User').describe();
    expect(describe.fields.map((f) => f.name)).toContain('FederationIdentifier');
  });
});

describe('limits and auth', () => {
  it('reports usage in Sforce-Limit-Info and /limits', async () => {
    const conn = connect();
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(prod.dailyApiLimit);
    expect(limits.DailyApiRequests?.Remaining).toBe(prod.dailyApiLimit - prod.apiUsed);
    expect(conn.limitInfo.apiUsage).toEqual({ used: prod.apiUsed, limit: prod.dailyApiLimit });
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED when the daily budget is spent', async () => {
    const conn = connect(emeaTenant, EMEA);
    const saved = emea.dailyApiLimit;
    emea.dailyApiLimit = emea.apiUsed + 1;
    try {
      await conn.query('SELECT Id FROM User LIMIT 1');
      await expect(conn.query('SELECT Id FROM User LIMIT 1')).rejects.toMatchObject({
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
      });
      expect(instrument.requests({ tenant: 'salesforce:emea' }).at(-1)?.status).toBe(403);
    } finally {
      emea.dailyApiLimit = saved;
    }
  });

  it('rejects an unknown session', async () => {
    const conn = new Connection({ instanceUrl: PROD, accessToken: 'nope', version: VERSION });
    await expect(conn.query('SELECT Id FROM User')).rejects.toMatchObject({
      errorCode: 'INVALID_SESSION_ID',
    });
  });

  it('issues tokens for the JWT bearer and client credentials flows', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(prodTenant.env.SF_PROD_CLIENT_ID!)
      .setSubject('sam.admin@acme.test')
      .setAudience('https://login.salesforce.com')
      .setExpirationTime('3m')
      .sign(privateKey);
    const conn = new Connection({ loginUrl: PROD, version: VERSION });
    const info = await conn.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    expect(info).toEqual({
      id: prod.user('sam.admin@acme.test')!.Id,
      organizationId: prod.orgId,
      url: expect.any(String),
    });
    expect(conn.instanceUrl).toBe(PROD);
    expect((await conn.query('SELECT COUNT() FROM Profile')).totalSize).toBe(7);

    const cc = new Connection({
      loginUrl: PROD,
      version: VERSION,
      oauth2: {
        clientId: prodTenant.env.SF_PROD_CLIENT_ID!,
        clientSecret: prodTenant.env.SF_PROD_CLIENT_SECRET!,
        loginUrl: PROD,
      },
    });
    const ccInfo = await cc.authorize({ grant_type: 'client_credentials' });
    expect(ccInfo.id).toBe(prod.user('integration@acme.test')!.Id);

    const wrong = new Connection({
      loginUrl: PROD,
      version: VERSION,
      oauth2: { clientId: 'x', clientSecret: 'y', loginUrl: PROD },
    });
    await expect(wrong.authorize({ grant_type: 'client_credentials' })).rejects.toMatchObject({
      name: 'invalid_client',
    });
  });
});

describe('bulk 2.0', () => {
  it('transfers ownership with loadAndWaitForResults', async () => {
    const conn = connect();
    const leaver = prod.user('sam.leaver@acme.test')!;
    const dana = prod.user('dana.boss@acme.test')!;
    const opps = prod.records('Opportunity').filter((o) => o.OwnerId === leaver.Id);
    expect(opps.length).toBeGreaterThan(0);
    const input = [
      ...opps.map((o) => ({ Id: o.Id, OwnerId: dana.Id })),
      { Id: opps[0]!.Id, OwnerId: '005000000000000AAA' },
    ];
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Opportunity',
      operation: 'update',
      input,
      pollInterval: 10,
    });
    expect(results.successfulResults).toHaveLength(opps.length);
    expect(results.failedResults).toHaveLength(1);
    expect(results.failedResults[0]!.sf__Error).toMatch(/^INVALID_CROSS_REFERENCE_KEY/);
    expect(results.unprocessedRecords).toHaveLength(0);
    for (const o of opps) expect(prod.get('Opportunity', o.Id)?.OwnerId).toBe(dana.Id);
  });
});
