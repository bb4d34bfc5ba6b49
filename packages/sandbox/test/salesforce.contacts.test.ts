import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import { salesforceTenant, seedSalesforce } from '../src/salesforce/index.js';

/**
 * Accounts and Contacts as UC-14 and UC-15 need them, through plain fetch from the documented
 * protocol: upsert by External ID on sObject Collections, required fields, the unique External
 * ID, and the Contact duplicate rule on Email (choices in src/salesforce/README.md).
 */

const BASE = 'https://acme-prod.my.salesforce.test';
const prod = seedSalesforce(generateCompany({ people: 40, seed: 7 })).prod!;
const tenant = salesforceTenant(prod, BASE, new Instrument(3));
const server = setupServer(...tenant.handlers);
const token = tenant.env.SF_PROD_ACCESS_TOKEN!;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${BASE}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const contact = (over: Record<string, unknown>) => ({ attributes: { type: 'Contact' }, ...over });
const upsert = (records: unknown[], field = 'Accord_Id__c', allOrNone = false) =>
  call('PATCH', `/composite/sobjects/Contact/${field}`, { allOrNone, records });

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('Salesforce emulator: Accounts and Contacts (UC-14, UC-15)', () => {
  it('seeds the demo CRM: Acme and Initech, and the partner Contacts accord keeps', async () => {
    const q = await call(
      'GET',
      `/query?q=${encodeURIComponent('SELECT Id, Email, Account.Name, Accord_Inactive__c FROM Contact WHERE Accord_Id__c != null')}`,
    );
    const records = (q.body as { records: Record<string, unknown>[] }).records;
    expect(records.map((r) => [r.Email, (r.Account as { Name: string }).Name, r.Accord_Inactive__c])).toEqual(
      [
        ['ravi.reseller@initech.test', 'Initech', false],
        ['lou.former@initech.test', 'Initech', false],
      ],
    );
  });

  it("seeds the open access Cases: Ravi's under Initech, and Lee's (the demo's UC-16 temporary access) under Acme Corp", async () => {
    const soql =
      "SELECT Subject, Type, IsClosed, Contact.Email, Account.Name FROM Case WHERE Type = 'Access Request'";
    const q = await call('GET', `/query?q=${encodeURIComponent(soql)}`);
    const records = (q.body as { records: Record<string, unknown>[] }).records;
    expect(
      records.map((r) => [
        r.Subject,
        r.IsClosed,
        (r.Contact as { Email: string }).Email,
        (r.Account as { Name: string }).Name,
      ]),
    ).toEqual([
      ['Temporary access: Partner Portal for Ravi Reseller', false, 'ravi.reseller@initech.test', 'Initech'],
      ['Temporary access: production support for Lee Admin', false, 'lee.admin@acme.test', 'Acme Corp'],
    ]);
  });

  it('upserts by External ID: inserts, updates, and says which (UpsertResult.created)', async () => {
    const first = await upsert([
      contact({ Accord_Id__c: 'okta:new-1', LastName: 'One', Email: 'one@example.test' }),
      contact({ Accord_Id__c: 'okta:ravi.reseller@initech.test', Title: 'Channel Manager' }),
    ]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual([
      { id: expect.stringMatching(/^003/), success: true, errors: [], created: true },
      { id: expect.stringMatching(/^003/), success: true, errors: [], created: false },
    ]);
    // The key is compared without case; a second upsert updates the same row.
    const again = await upsert([contact({ Accord_Id__c: 'OKTA:NEW-1', Title: 'T' })]);
    expect(again.body).toEqual([
      { id: (first.body as { id: string }[])[0]!.id, success: true, errors: [], created: false },
    ]);
    expect(
      prod.records('Contact').filter((c) => String(c.Accord_Id__c).toLowerCase() === 'okta:new-1'),
    ).toHaveLength(1);
  });

  it('refuses what Salesforce refuses, record by record', async () => {
    const r = await upsert([
      contact({ Accord_Id__c: 'okta:no-last-name', Email: 'nl@example.test' }),
      contact({ Accord_Id__c: 'okta:dup-email', LastName: 'Dup', Email: 'RAVI.RESELLER@initech.test' }),
      contact({ LastName: 'No key' }),
    ]);
    expect(r.status).toBe(200);
    expect(
      (r.body as { errors: { statusCode: string; fields: string[] }[] }[]).map((x) => x.errors[0]),
    ).toEqual([
      {
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [LastName]',
        fields: ['LastName'],
      },
      { statusCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?', fields: [] },
      { statusCode: 'MISSING_ARGUMENT', message: 'Accord_Id__c not specified', fields: ['Accord_Id__c'] },
    ]);
    // An Account needs its Name, and a field that is no External ID cannot key an upsert.
    const account = await call('POST', '/composite/sobjects', {
      allOrNone: false,
      records: [{ attributes: { type: 'Account' }, Website: 'nameless.test' }],
    });
    expect((account.body as { errors: { statusCode: string }[] }[])[0]!.errors[0]!.statusCode).toBe(
      'REQUIRED_FIELD_MISSING',
    );
    const byEmail = await upsert([contact({ Email: 'x@example.test', LastName: 'X' })], 'Email');
    expect(byEmail.status).toBe(400);
    expect((byEmail.body as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
  });

  it('keeps External IDs unique and, with allOrNone, rolls the whole call back', async () => {
    const before = prod.records('Contact').length;
    const r = await upsert(
      [
        contact({ Accord_Id__c: 'okta:rollback-1', LastName: 'Fine' }),
        contact({ Accord_Id__c: 'okta:rollback-2' }),
      ],
      'Accord_Id__c',
      true,
    );
    expect((r.body as { success: boolean; created: boolean }[]).map((x) => [x.success, x.created])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect(prod.records('Contact')).toHaveLength(before);
    const ravi = prod.records('Contact').find((c) => c.Email === 'ravi.reseller@initech.test')!;
    const taken = await call('PATCH', '/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Contact' }, Id: ravi.Id, Accord_Id__c: 'okta:lou.former@initech.test' },
      ],
    });
    expect((taken.body as { errors: { statusCode: string }[] }[])[0]!.errors[0]!.statusCode).toBe(
      'DUPLICATE_VALUE',
    );
  });
});
