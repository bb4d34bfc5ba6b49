/**
 * Issue 14, item 6 ("nothing validates clean and then does nothing"): an exception (UC-05), a
 * link (UC-13) or a successor (UC-06) that names nobody the identity source knows blocks the plan
 * with a finding that says where the name is written, instead of quietly doing nothing.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadPolicy } from '../../src/policy/validate.js';
import type { PolicyInput } from '../support/builders.js';
import { makePolicy, okta, plan, salesforce, snapshots } from '../support/builders.js';
import { repoRoot } from '../cli/run-cli.js';

const ANA = 'ana.lopez@acme.test';
const DANA = 'dana.boss@acme.test';
const world = () =>
  snapshots({
    okta: okta([{ login: ANA }, { login: DANA }]),
    salesforce: [salesforce('prod', [])],
  });
const unknown = (input: PolicyInput) =>
  plan(makePolicy(input), world()).findings.filter((f) => f.code === 'unknown-person');

describe('people the policy names who do not exist', () => {
  it.each<[string, PolicyInput, string]>([
    [
      'UC-05 an exception for a misspelt login',
      {
        exceptions: [
          {
            id: 'ana-reports',
            person: 'ana.lopz@acme.test',
            org: 'prod',
            permissionSets: ['Report_Builder'],
            expires: '2099-01-01',
            ticket: 'ACC-1',
          },
        ],
      },
      'exceptions["ana-reports"].person: "ana.lopz@acme.test" is no person in the identity source or state; did you mean "ana.lopez@acme.test"?',
    ],
    [
      'UC-13 a link for nobody',
      { links: [{ person: 'ghost@acme.test', salesforce: { prod: 'ghost@acme.test' }, reason: 'x' }] },
      'links["ghost@acme.test"].person: "ghost@acme.test" is no person in the identity source or state',
    ],
    [
      'UC-06 a successor who does not exist',
      { lifecycle: { successors: { [ANA]: 'dana.bos@acme.test' } } },
      'lifecycle.successors["ana.lopez@acme.test"] (the successor): "dana.bos@acme.test" is no person in the identity source or state; did you mean "dana.boss@acme.test"?',
    ],
    [
      'UC-06 a leaver in successors who never existed',
      { lifecycle: { successors: { 'left.in.2019@old-company.example': DANA } } },
      'lifecycle.successors["left.in.2019@old-company.example"]: "left.in.2019@old-company.example" is no person in the identity source or state',
    ],
  ])('%s blocks the plan and says what it names', (_, input, message) => {
    const p = plan(makePolicy(input), world());
    expect(unknown(input)).toEqual([expect.objectContaining({ severity: 'block', message })]);
    expect(p.blocked).toBe(true);
    expect(p.blockedReasons).toContain(message);
  });

  it('is quiet when every name is a person', () => {
    const input: PolicyInput = {
      links: [{ person: ANA, salesforce: { prod: ANA }, reason: 'x' }],
      lifecycle: { successors: { [ANA]: DANA } },
    };
    expect(unknown(input)).toEqual([]);
    expect(plan(makePolicy(input), world()).blocked).toBe(false);
  });

  it('names the file, line and column when the policy was loaded from files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-unknown-'));
    cpSync(join(repoRoot, 'test/fixtures/base'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'lifecycle.json'),
      `{\n  "lifecycle": {\n    "successors": {\n      "${ANA}": "dana.bos@acme.test"\n    }\n  }\n}\n`,
    );
    const { policy } = await loadPolicy(dir, { cwd: dir });
    const findings = plan(policy!, world()).findings.filter((f) => f.code === 'unknown-person');
    expect(findings.map((f) => f.message)).toEqual([
      'lifecycle.json:4:30 lifecycle.successors["ana.lopez@acme.test"] (the successor): "dana.bos@acme.test" is no person in the identity source or state; did you mean "dana.boss@acme.test"?',
    ]);
  });
});
