import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import { salesforceTenant, seedSalesforce } from '../src/salesforce/index.js';

/**
 * An independent REST client written from the documented protocol only (global fetch, follow
 * nextRecordsUrl until done), so the emulator is not tested only through jsforce's code paths.
 */

const BASE = 'https://acme-prod.my.salesforce.test';
const stores = seedSalesforce(generateCompany({ people: 1500, seed: 7 }));
const prod = stores.prod!;
const instrument = new Instrument(3);
const tenant = salesforceTenant(prod, BASE, instrument);
const server = setupServer(...tenant.handlers);
const token = tenant.env.SF_PROD_ACCESS_TOKEN!;

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${BASE}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  return { response, body: text ? (JSON.parse(text) as unknown) : undefined };
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: { attributes: { type: string; url: string }; [k: string]: unknown }[];
}

async function queryAll(
  soql: string,
  batchSize?: number,
): Promise<{ pages: QueryPage[]; records: QueryPage['records'] }> {
  const headers: Record<string, string> = batchSize
    ? { 'Sforce-Query-Options': `batchSize=${batchSize}` }
    : {};
  let { response, body } = await call(`/services/data/v61.0/query?q=${encodeURIComponent(soql)}`, {
    headers,
  });
  const pages: QueryPage[] = [];
  for (;;) {
    expect(response.status).toBe(200);
    const page = body as QueryPage;
    pages.push(page);
    if (page.done) break;
    ({ response, body } = await call(page.nextRecordsUrl!));
  }
  return { pages, records: pages.flatMap((p) => p.records) };
}

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  instrument.reset();
  instrument.clearFaults();
});

describe('Salesforce REST with a plain fetch client', () => {
  it('follows nextRecordsUrl until done, with the documented shapes', async () => {
    const { pages, records } = await queryAll(
      'SELECT Id, Username, Profile.Name, IsActive FROM User ORDER BY Username',
      200,
    );
    const total = prod.table('User').size;
    expect(pages.length).toBe(Math.ceil(total / 200));
    expect(pages.every((p) => p.totalSize === total)).toBe(true);
    expect(
      pages
        .slice(0, -1)
        .every(
          (p) =>
            p.records.length === 200 &&
            /^\/services\/data\/v61\.0\/query\/01g\w{15}-\d+$/.test(p.nextRecordsUrl!),
        ),
    ).toBe(true);
    expect(pages.at(-1)).not.toHaveProperty('nextRecordsUrl');
    expect(records).toHaveLength(total);
    const usernames = records.map((r) => r.Username as string);
    expect([...usernames].sort()).toEqual(usernames);
    expect(records[0]).toMatchObject({
      attributes: {
        type: 'User',
        url: expect.stringMatching(/^\/services\/data\/v61\.0\/sobjects\/User\/005\w{15}$/),
      },
      Profile: { attributes: { type: 'Profile' }, Name: expect.any(String) },
    });
  });

  it('clamps batchSize to the 200..2000 range and refuses a stale locator', async () => {
    const { pages } = await queryAll('SELECT Id FROM PermissionSetAssignment', 50);
    expect(pages[0]!.records).toHaveLength(200);
    const { response, body } = await call('/services/data/v61.0/query/01gXX0000000001AAA-200');
    expect(response.status).toBe(400);
    expect(body).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });

  it('sends Sforce-Limit-Info on every response, errors included', async () => {
    const before = prod.apiUsed;
    const ok = await call('/services/data/v62.0/limits');
    expect(ok.response.headers.get('sforce-limit-info')).toBe(
      `api-usage=${before + 1}/${prod.dailyApiLimit}`,
    );
    expect(ok.body).toMatchObject({
      DailyApiRequests: { Max: prod.dailyApiLimit, Remaining: prod.dailyApiLimit - before - 1 },
    });
    const bad = await call('/services/data/v62.0/query?q=SELECT+Id+FROM+Nothing');
    expect(bad.response.status).toBe(400);
    expect(bad.response.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/\d+$/);
    expect((bad.body as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_TYPE');
    const unauth = await fetch(`${BASE}/services/data/v62.0/limits`);
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });

  it('answers collections with HTTP 200 and SaveResults in order, and 400 over 200 records', async () => {
    const dana = prod.user('dana.boss@acme.test')!;
    const records = [
      { attributes: { type: 'Lead' }, LastName: 'Fetch', Company: 'Fetch Co', OwnerId: dana.Id },
      { attributes: { type: 'Lead' }, LastName: 'Fetch2', Company: 'Fetch Co', OwnerId: '00Q000000000000' },
    ];
    const { response, body } = await call('/services/data/v62.0/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({ allOrNone: false, records }),
    });
    expect(response.status).toBe(200);
    const [ok, failed] = body as { id?: string; success: boolean; errors: unknown[] }[];
    expect(ok).toEqual({ id: expect.stringMatching(/^00Q\w{15}$/), success: true, errors: [] });
    expect(failed).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'INVALID_CROSS_REFERENCE_KEY',
          message: 'invalid cross reference id',
          fields: ['OwnerId'],
        },
      ],
    });
    const tooMany = await call('/services/data/v62.0/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({ records: Array.from({ length: 201 }, () => records[0]) }),
    });
    expect(tooMany.response.status).toBe(400);
    expect((tooMany.body as { errorCode: string }[])[0]!.errorCode).toBe('EXCEEDED_ID_LIMIT');
    const del = await call(
      `/services/data/v62.0/composite/sobjects?ids=${ok!.id},${dana.Id}&allOrNone=true`,
      { method: 'DELETE' },
    );
    expect(del.body).toEqual([
      {
        id: ok!.id,
        success: false,
        errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })],
      },
      {
        id: dana.Id,
        success: false,
        errors: [expect.objectContaining({ statusCode: 'INVALID_TYPE_FOR_OPERATION' })],
      },
    ]);
    expect(prod.get('Lead', ok!.id!)).toBeDefined();
  });

  it('refuses DELETE of a User with 405 and serves any API version', async () => {
    const dana = prod.user('dana.boss@acme.test')!;
    const del = await call(`/services/data/v58.0/sobjects/User/${dana.Id}`, { method: 'DELETE' });
    expect(del.response.status).toBe(405);
    expect((del.body as { errorCode: string }[])[0]!.errorCode).toBe('METHOD_NOT_ALLOWED');
    const get = await call(
      `/services/data/v45.0/sobjects/User/${dana.Id.slice(0, 15)}?fields=Username,IsActive`,
    );
    expect(get.body).toEqual({
      attributes: { type: 'User', url: `/services/data/v45.0/sobjects/User/${dana.Id}` },
      Username: 'dana.boss@acme.test',
      IsActive: true,
    });
  });

  it('gives injected faults the Salesforce shapes: 403 for rate limits, 500 UNKNOWN_EXCEPTION', async () => {
    instrument.setFaults('salesforce:*', { burstEvery: 1, burstLength: 1 });
    const limited = await call('/services/data/v62.0/limits');
    expect(limited.response.status).toBe(403);
    expect(limited.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(limited.response.headers.get('sforce-limit-info')).toMatch(/^api-usage=/);
    instrument.setFaults('salesforce:*', { serverErrorRate: 1 });
    const failed = await call('/services/data/v62.0/limits');
    expect(failed.response.status).toBe(500);
    expect((failed.body as { errorCode: string }[])[0]!.errorCode).toBe('UNKNOWN_EXCEPTION');
    expect(instrument.count({ tenant: 'salesforce:prod', includeFaults: false })).toBe(0);
  });

  it('issues a token for a JWT bearer assertion posted as a form', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const assertion = `${part({ alg: 'RS256' })}.${part({
      iss: tenant.env.SF_PROD_CLIENT_ID,
      sub: 'dana.boss@acme.test',
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 180,
    })}.c2ln`;
    const response = await fetch(`${BASE}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, string>;
    expect(body).toMatchObject({
      scope: 'api id',
      instance_url: BASE,
      token_type: 'Bearer',
      id: `${BASE}/id/${prod.orgId}/${prod.user('dana.boss@acme.test')!.Id}`,
    });
    expect(body.id).toMatch(/\/id\/00D\w{15}\/005\w{15}$/);
    const limits = await fetch(`${BASE}/services/data/v62.0/limits`, {
      headers: { Authorization: `Bearer ${body.access_token}` },
    });
    expect(limits.status).toBe(200);
    const bad = await fetch(`${BASE}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: 'not-a-jwt',
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
  });
});
