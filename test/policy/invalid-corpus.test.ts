import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '../../src/policy/validate.js';

/**
 * UC-22: each case under test/fixtures/invalid is a bad policy, validated on top of a small valid
 * base (test/fixtures/base). Every case names the file, JSON pointer, line and message it must get.
 */
const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url));

type Row = [
  name: string,
  severity: 'error' | 'warning',
  file: string,
  pointer: string,
  line: number,
  message: string,
  hint?: string,
];

const cases: Row[] = [
  [
    'attribute-cycle',
    'error',
    '00-identity.json',
    '/identity/attributes/1/fields/title',
    6,
    'flow cycle: okta.attribute["title"] -> onelogin.attribute["title"] -> okta.attribute["title"]',
  ],
  [
    'attribute-flow-bad-target',
    'error',
    '00-identity.json',
    '/identity/attributes/0/to',
    4,
    '"workday" does not match the pattern',
  ],
  [
    'attribute-test-two-ops',
    'error',
    'policy.json',
    '/access/0/when/attribute',
    5,
    'exactly one of equals, in, matches, present; found name, equals, in',
  ],
  [
    'bad-date',
    'error',
    'policy.json',
    '/exceptions/0/expires',
    7,
    '"2026-13-40" is not a valid date',
    'YYYY-MM-DD',
  ],
  [
    'bad-enum-source',
    'error',
    '00-identity.json',
    '/identity/source',
    3,
    '"otka" is not allowed here',
    'did you mean "okta"?',
  ],
  [
    'bad-id-pattern',
    'error',
    'policy.json',
    '/access/0/id',
    4,
    '"Sales Reps" does not match the pattern',
    '"sales-reps"',
  ],
  [
    'match-on-federation-id',
    'error',
    '00-identity.json',
    '/identity/matchOn/onelogin/1',
    5,
    'identity.matchOn.onelogin cannot use federationId: it is a Salesforce field, and OneLogin accounts have none',
    'use employeeNumber, email, login or phone there',
  ],
  [
    'bad-match-key',
    'error',
    '00-identity.json',
    '/identity/match/1',
    4,
    '"emial" is not allowed here',
    'did you mean "email"?',
  ],
  [
    'bad-transfer-object',
    'error',
    'policy.json',
    '/lifecycle/salesforce/*/transfer/objects/0',
    4,
    '"Acount" is not allowed here',
    'did you mean "Account"?',
  ],
  [
    'bad-transfer-target',
    'error',
    'policy.json',
    '/lifecycle/salesforce/*/transfer/to/0',
    4,
    'does not match any allowed form',
  ],
  ['comment', 'error', 'policy.json', '', 2, 'malformed JSON: invalid comment token', 'no comments'],
  [
    'condition-empty',
    'error',
    'policy.json',
    '/access/0/when',
    5,
    'a condition sets exactly one of oktaGroup, oneloginRole, app, attribute, all, any, not; found none',
  ],
  [
    'condition-two-keys',
    'error',
    'policy.json',
    '/access/0/when',
    5,
    'found oktaGroup, oneloginRole',
    'combine several tests with "all" or "any"',
  ],
  [
    'duplicate-managed-group',
    'error',
    'policy.json',
    '/groups/1',
    4,
    'managed Okta group "Admins" is declared twice (first at policy.json:3)',
  ],
  [
    'duplicate-rule-id',
    'error',
    'policy.json',
    '/access/1/id',
    4,
    'id "sales" is declared twice (first at policy.json:3)',
  ],
  ['empty-ticket', 'error', 'policy.json', '/exceptions/0/ticket', 8, 'must not be empty'],
  [
    'entitlement-without-org',
    'error',
    'policy.json',
    '/guardrails/sensitive/0',
    3,
    'a Salesforce entitlement needs "org"',
  ],
  [
    'exception-unknown-org',
    'error',
    'policy.json',
    '/exceptions/0/org',
    6,
    'unknown Salesforce org "emae"',
    'did you mean "emea"?',
  ],
  [
    'expired-exception',
    'warning',
    'policy.json',
    '/exceptions/0/expires',
    7,
    'exception "ana" expired on 2020-01-31',
  ],
  [
    'field-two-owners',
    'error',
    '00-identity.json',
    '/identity/attributes/1/fields/Title',
    6,
    'salesforce.prod.user.field["Title"] would have two owners: this declaration and 00-identity.json:5',
  ],
  [
    'group-two-owners',
    'error',
    'policy.json',
    '/mirrors/0/pairs/0',
    4,
    'okta.group["Sales"] would have two owners',
  ],
  ['identity-missing', 'error', '00-identity.json', '', 1, 'no policy document declares "identity"'],
  [
    'identity-twice',
    'error',
    'policy.json',
    '/identity',
    2,
    '"identity" is declared twice (first at 00-identity.json:2)',
  ],
  [
    'lifecycle-unknown-org',
    'error',
    'policy.json',
    '/lifecycle/salesforce/prd',
    4,
    'unknown Salesforce org "prd"',
    'did you mean "prod"?',
  ],
  ['malformed-json', 'error', 'policy.json', '', 3, 'malformed JSON: expected a comma'],
  [
    'mirror-cycle',
    'error',
    'policy.json',
    '/mirrors/1/pairs/0',
    4,
    'flow cycle: okta.group["Sales"] -> onelogin.role["Sales"] -> okta.group["Sales"]',
  ],
  ['missing-id', 'error', 'policy.json', '/access/0', 3, 'missing required key "id"'],
  ['negative-cap', 'error', 'policy.json', '/guardrails/maxDeprovision/absolute', 3, 'must be >= 0'],
  ['null-where-string', 'error', 'policy.json', '/links/0/person', 3, 'must be a string, found a null'],
  [
    'org-twice',
    'error',
    'policy.json',
    '/platforms/salesforce/emea',
    3,
    'Salesforce org "emea" is declared twice (first at 00-platforms.json:5)',
  ],
  ['percent-over-100', 'error', 'policy.json', '/guardrails/maxDeprovision/percent', 3, 'must be <= 100'],
  [
    'permission-sets-not-array',
    'error',
    'policy.json',
    '/access/0/grants/prod/permissionSets',
    6,
    'must be an array, found a string',
  ],
  [
    'platform-twice',
    'error',
    'policy.json',
    '/platforms/okta',
    3,
    'platform "okta" is declared twice (first at 00-platforms.json:3)',
  ],
  [
    'settings-twice',
    'error',
    'policy.json',
    '/settings/environment',
    2,
    'settings.environment is declared twice (first at 00-settings.json:2)',
  ],
  [
    'sod-one-entitlement',
    'error',
    'policy.json',
    '/guardrails/separationOfDuties/0/entitlements',
    4,
    'must list at least 2 item(s)',
  ],
  ['trailing-comma', 'error', 'policy.json', '', 3, 'malformed JSON: property name expected'],
  [
    'undeclared-platform',
    'error',
    'policy.json',
    '/access/0/when/oneloginRole',
    3,
    'condition refers to OneLogin, which no document declares under "platforms"',
  ],
  [
    'unknown-grant-key',
    'error',
    'policy.json',
    '/access/0/grants/prod/permisionSets',
    6,
    'unknown key "permisionSets"',
    'did you mean "permissionSets"?',
  ],
  [
    'unknown-org',
    'error',
    'policy.json',
    '/access/0/grants/prd',
    6,
    'unknown Salesforce org "prd"',
    'did you mean "prod"?',
  ],
  [
    'unknown-rule-key',
    'error',
    'policy.json',
    '/access/0/grant',
    6,
    'unknown key "grant"',
    'did you mean "grants"?',
  ],
  ['unknown-top-key', 'error', 'policy.json', '/acess', 2, 'unknown key "acess"', 'did you mean "access"?'],
  [
    'wrong-type-priority',
    'error',
    'policy.json',
    '/access/0/priority',
    6,
    'must be an integer, found a string',
  ],
];

async function validateCase(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `accord-${name}-`));
  cpSync(join(fixtures, 'base'), dir, { recursive: true });
  cpSync(join(fixtures, 'invalid', name), dir, { recursive: true });
  return loadPolicy(dir, { cwd: dir, today: '2026-11-23' });
}

describe('UC-22 invalid policy corpus', () => {
  it('covers every fixture, and at least 30 of them', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(readdirSync(join(fixtures, 'invalid')).sort());
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('accepts the base the corpus builds on', async () => {
    const result = await loadPolicy(join(fixtures, 'base'), { today: '2026-11-23' });
    expect(result.diagnostics).toEqual([]);
    expect(result.policy).toBeDefined();
  });

  // Rows become objects: with positional arguments, a row without a hint would make jest think the
  // test takes a `done` callback.
  const rows = cases.map(([name, severity, file, pointer, line, message, hint]) => ({
    name,
    severity,
    file,
    pointer,
    line,
    message,
    hint,
  }));
  it.each(rows)(
    '$name → $severity in $file at $pointer line $line',
    async ({ name, severity, file, pointer, line, message, hint }) => {
      const result = await validateCase(name);
      const match = result.diagnostics.find(
        (d) => d.file === file && d.pointer === pointer && d.message.includes(message),
      );
      expect(match).toBeDefined();
      expect(match).toMatchObject({ severity, line });
      expect(match!.column).toBeGreaterThanOrEqual(1);
      if (hint) expect(match!.hint).toContain(hint);
      if (severity === 'error') expect(result.policy).toBeUndefined();
    },
  );
});
