import { afterEach, describe, expect, it } from '@jest/globals';
import { Chalk } from 'chalk';
import { setupServer } from 'msw/node';
import { createSandbox, type Sandbox } from '@accord/sandbox';
import { execute } from '../../src/apply/executor.js';
import type { Change } from '../../src/model/change.js';
import { emptyState } from '../../src/model/state.js';
import { planChunks } from '../../src/plan/plan-file.js';
import { createPlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import type { Policy } from '../../src/policy/policy.js';
import type { ContactSync } from '../../src/policy/types.js';
import type { Provider } from '../../src/providers/provider.js';
import { createProviders } from '../../src/providers/registry.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { demoPolicyWith } from './support/harness.js';

/**
 * UC-14 (partner contacts) and UC-15 (contact enrichment), end to end against the sandbox through
 * jsforce: the demo policy with a contact declaration of each row, planned (terminal, Markdown and
 * JSON), applied, re-planned to zero; CRM-side edits to fields no declaration owns survive; a
 * leaver's Contact is marked inactive, never deleted; call counts (one SOQL query each for
 * Contact and Account, one collection upsert per 200 Contacts and action) asserted.
 */

const CONTACTS = ['salesforce.prod.contact', 'salesforce.prod.account'];
const plain = new Chalk({ level: 0 });

const partners = (create: boolean): ContactSync => ({
  id: 'partners',
  org: 'prod',
  when: { attribute: { name: 'userType', equals: 'Partner' } },
  externalId: { field: 'Accord_Id__c', value: 'okta:{login}' },
  source: { field: 'Accord_Source__c', value: 'okta-partners' },
  account: {
    field: 'Website',
    value: '{emailDomain}',
    ...(create ? { create: { Name: '{department}', Type: 'Partner' } } : {}),
  },
  fields: {
    FirstName: '{firstName}',
    LastName: '{lastName}',
    Email: '{email}',
    Title: '{title}',
    Phone: '{phone}',
  },
  inactive: { field: 'Accord_Inactive__c', value: true },
});

const employees = (when: ContactSync['when']): ContactSync => ({
  id: 'employees',
  org: 'prod',
  when,
  externalId: { field: 'Accord_Id__c' },
  source: { field: 'Accord_Source__c', value: 'okta' },
  account: { field: 'Name', value: 'Acme Corp' },
  fields: {
    FirstName: '{firstName}',
    LastName: '{lastName}',
    Email: '{email}',
    Title: '{title}',
    Department: '{department}',
  },
  inactive: { field: 'Accord_Inactive__c', value: true },
});

const policyWith = (contacts: ContactSync[]): Promise<Policy> =>
  demoPolicyWith('contacts.json', { contacts });

interface Run {
  sandbox: Sandbox;
  policy: Policy;
  providers: Provider[];
  close: () => void;
}

let open: Run | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

async function start(contacts: ContactSync[], people: number): Promise<Run> {
  const sandbox = createSandbox({ people, seed: 7 });
  const server = setupServer(...sandbox.handlers);
  server.listen({ onUnhandledFrame: 'error' });
  const policy = await policyWith(contacts);
  const providers = createProviders({ platforms: policy.platforms, env: sandbox.env });
  open = { sandbox, policy, providers, close: () => server.close() };
  return open;
}

/** The contact part of a fresh plan, and the Salesforce prod requests it took. */
async function plan(run: Run): Promise<{ plan: Plan; queries: string[] }> {
  const from = run.sandbox.instrument.log.length;
  const snapshots = await snapshotAll(run.providers, snapshotScope(run.policy));
  const p = createPlan(run.policy, snapshots, emptyState(), { now: new Date(), targets: CONTACTS });
  const queries = run.sandbox.instrument.log
    .slice(from)
    .filter((r) => r.tenant === 'salesforce:prod' && r.route.endsWith('/query'))
    .map((r) => /FROM\s+(\w+)/.exec(decodeURIComponent(r.url.replace(/\+/g, ' ')))?.[1] ?? '?');
  return { plan: p, queries };
}

/** Applies the changes; returns the upserts, Account creates and queries it sent to prod. */
async function apply(run: Run, changes: Change[]) {
  const from = run.sandbox.instrument.log.length;
  const report = await execute(changes, new Map(run.providers.map((p) => [p.id, p])));
  const sent = run.sandbox.instrument.log.slice(from).filter((r) => r.tenant === 'salesforce:prod');
  return {
    failed: report.results.filter((r) => r.status !== 'applied'),
    upserts: sent.filter((r) => r.method === 'PATCH' && r.route.endsWith('/composite/sobjects/:type/:field'))
      .length,
    accountCreates: sent.filter((r) => r.method === 'POST' && r.route.endsWith('/composite/sobjects')).length,
    queries: sent.filter((r) => r.route.endsWith('/query')).length,
  };
}

const lines = (p: Plan) => p.changes.map((c) => `${c.action} ${c.address}`).sort();
const contactOf = (run: Run, email: string) =>
  run.sandbox.stores.salesforce.prod!.records('Contact').find((c) => c.Email === email);
const accountNamed = (run: Run, website: string) =>
  run.sandbox.stores.salesforce.prod!.records('Account').find((a) => a.Website === website);

interface Row {
  contacts: ContactSync[];
  people: number;
  /** Changes of the first plan (contacts and Accounts only). */
  planned: (run: Run) => string[];
  findings: string[];
  /** Calls of the first apply. */
  calls: { upserts: number; accountCreates: number };
  /** After the first apply. */
  then: (run: Run) => void;
  /** A person who leaves (deprovisioned in Okta) and whose Contact then becomes inactive. */
  leaver: string;
}

const HAND_MADE = 'lee.admin@acme.test';

const CSM = {
  all: [{ oktaGroup: 'Support' }, { attribute: { name: 'title', equals: 'Customer Success Manager' } }],
};

const rows: [string, Row][] = [
  [
    'UC-14 partner contacts: under the Account found by website; a missing Account is created',
    {
      contacts: [partners(true)],
      people: 40,
      planned: () => [
        'create salesforce.prod.account["Website=hooli.test"]',
        'create salesforce.prod.contact["hana.hooli@hooli.test"]',
        'create salesforce.prod.contact["pat.partner@initech.test"]',
        'deactivate salesforce.prod.contact["lou.former@initech.test"]',
        'update salesforce.prod.contact["ravi.reseller@initech.test"]',
      ],
      findings: [],
      // Pat's create, Ravi's update and Lou's deactivation go in one round; Hana's create waits for Hooli.
      calls: { upserts: 4, accountCreates: 1 },
      then: (run) => {
        const hooli = accountNamed(run, 'hooli.test');
        expect(hooli).toMatchObject({ Name: 'Hooli', Type: 'Partner' });
        expect(contactOf(run, 'hana.hooli@hooli.test')).toMatchObject({
          AccountId: hooli!.Id,
          Accord_Inactive__c: false,
        });
        const initech = accountNamed(run, 'initech.test')!;
        expect(contactOf(run, 'pat.partner@initech.test')).toMatchObject({
          AccountId: initech.Id,
          Accord_Id__c: 'okta:pat.partner@initech.test',
          Accord_Source__c: 'okta-partners',
          Title: 'Alliance Manager',
        });
        // Owned Title follows Okta; the Description a salesperson wrote is nobody's and survives.
        expect(contactOf(run, 'ravi.reseller@initech.test')).toMatchObject({
          Title: 'Channel Manager',
          Description: 'Key reseller: met at Dreamforce',
        });
        // Lou left Initech: marked inactive, not deleted.
        expect(contactOf(run, 'lou.former@initech.test')).toMatchObject({ Accord_Inactive__c: true });
      },
      leaver: 'pat.partner@initech.test',
    },
  ],
  [
    'UC-14 partner contacts: a missing Account the policy may not create is a blocking finding',
    {
      contacts: [partners(false)],
      people: 40,
      planned: () => [
        'create salesforce.prod.contact["pat.partner@initech.test"]',
        'deactivate salesforce.prod.contact["lou.former@initech.test"]',
        'update salesforce.prod.contact["ravi.reseller@initech.test"]',
      ],
      findings: [
        'block missing-account: no Account in prod has Website = hooli.test, and contacts "partners" does not create Accounts: the Contacts of hana.hooli@hooli.test are not planned; create the Account or declare account.create',
      ],
      calls: { upserts: 3, accountCreates: 0 },
      then: (run) => {
        expect(accountNamed(run, 'hooli.test')).toBeUndefined();
        expect(contactOf(run, 'hana.hooli@hooli.test')).toBeUndefined();
      },
      leaver: 'ravi.reseller@initech.test',
    },
  ],
  [
    'UC-15 contact enrichment: Customer Success Managers under the declared Account, tagged from Okta',
    {
      contacts: [employees(CSM)],
      people: 120,
      planned: (run) => csms(run).map((login) => `create salesforce.prod.contact["${login}"]`),
      findings: [],
      calls: { upserts: 1, accountCreates: 0 },
      then: (run) => {
        const acme = run.sandbox.stores.salesforce
          .prod!.records('Account')
          .find((a) => a.Name === 'Acme Corp')!;
        for (const login of csms(run)) {
          const user = run.sandbox.stores.okta.findUserByLogin(login)!;
          expect(contactOf(run, user.profile.email)).toMatchObject({
            AccountId: acme.Id,
            Accord_Id__c: `okta:${user.id}`,
            Accord_Source__c: 'okta',
            Title: 'Customer Success Manager',
          });
        }
      },
      leaver: 'csm',
    },
  ],
  [
    'UC-15 contact enrichment: every employee, upserted 200 at a time',
    {
      // Lee already has a Contact someone made by hand (the one the demo's UC-16 Access Request
      // Case is under), which no sync keys: creating another would be a duplicate, so not Lee.
      contacts: [
        employees({
          all: [
            { attribute: { name: 'userType', equals: 'Employee' } },
            { not: { attribute: { name: 'login', equals: HAND_MADE } } },
          ],
        }),
      ],
      people: 300,
      planned: (run) => employeesOf(run).map((login) => `create salesforce.prod.contact["${login}"]`),
      findings: [],
      calls: { upserts: -1, accountCreates: 0 },
      then: () => undefined,
      leaver: 'csm',
    },
  ],
];

/** Active Okta people in Support with the CSM title, by login. */
function csms(run: Run): string[] {
  return run.sandbox.stores.okta
    .users()
    .filter((u) => u.status === 'ACTIVE' && u.profile.title === 'Customer Success Manager')
    .filter((u) => {
      const support = run.sandbox.stores.okta.findGroupByName('Support')!;
      return run.sandbox.stores.okta.isMember(support.id, u.id);
    })
    .map((u) => u.profile.login)
    .sort();
}

/** Active employees of both directories (OneLogin's Globex people too), by login. */
function employeesOf(run: Run): string[] {
  const okta = run.sandbox.stores.okta
    .users()
    .filter((u) => u.status === 'ACTIVE' && u.profile.userType === 'Employee')
    .map((u) => u.profile.login)
    .filter((login) => login !== HAND_MADE);
  return okta.sort();
}

describe('UC-14 partner contacts and UC-15 contact enrichment (sandbox, jsforce)', () => {
  it.each(rows)(
    '%s',
    async (_name, row) => {
      const run = await start(row.contacts, row.people);

      // Plan: one query for accord's Contacts, one for the Accounts.
      const first = await plan(run);
      expect(first.queries.filter((q) => q === 'Contact' || q === 'Account').sort()).toEqual([
        'Account',
        'Contact',
      ]);
      const wanted = row.planned(run);
      if (row.calls.upserts >= 0) expect(lines(first.plan)).toEqual([...wanted].sort());
      else expect(lines(first.plan)).toEqual(expect.arrayContaining(wanted.slice(0, 10)));
      expect(
        first.plan.findings
          .filter((f) => f.code === 'missing-account')
          .map((f) => `${f.severity} ${f.code}: ${f.message}`),
      ).toEqual(row.findings);

      // Terminal, Markdown and JSON all show the contact changes.
      const text = renderPlanText(first.plan, plain);
      const markdown = renderPlanMarkdown(first.plan).join('\n');
      const json = JSON.parse([...planChunks(first.plan)].join('')) as Plan;
      for (const c of first.plan.changes.slice(0, 20)) {
        expect(text).toContain(`${c.address} ${c.action}`);
        expect(markdown).toContain(c.address);
        expect(json.changes.map((x) => x.address)).toContain(c.address);
      }

      // Apply through jsforce: collection upserts by external id, the largest batches.
      const applied = await apply(run, first.plan.changes);
      expect(applied.failed).toEqual([]);
      const creates = first.plan.changes.filter((c) => c.kind === 'contact').length;
      if (row.calls.upserts < 0) expect(creates).toBeGreaterThan(200);
      expect({ upserts: applied.upserts, accountCreates: applied.accountCreates }).toEqual({
        upserts: row.calls.upserts >= 0 ? row.calls.upserts : Math.ceil(creates / 200),
        accountCreates: row.calls.accountCreates,
      });
      // Account ids come from the snapshot and from the creates: no lookup query.
      expect(applied.queries).toBe(0);
      row.then(run);

      // Re-planned to zero.
      expect(lines((await plan(run)).plan)).toEqual([]);

      // A CRM-side edit to a field no declaration owns survives the next plan.
      const prod = run.sandbox.stores.salesforce.prod!;
      const someone = prod
        .records('Contact')
        .find((c) => typeof c.Accord_Id__c === 'string' && c.Accord_Inactive__c === false)!;
      prod.write('Contact', someone.Id, { ...someone, Description: 'Prefers email' });
      expect(lines((await plan(run)).plan)).toEqual([]);
      expect(prod.get('Contact', someone.Id)).toMatchObject({ Description: 'Prefers email' });

      // A leaver: deprovisioned in Okta, their Contact becomes inactive, and stays.
      const login = row.leaver === 'csm' ? csms(run)[0]! : row.leaver;
      const user = run.sandbox.stores.okta.findUserByLogin(login)!;
      run.sandbox.stores.okta.setStatus(user.id, 'DEPROVISIONED');
      const after = await plan(run);
      expect(lines(after.plan)).toEqual([`deactivate salesforce.prod.contact["${login}"]`]);
      expect(after.plan.changes[0]!.after).toEqual({ Accord_Inactive__c: true });
      const gone = await apply(run, after.plan.changes);
      expect({ failed: gone.failed, upserts: gone.upserts }).toEqual({ failed: [], upserts: 1 });
      expect(contactOf(run, user.profile.email)).toMatchObject({ Accord_Inactive__c: true });
      expect(lines((await plan(run)).plan)).toEqual([]);

      // They come back: the same Contact is activated again.
      run.sandbox.stores.okta.setStatus(user.id, 'ACTIVE');
      const back = await plan(run);
      expect(lines(back.plan)).toEqual([`activate salesforce.prod.contact["${login}"]`]);
      expect((await apply(run, back.plan.changes)).failed).toEqual([]);
      expect(contactOf(run, user.profile.email)).toMatchObject({ Accord_Inactive__c: false });
      expect(lines((await plan(run)).plan)).toEqual([]);
    },
    60_000,
  );

  it('UC-15 contact enrichment: the duplicate rule refuses a Contact whose email the CRM has, on that change only', async () => {
    const run = await start([employees(CSM)], 120);
    const [first, second] = csms(run);
    const email = (login: string) => run.sandbox.stores.okta.findUserByLogin(login)!.profile.email;
    // A salesperson typed this person in by hand, without accord's key.
    const prod = run.sandbox.stores.salesforce.prod!;
    const id = prod.nextId('Contact');
    prod.write('Contact', id, {
      ...prod.records('Contact')[0]!,
      Id: id,
      Email: email(first!),
      LastName: 'Typed-in',
      Accord_Id__c: null,
      Accord_Source__c: null,
    });
    const { plan: p } = await plan(run);
    const applied = await apply(run, p.changes);
    const mine = p.changes.find((c) => c.address === `salesforce.prod.contact["${first!}"]`)!;
    expect(applied.failed.map((r) => [r.changeId, r.status, r.message])).toEqual([
      [mine.id, 'failed', expect.stringContaining('DUPLICATES_DETECTED')],
    ]);
    expect(contactOf(run, email(second!))).toMatchObject({ Accord_Source__c: 'okta' });
  }, 60_000);
  it('UC-14 partner contacts: a Contact deleted in the CRM after the plan is not made again by its deactivation', async () => {
    const run = await start([partners(true)], 40);
    const { plan: p } = await plan(run);
    const lou = contactOf(run, 'lou.former@initech.test')!;
    run.sandbox.stores.salesforce.prod!.write('Contact', lou.Id, undefined);
    const applied = await apply(run, p.changes);
    const deactivation = p.changes.find((c) => c.action === 'deactivate')!;
    // The upsert finds no Contact with Lou's key and would insert one: LastName is required.
    expect(applied.failed.map((r) => [r.changeId, r.message])).toEqual([
      [deactivation.id, expect.stringContaining('REQUIRED_FIELD_MISSING')],
    ]);
    expect(contactOf(run, 'lou.former@initech.test')).toBeUndefined();
  }, 60_000);
  it('UC-14 partner contacts: two Accounts with the partner domain are a blocking finding, not a guess', async () => {
    const run = await start([partners(true)], 40);
    const prod = run.sandbox.stores.salesforce.prod!;
    const initech = prod.records('Account').find((a) => a.Website === 'initech.test')!;
    const id = prod.nextId('Account');
    prod.write('Account', id, { ...initech, Id: id, Name: 'Initech (old)', Website: 'INITECH.test' });
    const { plan: p } = await plan(run);
    expect(lines(p)).toEqual([
      'create salesforce.prod.account["Website=hooli.test"]',
      'create salesforce.prod.contact["hana.hooli@hooli.test"]',
      'deactivate salesforce.prod.contact["lou.former@initech.test"]',
    ]);
    expect(p.findings.filter((f) => f.code === 'missing-account').map((f) => f.message)).toEqual([
      'several Accounts in prod have Website = initech.test: the Contacts of pat.partner@initech.test, ravi.reseller@initech.test are not planned; make the value unique or look Accounts up by another field',
    ]);
  }, 60_000);
});
