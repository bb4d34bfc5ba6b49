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
import type { ManagedGroup } from '../../src/policy/types.js';
import type { Provider } from '../../src/providers/provider.js';
import { createProviders } from '../../src/providers/registry.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { demoPolicyWith } from './support/harness.js';

/**
 * UC-16 Salesforce as a source, end to end against the sandbox through jsforce and the Okta SDK:
 * a Salesforce user field (Territory__c) and an open Access Request Case drive Okta group
 * membership. Each row plans (terminal, Markdown and JSON), applies, re-plans to zero, then moves
 * the Salesforce fact (a territory changes, the Case closes) and sees the membership follow, and
 * re-plans to zero again. Calls: the field rides on the one User query per org; open Cases are one
 * query in the org a condition names, none elsewhere.
 */

const plain = new Chalk({ level: 0 });
const CASE_GROUP = 'Production Support Temporary Access';

const territoryGroup: ManagedGroup = {
  platform: 'okta',
  name: 'EMEA Territory',
  description: 'Sellers whose Salesforce territory is EMEA (UC-16).',
  rule: { salesforceField: { org: 'prod', name: 'Territory__c', equals: 'EMEA' } },
};

const policyWith = (groups: ManagedGroup[]): Promise<Policy> => demoPolicyWith('uc16.json', { groups });

interface Run {
  sandbox: Sandbox;
  policy: Policy;
  providers: Provider[];
  targets: string[];
  close: () => void;
}

let open: Run | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

async function start(groups: ManagedGroup[], targets: string[]): Promise<Run> {
  const sandbox = createSandbox({ people: 60, seed: 7 });
  const server = setupServer(...sandbox.handlers);
  server.listen({ onUnhandledFrame: 'error' });
  const policy = await policyWith(groups);
  const providers = createProviders({ platforms: policy.platforms, env: sandbox.env });
  open = { sandbox, policy, providers, targets, close: () => server.close() };
  return open;
}

/** SOQL queries a read sent, as `org FROM-object`, with the User query's text by org. */
async function plan(run: Run): Promise<{ plan: Plan; queries: string[]; userQueries: string[] }> {
  const from = run.sandbox.instrument.log.length;
  const snapshots = await snapshotAll(run.providers, snapshotScope(run.policy));
  const p = createPlan(run.policy, snapshots, emptyState(), { now: new Date(), targets: run.targets });
  const sent = run.sandbox.instrument.log
    .slice(from)
    .filter((r) => r.tenant.startsWith('salesforce:') && r.route.endsWith('/query'))
    .map((r) => ({
      org: r.tenant.slice('salesforce:'.length),
      soql: decodeURIComponent(r.url.replace(/\+/g, ' ')),
    }));
  return {
    plan: p,
    queries: sent.map((q) => `${q.org} ${/FROM\s+(\w+)/.exec(q.soql)?.[1] ?? '?'}`),
    userQueries: sent
      .filter((q) => /FROM User(?:$|\s)/.test(q.soql) && !q.soql.includes('COUNT()'))
      .map((q) => q.soql),
  };
}

async function apply(run: Run, changes: Change[]) {
  const report = await execute(changes, new Map(run.providers.map((p) => [p.id, p])));
  return report.results.filter((r) => r.status !== 'applied');
}

const lines = (p: Plan) => p.changes.map((c) => `${c.action} ${c.address}`).sort();
const prod = (run: Run) => run.sandbox.stores.salesforce.prod!;
const member = (group: string, login: string) => `okta.group["${group}"].member["${login}"]`;
const oktaMembers = (run: Run, group: string) => {
  const okta = run.sandbox.stores.okta;
  const g = okta.findGroupByName(group);
  return g
    ? okta
        .users()
        .filter((u) => okta.isMember(g.id, u.id))
        .map((u) => u.profile.login)
        .sort()
    : [];
};

/** Sets a field of a prod user, by username, as a Salesforce admin would. */
function setUserField(run: Run, username: string, field: string, value: string | null) {
  const user = prod(run).user(username)!;
  prod(run).write('User', user.Id as string, { ...user, [field]: value });
}

/** Closes (or reopens) the open Access Request Case naming `email`. */
function setCaseStatus(run: Run, email: string, status: string) {
  const contact = prod(run)
    .records('Contact')
    .find((c) => c.Email === email)!;
  const k = prod(run)
    .records('Case')
    .find((c) => c.ContactId === contact.Id && c.Type === 'Access Request')!;
  prod(run).write('Case', k.Id as string, { ...k, Status: status, IsClosed: status === 'Closed' });
}

interface Row {
  groups: ManagedGroup[];
  group: string;
  /** Before the first plan: the Salesforce facts. */
  given: (run: Run) => void;
  /** Changes of the first plan. */
  planned: string[];
  /** Moves the fact; the plan after it. */
  move: (run: Run) => void;
  moved: string[];
  /** Okta members after each apply. */
  members: [first: string[], after: string[]];
}

const ANA = 'ana.lopez@acme.test';
const LEE = 'lee.admin@acme.test';
const SAM = 'sam.admin@acme.test';

const rows: [string, Row][] = [
  [
    'UC-16 field-driven group: a Salesforce territory gives an Okta group; a new territory takes it away',
    {
      groups: [territoryGroup],
      group: 'EMEA Territory',
      given: (run) => {
        setUserField(run, ANA, 'Territory__c', 'EMEA');
        // Compared ignoring case, as attribute tests are.
        setUserField(run, SAM, 'Territory__c', 'emea');
        setUserField(run, 'dana.boss@acme.test', 'Territory__c', 'AMER');
      },
      planned: [
        'create okta.group["EMEA Territory"]',
        `grant ${member('EMEA Territory', ANA)}`,
        `grant ${member('EMEA Territory', SAM)}`,
      ],
      move: (run) => setUserField(run, ANA, 'Territory__c', 'AMER'),
      moved: [`revoke ${member('EMEA Territory', ANA)}`],
      members: [[ANA, SAM], [SAM]],
    },
  ],
  [
    'UC-16 Case-driven group (the demo): an open Access Request Case gives temporary access; closing it revokes it',
    {
      groups: [],
      group: CASE_GROUP,
      given: () => undefined,
      // Ravi's Case is open too, but Ravi is a partner, outside the identity scope: nothing for him.
      planned: [`create okta.group["${CASE_GROUP}"]`, `grant ${member(CASE_GROUP, LEE)}`],
      move: (run) => setCaseStatus(run, LEE, 'Closed'),
      moved: [`revoke ${member(CASE_GROUP, LEE)}`],
      members: [[LEE], []],
    },
  ],
  [
    'UC-16 Case-driven group with a subject: only Cases whose Subject matches count',
    {
      groups: [
        {
          platform: 'okta',
          name: 'Portal Requests',
          rule: {
            any: [
              { salesforceCase: { org: 'prod', type: 'Access Request', subject: '*partner portal*' } },
              { salesforceCase: { org: 'prod', type: 'Access Request', subject: '*production*' } },
            ],
          },
        },
      ],
      group: 'Portal Requests',
      given: () => undefined,
      planned: ['create okta.group["Portal Requests"]', `grant ${member('Portal Requests', LEE)}`],
      // A Case reopened under another status is open all the same.
      move: (run) => setCaseStatus(run, LEE, 'Escalated'),
      moved: [],
      members: [[LEE], [LEE]],
    },
  ],
];

describe('UC-16 Salesforce as a source (sandbox, jsforce, Okta SDK)', () => {
  it.each(rows)(
    '%s',
    async (_name, row) => {
      const run = await start(row.groups, [`okta.group["${row.group}"]`]);
      row.given(run);

      const first = await plan(run);
      expect(lines(first.plan)).toEqual([...row.planned].sort());
      // One query for open Cases, in prod only (the org the demo's Case condition names); the
      // territory rides on the one User query of each org.
      expect(first.queries.filter((q) => q.endsWith(' Case')).sort()).toEqual(['prod Case']);
      expect(first.userQueries).toHaveLength(2);
      const field = row.groups.some((g) => JSON.stringify(g.rule).includes('Territory__c'));
      for (const soql of first.userQueries) expect(soql.includes('Territory__c')).toBe(field);

      // Terminal, Markdown and JSON all show the changes.
      const text = renderPlanText(first.plan, plain);
      const markdown = renderPlanMarkdown(first.plan).join('\n');
      const json = JSON.parse([...planChunks(first.plan)].join('')) as Plan;
      for (const c of first.plan.changes) {
        expect(text).toContain(`${c.address} ${c.action}`);
        expect(markdown).toContain(c.address);
        expect(json.changes.map((x) => x.address)).toContain(c.address);
      }

      expect(await apply(run, first.plan.changes)).toEqual([]);
      expect(oktaMembers(run, row.group)).toEqual(row.members[0]);
      expect(lines((await plan(run)).plan)).toEqual([]);

      // The Salesforce fact moves: the membership follows at the next plan.
      row.move(run);
      const moved = await plan(run);
      expect(lines(moved.plan)).toEqual(row.moved);
      expect(await apply(run, moved.plan.changes)).toEqual([]);
      expect(oktaMembers(run, row.group)).toEqual(row.members[1]);
      expect(lines((await plan(run)).plan)).toEqual([]);
    },
    60_000,
  );

  it('UC-16 reads Cases only where a condition names them, and only the fields conditions name', async () => {
    const policy = await policyWith([territoryGroup]);
    const scope = snapshotScope(policy);
    expect(scope.salesforceCases).toEqual({ prod: ['Access Request'] });
    expect(scope.salesforceFields).toContain('Territory__c');
    const withoutCases = snapshotScope({
      ...policy,
      groups: policy.groups.filter((g) => !JSON.stringify(g.rule ?? {}).includes('salesforceCase')),
    });
    expect(withoutCases.salesforceCases).toBeUndefined();
  });
});
