/** UC-13 identity resolution: match-key order, normalisation, conflicts, explicit links. */
import { describe, expect, it } from '@jest/globals';
import { emptyState } from '../../src/model/state.js';
import type { AccessRule, IdentityLink, MatchKey } from '../../src/policy/types.js';
import {
  lines,
  makePolicy,
  okta,
  onelogin,
  plan,
  psAddr,
  salesforce,
  sfUserAddr,
  snapshots,
  type UserSpec,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const rule: AccessRule = {
  id: 'r',
  when: { oktaGroup: 'Sales' },
  grants: { prod: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } },
};
const policy = (
  over: { match?: MatchKey[]; links?: IdentityLink[]; aliases?: Record<string, string> } = {},
) =>
  makePolicy({
    identity: {
      source: 'okta',
      ...(over.match ? { match: over.match } : {}),
      ...(over.aliases ? { normalize: { domainAliases: over.aliases } } : {}),
    },
    access: [rule],
    links: over.links ?? [],
  });
const ana = { login: ANA, groups: ['Sales'], attrs: { employeeNumber: 'E1' } as Record<string, string> };
// A live user already in the desired shape, so a match shows as "no change" and a miss as a create.
const ok = (u: UserSpec): UserSpec => ({ profile: 'Sales User', permissionSets: ['Sales_Cloud_User'], ...u });
const run = (users: UserSpec[], over: Parameters<typeof policy>[0] = {}, extraPeople: (typeof ana)[] = []) =>
  plan(
    policy(over),
    snapshots({ okta: okta([ana, ...extraPeople]), salesforce: [salesforce('prod', users)] }),
  );

describe('UC-13 identity resolution', () => {
  it.each([
    {
      name: 'federationId first, when the other keys find nothing else',
      users: [ok({ username: 'by.fed@x.test', federationId: ANA, email: ANA })],
      linked: 'by.fed@x.test',
    },
    {
      name: 'employeeNumber, when the other keys find nothing else',
      users: [ok({ username: 'by.number@x.test', employeeNumber: 'E1' })],
      linked: 'by.number@x.test',
    },
    {
      name: 'email last',
      users: [ok({ username: 'by.email@x.test', email: ANA })],
      linked: 'by.email@x.test',
    },
    {
      name: 'email after case and whitespace normalisation',
      users: [ok({ username: 'u@x.test', email: '  ANA.Lopez@ACME.test ' })],
      linked: 'u@x.test',
    },
    {
      name: 'email through a declared domain alias',
      users: [ok({ username: 'u@x.test', email: 'ana.lopez@acme-corp.test' })],
      aliases: { 'ACME-CORP.test': 'acme.test' },
      linked: 'u@x.test',
    },
    {
      name: 'an undeclared alias does not match',
      users: [ok({ username: 'u@x.test', email: 'ana.lopez@acme-corp.test' })],
      linked: undefined,
    },
  ])('UC-13 $name', ({ users, aliases, linked }) => {
    const p = run(users, { ...(aliases ? { aliases } : {}) });
    expect(p.conflicts).toEqual([]);
    if (linked) expect(lines(p)).toEqual([]);
    else
      expect(lines(p)).toEqual([
        `create ${sfUserAddr('prod', ANA)}`,
        `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`,
      ]);
    // Accounts matched by nobody are orphans (UC-08).
    const orphans = p.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0]);
    expect(orphans).toEqual(
      users
        .map((u) => u.username)
        .filter((u) => u !== linked)
        .sort(),
    );
  });

  it('UC-13 ambiguous: two accounts on one key → conflict naming the exact links entry; the person gets nothing', () => {
    const p = run(
      [
        ok({ username: 'ana.2@x.test', employeeNumber: 'e1 ' }),
        { username: 'ana.1@x.test', employeeNumber: 'E1', permissionSets: ['Report_Builder'] },
      ],
      {},
      [{ login: 'bo.b@acme.test', groups: ['Sales'], attrs: { employeeNumber: 'E2' } }],
    );
    expect(p.conflicts).toEqual([
      {
        person: ANA,
        platform: 'salesforce:prod',
        kind: 'ambiguous',
        key: 'employeeNumber',
        candidates: ['ana.1@x.test', 'ana.2@x.test'],
        message: `2 salesforce:prod accounts match ${ANA} by employeeNumber: ana.1@x.test, ana.2@x.test`,
        resolution: {
          person: ANA,
          salesforce: { prod: 'ana.1@x.test' },
          reason: 'resolve the ambiguous match',
        },
      },
    ]);
    // Only Bob, who is not in conflict, has changes; neither candidate is touched or called an orphan.
    expect(p.changes.every((c) => c.account.key === 'bo.b@acme.test')).toBe(true);
    expect(p.changes).toHaveLength(2);
    expect(p.findings.filter((f) => f.code === 'orphan-account')).toEqual([]);
  });

  it("UC-13 keys that disagree → a conflict listing each key's hit, not the first key winning", () => {
    const users = [
      ok({ username: 'by.email@x.test', email: ANA }),
      ok({ username: 'by.number@x.test', employeeNumber: 'E1' }),
      ok({ username: 'by.fed@x.test', federationId: ANA }),
    ];
    const p = run(users);
    expect(p.conflicts).toEqual([
      expect.objectContaining({
        person: ANA,
        kind: 'disagreement',
        key: 'federationId, employeeNumber, email',
        candidates: ['by.fed@x.test', 'by.number@x.test', 'by.email@x.test'],
        message: `match keys disagree for ${ANA} on salesforce:prod: federationId → by.fed@x.test, employeeNumber → by.number@x.test, email → by.email@x.test`,
      }),
    ]);
    expect(p.changes).toEqual([]);
    expect(p.findings.filter((f) => f.code === 'orphan-account')).toEqual([]);
    // The suggested links entry settles it; the other two are then orphans, reported.
    const settled = run(users, { links: [p.conflicts[0]!.resolution!] });
    expect(settled.conflicts).toEqual([]);
    expect(lines(settled)).toEqual([]);
    expect(
      settled.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0]),
    ).toEqual(['by.email@x.test', 'by.number@x.test']);
  });

  it('UC-13 the suggested links entry resolves the conflict when committed', () => {
    const users = [
      ok({ username: 'ana.2@x.test', employeeNumber: 'E1' }),
      { username: 'ana.1@x.test', employeeNumber: 'E1' },
    ];
    const first = run(users);
    const p = run(users, { links: [first.conflicts[0]!.resolution!] });
    expect(p.conflicts).toEqual([]);
    expect(lines(p)).toEqual([
      `update ${sfUserAddr('prod', 'ana.1@x.test')}`,
      `grant ${psAddr('prod', 'ana.1@x.test', 'Sales_Cloud_User')}`,
    ]);
  });

  it('UC-13 contested: one account matched by two people → a conflict for each, both withheld', () => {
    const p = plan(
      policy(),
      snapshots({
        okta: okta([
          { login: 'ana@acme.test', email: 'shared@acme.test', groups: ['Sales'] },
          { login: 'ann@acme.test', email: 'shared@acme.test', groups: ['Sales'] },
        ]),
        salesforce: [
          salesforce('prod', [ok({ username: 'shared.sf@acme.test', email: 'shared@acme.test' })]),
        ],
      }),
    );
    expect(p.conflicts).toEqual(
      ['ana@acme.test', 'ann@acme.test'].map((person) => ({
        person,
        platform: 'salesforce:prod',
        kind: 'contested',
        key: 'email',
        candidates: ['ana@acme.test', 'ann@acme.test'],
        message: 'salesforce:prod account shared.sf@acme.test matches 2 people: ana@acme.test, ann@acme.test',
        resolution: {
          person,
          salesforce: { prod: 'shared.sf@acme.test' },
          reason: 'resolve the ambiguous match',
        },
      })),
    );
    expect(p.changes).toEqual([]);
  });

  it('UC-13 a policy link wins over a federationId match; a state link is used when policy has none', () => {
    const users = [ok({ username: 'by.fed@x.test', federationId: ANA }), ok({ username: 'linked@x.test' })];
    const viaPolicy = run(users, {
      links: [{ person: ANA, salesforce: { prod: 'linked@x.test' }, ticket: 'SEC-1' }],
    });
    expect(viaPolicy.conflicts).toEqual([]);
    expect(lines(viaPolicy)).toEqual([]);
    expect(
      viaPolicy.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0]),
    ).toEqual(['by.fed@x.test']);
    const state = { ...emptyState(), links: { [ANA]: { 'salesforce:prod': 'linked@x.test' } } } as const;
    const viaState = plan(
      policy(),
      snapshots({ okta: okta([ana]), salesforce: [salesforce('prod', users)] }),
      { state },
    );
    expect(
      viaState.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0]),
    ).toEqual(['by.fed@x.test']);
    // Policy beats state.
    const both = plan(
      policy({ links: [{ person: ANA, salesforce: { prod: 'by.fed@x.test' } }] }),
      snapshots({ okta: okta([ana]), salesforce: [salesforce('prod', users)] }),
      { state },
    );
    expect(
      both.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0]),
    ).toEqual(['linked@x.test']);
  });

  it('UC-13 a policy link that moves an account overrules the state link that gave it to someone else', () => {
    const BO = 'bo.b@acme.test';
    const users = [ok({ username: 'shared@x.test' }), ok({ username: BO, federationId: BO })];
    // State remembers the account as Ana's; the policy now gives it to Bo.
    const state = { ...emptyState(), links: { [ANA]: { 'salesforce:prod': 'shared@x.test' } } } as const;
    const p = plan(
      policy({ links: [{ person: BO, salesforce: { prod: 'shared@x.test' }, reason: 'moved' }] }),
      snapshots({
        okta: okta([ana, { login: BO, groups: ['Sales'] }]),
        salesforce: [salesforce('prod', users)],
      }),
      { state },
    );
    // Bo has it; Ana is not matched to it too (she gets a user of her own), and Bo's old user is an orphan.
    expect(lines(p)).toEqual([
      `create ${sfUserAddr('prod', ANA)}`,
      `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`,
    ]);
    expect(p.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0])).toEqual(
      [BO],
    );
  });

  it('UC-13 a null link means "no account there": the matching account is not used', () => {
    const users = [{ username: 'old.ana@x.test', federationId: ANA, permissionSets: ['Report_Builder'] }];
    const p = run(users, { links: [{ person: ANA, salesforce: { prod: null } }] });
    expect(p.conflicts).toEqual([]);
    // The old account is never touched (no revoke of Report_Builder); a fresh one is planned.
    expect(lines(p)).toEqual([
      `create ${sfUserAddr('prod', ANA)}`,
      `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`,
    ]);
  });

  it('UC-13 an ambiguous match between the IdPs (person → other IdP) is a conflict there, and only there', () => {
    const p = plan(
      makePolicy({
        platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
        identity: { source: 'okta' },
        access: [rule],
      }),
      snapshots({
        okta: okta([ana]),
        onelogin: onelogin([
          { login: 'a1@globex.test', attrs: { employeeNumber: 'E1' } },
          { login: 'a2@globex.test', attrs: { employeeNumber: 'E1' } },
        ]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(p.conflicts.map((c) => [c.person, c.platform, c.kind, c.key, c.candidates, c.resolution])).toEqual(
      [
        [
          ANA,
          'onelogin',
          'ambiguous',
          'employeeNumber',
          ['a1@globex.test', 'a2@globex.test'],
          { person: ANA, onelogin: 'a1@globex.test', reason: 'resolve the ambiguous match' },
        ],
      ],
    );
    // The conflict narrows to OneLogin: Ana's Salesforce access does not wait for it.
    expect(lines(p)).toEqual([
      `create ${sfUserAddr('prod', ANA)}`,
      `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`,
    ]);
  });
});

describe('UC-13 phone numbers and match keys per platform', () => {
  const withPhone = (identity: Record<string, unknown>, phone: string, users: UserSpec[]) =>
    plan(
      makePolicy({ identity: { source: 'okta', ...identity }, access: [rule] }),
      snapshots({
        okta: okta([{ ...ana, attrs: { ...ana.attrs, phone } }]),
        salesforce: [salesforce('prod', users)],
      }),
    );
  const created = [`create ${sfUserAddr('prod', ANA)}`, `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`];

  it.each([
    [
      'the same number written two ways',
      { match: ['phone'], normalize: { phoneRegion: 'US' } },
      '(415) 555-0100',
      [],
    ],
    ['an international number, no region needed', { match: ['phone'] }, '+1 415 555 0100', []],
    [
      'a national number without a region: no match, a new user',
      { match: ['phone'] },
      '415 555 0100',
      created,
    ],
    [
      'a value that is no phone number matches nothing',
      { match: ['phone'], normalize: { phoneRegion: 'US' } },
      'ask reception',
      created,
    ],
  ])('UC-13 phone: %s', (_, identity, phone, expected) => {
    const p = withPhone(identity, phone, [
      ok({ username: 'u@x.test', fields: { Phone: '+1 415-555-0100' } }),
    ]);
    expect(p.conflicts).toEqual([]);
    expect(lines(p)).toEqual(expected);
  });

  it('UC-13 matchOn.salesforce replaces match for Salesforce only', () => {
    const users = [
      ok({ username: 'by.email@x.test', email: ANA }),
      ok({ username: 'by.number@x.test', employeeNumber: 'E1' }),
    ];
    const shared = withPhone({ match: ['employeeNumber'] }, '', users);
    const own = withPhone({ match: ['employeeNumber'], matchOn: { salesforce: ['email'] } }, '', users);
    const orphans = (p: typeof own) =>
      p.findings.filter((f) => f.code === 'orphan-account').map((f) => f.message.split(' ')[0]);
    expect(orphans(shared)).toEqual(['by.email@x.test']);
    expect(orphans(own)).toEqual(['by.number@x.test']);
    expect(lines(own)).toEqual([]);
  });
});
