/** `accord diff` end to end: bin/accord.js in a temporary repository, NO_COLOR. */
import { afterAll, describe, expect, it } from '@jest/globals';
import type { RefDiff } from '../../src/plan/ref-diff.js';
import type { AccessRule, ManagedGroup } from '../../src/policy/types.js';
import { TempRepo } from '../gitops/temp-repo.js';
import { runCli } from './run-cli.js';

describe('accord diff', () => {
  const repo = new TempRepo().copyDemoPolicies();
  const base = repo.commit('demo policy');
  repo
    .editJson<{ access: AccessRule[] }>('policies/access/sales.json', (doc) => {
      doc.access[0]!.grants.prod!.permissionSets = ['Sales_Cloud_User', 'Report_Builder'];
    })
    .editJson<{ groups: ManagedGroup[] }>('policies/groups.json', (doc) => {
      doc.groups[0]!.members = ['sam.admin@acme.test'];
    });
  repo.commit('grant Report_Builder to Sales; lee leaves the admins');
  afterAll(() => repo.remove());
  const cli = (...args: string[]) => runCli(['diff', ...args], { cwd: repo.dir });

  it('--sandbox --format markdown prints the PR comment section and exits 0', () => {
    const run = cli('--base', base, '--sandbox', '--format', 'markdown');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^## accord diff: `[0-9a-f]{40}` → `HEAD`\n/);
    expect(run.stdout).toContain(
      '- **changed** `sales-reps`\n  - `grants.prod.permissionSets`: added `"Report_Builder"`',
    );
    expect(run.stdout).toContain(
      '- **changed** `okta:Salesforce Admins`\n  - `members`: removed `"lee.admin@acme.test"`',
    );
    expect(run.stdout).toContain('- `lee.admin@acme.test` (**loses an account**)');
    expect(run.stdout).toContain(
      '- `lee.admin@acme.test` loses `profile:System Administrator` in Salesforce prod',
    );
    expect(run.stdout).toMatch(
      /gains `permissionSet:Report_Builder` in Salesforce prod \(rule `sales-reps`\)/,
    );
  });

  it('--no-impact --format json reads no platform and round-trips', () => {
    const run = cli('--base', base, '--head', 'HEAD', '--no-impact', '--format', 'json');
    expect(run.status).toBe(0);
    const diff = JSON.parse(run.stdout) as RefDiff;
    expect(diff.formatVersion).toBe(1);
    expect(diff.impact).toBeUndefined();
    expect(diff.policy.groups[0]?.membersRemoved).toEqual(['lee.admin@acme.test']);
  });

  it('prints text by default, without colour under NO_COLOR', () => {
    const run = cli('--base', base, '--no-impact');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('    ~ sales-reps\n        grants.prod.permissionSets: +"Report_Builder"\n');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('an unknown ref or a missing --base is an error on one line, exit 1, no stack', () => {
    const unknown = cli('--base', 'origin/nope', '--no-impact');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(
      'error: unknown git ref "origin/nope"\nhint: fetch it first (in CI: actions/checkout with fetch-depth: 0)\n',
    );
    const missing = cli('--no-impact');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("required option '--base <ref>' not specified");
  });

  it('an invalid policy at a ref prints its diagnostics as ref:file:line', () => {
    repo.write('policies/exceptions.json', '{ "exceptions": [ }\n');
    repo.commit('broken');
    const run = cli('--base', base, '--no-impact');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^HEAD:policies\/exceptions\.json:1:\d+ error /m);
    expect(run.stderr).toMatch(
      /^error: the policy at HEAD \([0-9a-f]{12}\) is invalid; nothing was compared$/m,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
