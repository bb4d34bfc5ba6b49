/** Rendering of `accord diff`: the PR-comment markdown and the terminal text (NO_COLOR). */
import { describe, expect, it } from '@jest/globals';
import { Chalk } from 'chalk';
import type { AccessDiff } from '../../src/plan/access-impact.js';
import type { RefDiff } from '../../src/plan/ref-diff.js';
import { diffPolicies } from '../../src/plan/semantic-diff.js';
import { renderPolicyDiffMarkdown } from '../../src/render/policy-diff-markdown.js';
import { conditionText, renderPolicyDiffText } from '../../src/render/policy-diff-text.js';
import { openBlocks } from './markdown-check.js';
import { makePolicy } from '../support/builders.js';

const base = makePolicy({
  access: [
    { id: 'sales', when: { oktaGroup: 'Sales' }, priority: 10, grants: { prod: { permissionSets: ['A'] } } },
  ],
  groups: [{ platform: 'okta', name: 'Admins `x`', members: ['lee@x.test'] }],
});
const head = makePolicy({
  access: [
    {
      id: 'sales',
      when: { oktaGroup: 'Sales' },
      priority: 20,
      grants: { prod: { permissionSets: ['A', 'B'] } },
    },
    {
      id: 'emea',
      when: { all: [{ oktaGroup: 'Sales' }, { attribute: { name: 'country', in: ['DE', 'FR'] } }] },
      grants: { emea: { profile: 'Sales User' } },
    },
  ],
  groups: [{ platform: 'okta', name: 'Admins `x`', members: ['kim@x.test'] }],
});

const impact = (people: AccessDiff['people']): AccessDiff => ({
  people,
  sensitive: people.flatMap((p) => [
    ...p.gained
      .filter((d) => d.sensitive)
      .map((delta) => ({ person: p.person, change: 'gains' as const, delta })),
    ...p.lost
      .filter((d) => d.sensitive)
      .map((delta) => ({ person: p.person, change: 'loses' as const, delta })),
  ]),
  separationOfDuties: {
    introduced: [
      { person: 'kim@x.test', rule: 'pay-vs-approve', message: 'kim@x.test would hold 2 entitlements' },
    ],
    resolved: [],
    remaining: [],
  },
  headBlocked: true,
  headBlockedReasons: ['kim@x.test would hold 2 entitlements'],
  peopleInScope: { base: 2, head: 2 },
});

const diff = (people: AccessDiff['people']): RefDiff => ({
  formatVersion: 1,
  base: { ref: 'origin/main', commit: 'a'.repeat(40), digest: base.digest, files: [] },
  head: { ref: 'HEAD', commit: 'b'.repeat(40), digest: head.digest, files: [] },
  policy: diffPolicies(base, head),
  impact: impact(people),
});

const kim = {
  person: 'kim@x.test',
  gained: [
    { platform: 'okta' as const, entitlement: 'group:Admins `x`', rule: 'groups:Admins `x`' },
    {
      platform: 'salesforce:prod' as const,
      entitlement: 'profile:System Administrator',
      rule: 'admins',
      sensitive: true,
    },
  ],
  lost: [],
  losesAccount: false,
};
const lee = {
  person: 'lee@x.test',
  gained: [],
  lost: [{ platform: 'salesforce:prod' as const, entitlement: 'account' }],
  losesAccount: true,
};

describe('policy diff markdown (the PR comment section)', () => {
  const [body, ...rest] = renderPolicyDiffMarkdown(diff([kim, lee]));

  it('is one body with the heading, the SoD caution and the sensitive warning first', () => {
    expect(rest).toEqual([]);
    const lines = body!.split('\n');
    expect(lines[0]).toBe('## accord diff: `origin/main` → `HEAD`');
    expect(lines[2]).toBe('Policy at `aaaaaaa` compared with `bbbbbbb`.');
    expect(body!.indexOf('> [!CAUTION]')).toBeLessThan(body!.indexOf('### Policy changes'));
    expect(body).toContain('> This change introduces **1 separation-of-duties violation**');
    expect(body).toContain('> - `kim@x.test`: rule `pay-vs-approve`');
    expect(body).toContain('> [!WARNING]\n> 1 sensitive entitlement changes hands.');
  });

  it('lists rules and groups by id with field changes, names in code spans', () => {
    expect(body).toContain(
      [
        '**Access rules**',
        '',
        '- **added** `emea`: `when (okta group "Sales" and country in ["DE", "FR"]); grants emea: profile "Sales User"`',
        '- **changed** `sales`',
        '  - `grants.prod.permissionSets`: added `"B"`',
        '  - `priority`: `10` → `20`',
      ].join('\n'),
    );
    expect(body).toContain('- **changed** `` okta:Admins `x` ``');
    expect(body).toContain('  - `members`: added `"kim@x.test"`; removed `"lee@x.test"`');
  });

  it('shows who gains and loses what, sensitive marked, folded open for a short list', () => {
    expect(body).toContain('1 person gains access, 1 person loses access. 1 person loses an account.');
    expect(body).toContain('<details open><summary>Who gains and loses what (2 people)</summary>');
    expect(body).toContain(
      '  - gains `profile:System Administrator` in Salesforce prod (rule `admins`) **⚠ sensitive**',
    );
    expect(body).toContain('- `lee@x.test` (**loses an account**)\n  - loses `account` in Salesforce prod');
    expect(openBlocks(body!)).toEqual({ fence: false, details: 0 });
  });

  it('folds a long impact list and splits into comment-sized parts that each render', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      ...kim,
      person: `p${String(i).padStart(3, '0')}@x.test`,
    }));
    const parts = renderPolicyDiffMarkdown(diff(many), 4000);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts[0]).toContain('- and 375 more (see who gains and loses what)');
    expect(parts[0]).toContain('<details><summary>Who gains and loses what (400 people)</summary>');
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4000);
      expect(openBlocks(part)).toEqual({ fence: false, details: 0 });
    }
  });

  it('says when the impact was not computed, and when nothing changed', () => {
    const none = { ...diff([]), impact: undefined, policy: diffPolicies(base, base) };
    const [text] = renderPolicyDiffMarkdown(none);
    expect(text).toContain('The policies are identical.');
    expect(text).toContain('_Access impact not computed (`--no-impact`): no platform was read._');
  });
});

describe('policy diff text', () => {
  it('prints plain lines without colour', () => {
    const text = renderPolicyDiffText(diff([kim, lee]), new Chalk({ level: 0 }));
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        `accord diff origin/main (aaaaaaa) → HEAD (bbbbbbb)`,
        'Policy changes (3)',
        '  Access rules',
        '    + emea  when (okta group "Sales" and country in ["DE", "FR"]); grants emea: profile "Sales User"',
        '    ~ sales',
        '        grants.prod.permissionSets: +"B"',
        '        priority: 10 → 20',
        '  ! separation of duties: kim@x.test would hold 2 entitlements',
        '  ! sensitive: kim@x.test gains profile:System Administrator in Salesforce prod (rule admins) [sensitive]',
        '  lee@x.test (loses an account)',
        '    - account in Salesforce prod',
      ]),
    );
    expect(text).not.toContain('\u001b[');
  });

  it('reads conditions as sentences', () => {
    expect(
      conditionText({
        any: [
          { not: { oneloginRole: 'Contractors' } },
          { attribute: { name: 'email', matches: '*@x.test' } },
          { attribute: { name: 'title', present: false } },
        ],
      }),
    ).toBe('(not onelogin role "Contractors" or email matches "*@x.test" or title absent)');
  });
});
