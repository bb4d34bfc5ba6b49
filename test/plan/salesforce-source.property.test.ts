/**
 * UC-16 loop-freedom as a property (fast-check): Salesforce facts (a user's Territory__c, open
 * Access Request Cases) drive managed Okta groups, which a mirror copies into OneLogin roles and an
 * access rule turns into a Salesforce permission set; another access rule reads the territory
 * directly. On random people, facts and live memberships (drift), plan → apply (a perfect provider,
 * test/support/apply-to-snapshots) → plan again is empty, and no value is changed twice across
 * three runs: nothing goes back and forth. The policy passes the flow validator.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SalesforceCase, Snapshots } from '../../src/model/snapshot.js';
import type { Collected } from '../../src/policy/collect.js';
import { checkFlows } from '../../src/policy/flows.js';
import type { Policy } from '../../src/policy/policy.js';
import { emptyState } from '../../src/model/state.js';
import { driftReport } from '../../src/plan/drift.js';
import { planWithFacts } from '../../src/plan/plan.js';
import { applyToSnapshots } from '../support/apply-to-snapshots.js';
import { makePolicy, NOW, okta, onelogin, plan, salesforce, snapshots } from '../support/builders.js';

const TERRITORY = 'EMEA Territory';
const TEMPORARY = 'Temporary Access';

const policy: Policy = makePolicy({
  platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
  groups: [
    {
      platform: 'okta',
      name: TERRITORY,
      rule: { salesforceField: { org: 'prod', name: 'Territory__c', equals: 'EMEA' } },
    },
    {
      platform: 'okta',
      name: TEMPORARY,
      rule: {
        all: [{ salesforceCase: { org: 'prod', type: 'Access Request' } }, { oktaGroup: 'Support' }],
      },
    },
  ],
  mirrors: [
    {
      id: 'uc16-to-onelogin',
      direction: 'okta-to-onelogin',
      pairs: [
        { okta: TERRITORY, onelogin: TERRITORY },
        { okta: TEMPORARY, onelogin: TEMPORARY },
      ],
    },
  ],
  access: [
    {
      id: 'temporary',
      when: { oktaGroup: TEMPORARY },
      grants: { prod: { permissionSets: ['Data_Export'] } },
    },
    {
      id: 'emea-reports',
      when: { salesforceField: { org: 'prod', name: 'Territory__c', in: ['EMEA', 'APAC'] } },
      grants: { prod: { permissionSets: ['Report_Builder'] } },
    },
  ],
});

interface Fact {
  territory: 'EMEA' | 'AMER' | 'APAC' | null;
  /** The person's Access Request Case: open, closed (not read), or none. */
  request: 'open' | 'closed' | 'none';
  support: boolean;
  /** Live memberships before accord runs (drift the plan must correct). */
  inTerritory: boolean;
  inTemporary: boolean;
  inOneloginTemporary: boolean;
  hasDataExport: boolean;
}

const fact: fc.Arbitrary<Fact> = fc.record({
  territory: fc.constantFrom('EMEA' as const, 'AMER' as const, 'APAC' as const, null),
  request: fc.constantFrom('open' as const, 'closed' as const, 'none' as const),
  support: fc.boolean(),
  inTerritory: fc.boolean(),
  inTemporary: fc.boolean(),
  inOneloginTemporary: fc.boolean(),
  hasDataExport: fc.boolean(),
});

function world(facts: readonly Fact[]): Snapshots {
  const login = (i: number) => `p${i}@acme.test`;
  const people = facts.map((f, i) => ({
    login: login(i),
    groups: [
      ...(f.support ? ['Support'] : []),
      ...(f.inTerritory ? [TERRITORY] : []),
      ...(f.inTemporary ? [TEMPORARY] : []),
    ],
  }));
  const prod = salesforce(
    'prod',
    facts.map((f, i) => ({
      username: login(i),
      fields: { Territory__c: f.territory },
      ...(f.hasDataExport ? { permissionSets: ['Data_Export'] } : {}),
    })),
  );
  // Only open Cases are read (IsClosed = false); a closed one is simply not in the snapshot.
  const cases: SalesforceCase[] = facts.flatMap((f, i) =>
    f.request === 'open'
      ? [
          {
            id: `500-${i}`,
            type: 'Access Request',
            subject: 'Temporary access',
            contactEmail: login(i).toUpperCase(),
          },
        ]
      : [],
  );
  return snapshots({
    okta: okta(people, { groups: ['Support', TERRITORY, TEMPORARY] }),
    onelogin: onelogin(
      facts.map((f, i) => ({ login: login(i), groups: f.inOneloginTemporary ? [TEMPORARY] : [] })),
      { groups: [TERRITORY, TEMPORARY] },
    ),
    salesforce: [{ ...prod, cases }],
  });
}

const lines = (p: ReturnType<typeof plan>) => p.changes.map((c) => `${c.action} ${c.address}`);

describe('UC-16 Salesforce as a source: loop-freedom (fast-check)', () => {
  it('UC-16 the policy passes the flow validator (no cycle, no read-back)', () => {
    const collected = {
      identities: [],
      groups: policy.groups.map((value, i) => ({ value, file: 'groups.json', pointer: `/groups/${i}` })),
      mirrors: policy.mirrors.map((value, i) => ({ value, file: 'groups.json', pointer: `/mirrors/${i}` })),
      access: policy.access.map((value, i) => ({ value, file: 'access.json', pointer: `/access/${i}` })),
      attributeFlows: [],
    } as unknown as Collected;
    expect(checkFlows(collected, ['prod'])).toEqual([]);
  });

  it('UC-16 with mirrors and access rules, plan → apply → plan is empty and no value goes back and forth over three runs', () => {
    fc.assert(
      fc.property(fc.array(fact, { minLength: 1, maxLength: 8 }), (facts) => {
        let s = world(facts);
        const seen = new Map<string, number>();
        for (let run = 0; run < 3; run++) {
          const p = plan(policy, s);
          for (const c of p.changes) {
            // A value changed again in a later run would be a flip.
            const before = seen.get(c.address);
            expect([c.address, before === undefined || before === run]).toEqual([c.address, true]);
            seen.set(c.address, run);
          }
          if (run > 0) expect(lines(p)).toEqual([]);
          s = applyToSnapshots(s, p);
        }
        // What was applied matches the facts: the temporary access is held by exactly the Support
        // people with an open Case, in Okta, in OneLogin (mirror) and in Salesforce (access rule).
        const wanted = facts
          .map((f, i) => (f.request === 'open' && f.support ? `p${i}@acme.test` : undefined))
          .filter((x): x is string => x !== undefined)
          .sort();
        const members = (snap: Snapshots['okta']) => {
          const g = snap!.groups.find((x) => x.name === TEMPORARY)!;
          return snap!.accounts
            .filter((a) => g.memberIds.includes(a.id))
            .map((a) => a.login)
            .sort();
        };
        expect(members(s.okta)).toEqual(wanted);
        expect(members(s.onelogin)).toEqual(wanted);
        const prod = s.salesforce.prod!;
        const exporters = prod.users
          .filter((u) => prod.assignments.some((a) => a.userId === u.id && a.permissionSet === 'Data_Export'))
          .map((u) => u.username)
          .sort();
        expect(exporters).toEqual(wanted);
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });

  it('UC-16 a Case closing between runs is one revoke per place, then nothing', () => {
    const facts: Fact[] = [
      {
        territory: 'EMEA',
        request: 'open',
        support: true,
        inTerritory: false,
        inTemporary: false,
        inOneloginTemporary: false,
        hasDataExport: false,
      },
    ];
    const s = applyToSnapshots(world(facts), plan(policy, world(facts)));
    expect(lines(plan(policy, s))).toEqual([]);
    const closed: Snapshots = { ...s, salesforce: { prod: { ...s.salesforce.prod!, cases: [] } } };
    const revoke = plan(policy, closed);
    expect(lines(revoke).sort()).toEqual([
      'revoke okta.group["Temporary Access"].member["p0@acme.test"]',
      'revoke onelogin.role["Temporary Access"].member["p0@acme.test"]',
      'revoke salesforce.prod.user["p0@acme.test"].permissionSet["Data_Export"]',
    ]);
    expect(lines(plan(policy, applyToSnapshots(closed, revoke)))).toEqual([]);

    // Drift tells it apart from an edit outside Git: the person's source facts (with the Cases
    // the policy reads) moved since the apply, so the revokes are lifecycle.
    const digests = (snap: Snapshots) => planWithFacts(policy, snap, emptyState(), { now: NOW }).facts();
    const report = driftReport(revoke, closed, 'policy-unchanged', undefined, {
      current: digests(closed),
      recorded: digests(s),
      exceptions: [],
    });
    expect({ drift: report.drift.length, lifecycle: report.lifecycle.length }).toEqual({
      drift: 0,
      lifecycle: 3,
    });
    // The same revokes with the facts unchanged would be drift.
    const still = driftReport(revoke, closed, 'policy-unchanged', undefined, {
      current: digests(s),
      recorded: digests(s),
      exceptions: [],
    });
    expect({ drift: still.drift.length, lifecycle: still.lifecycle.length }).toEqual({
      drift: 3,
      lifecycle: 0,
    });
  });
});
