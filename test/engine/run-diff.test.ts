/** UC-25: the semantic policy diff and its access impact between two commits of a temporary repository. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffRefs } from '../../src/engine/run-diff.js';
import { InvalidPolicyAtRef } from '../../src/gitops/policy-at-ref.js';
import { type RefDiff } from '../../src/plan/ref-diff.js';
import { loadPolicyAtRef, openPolicyRepo } from '../../src/gitops/policy-at-ref.js';
import { countPolicyChanges } from '../../src/plan/semantic-diff.js';
import type { AccessException, AccessRule, ManagedGroup } from '../../src/policy/types.js';
import { generateCompany } from '@accord/sandbox';
import { syntheticSnapshots } from '../support/synthetic-snapshots.js';
import { TempRepo } from '../gitops/temp-repo.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const company = generateCompany({ people: 60, seed: 7 });
const snapshot = async (scope: { oktaGroups: readonly string[]; oneloginRoles: readonly string[] }) =>
  syntheticSnapshots(company, scope);

/** The demo policy, then: a rule gains a permission set and priority, an exception grows, the admin group swaps a member. */
function reviewRepo(): { repo: TempRepo; base: string } {
  const repo = new TempRepo().copyDemoPolicies();
  const base = repo.commit('demo policy');
  repo
    .editJson<{ access: AccessRule[] }>('policies/access/sales.json', (doc) => {
      const rule = doc.access.find((r) => r.id === 'sales-reps')!;
      rule.priority = 15;
      rule.grants.prod!.permissionSets = ['Sales_Cloud_User', 'Report_Builder'];
    })
    .editJson<{ exceptions: AccessException[] }>('policies/exceptions.json', (doc) => {
      doc.exceptions[0]!.expires = '2027-06-30';
      doc.exceptions[0]!.permissionSets = ['Report_Builder', 'Billing_Approver'];
    })
    .editJson<{ groups: ManagedGroup[] }>('policies/groups.json', (doc) => {
      doc.groups[0]!.members = ['sam.admin@acme.test', 'kim.mover@acme.test'];
    });
  repo.commit('review me');
  return { repo, base };
}

describe('accord diff between two commits (UC-25)', () => {
  const { repo, base } = reviewRepo();
  let diff: RefDiff;

  beforeAll(async () => {
    diff = await diffRefs({ base, head: 'HEAD', policies: 'policies', cwd: repo.dir, now: NOW, snapshot });
  });
  afterAll(() => repo.remove());

  it('reads both refs without touching the working tree, TS policies included', () => {
    expect(diff.base.commit).toBe(base);
    expect(diff.head.ref).toBe('HEAD');
    expect(diff.head.files).toContain('HEAD:policies/guardrails.ts');
    expect(repo.git('status', '--porcelain')).toBe('');
    // The scratch copies under .git are gone.
    expect(repo.git('ls-files', '--others')).toBe('');
  });

  it('reports the changed rule field by field', () => {
    expect(diff.policy.access).toEqual([
      expect.objectContaining({
        change: 'changed',
        id: 'sales-reps',
        fields: [
          { path: 'grants.prod.permissionSets', added: ['Report_Builder'] },
          { path: 'priority', before: 10, after: 15 },
        ],
      }),
    ]);
  });

  it('reports the changed exception and the managed group members', () => {
    expect(diff.policy.exceptions.map((e) => [e.change, e.id, e.fields])).toEqual([
      [
        'changed',
        'ana-report-builder',
        [
          { path: 'expires', before: '2027-03-31', after: '2027-06-30' },
          { path: 'permissionSets', added: ['Billing_Approver'] },
        ],
      ],
    ]);
    expect(diff.policy.groups).toEqual([
      expect.objectContaining({
        change: 'changed',
        id: 'okta:Salesforce Admins',
        membersAdded: ['kim.mover@acme.test'],
        membersRemoved: ['lee.admin@acme.test'],
      }),
    ]);
    expect(diff.policy.mirrors).toEqual([]);
    expect(diff.policy.guardrails).toEqual([]);
    expect(diff.policy.identity).toEqual([]);
  });

  it('shows a person gaining and a person losing entitlements, with the rule', () => {
    const person = (key: string) => diff.impact!.people.find((p) => p.person === key);
    expect(person('kim.mover@acme.test')?.gained).toEqual(
      expect.arrayContaining([
        { platform: 'okta', entitlement: 'group:Salesforce Admins', rule: 'groups:Salesforce Admins' },
        {
          platform: 'salesforce:prod',
          entitlement: 'profile:System Administrator',
          rule: 'salesforce-admins',
          sensitive: true,
        },
      ]),
    );
    const lee = person('lee.admin@acme.test')!;
    expect(lee.gained).toEqual([]);
    expect(lee.lost).toEqual(
      expect.arrayContaining([
        {
          platform: 'salesforce:prod',
          entitlement: 'permissionSet:Modify_All_Data',
          rule: 'salesforce-admins',
          sensitive: true,
        },
      ]),
    );
    expect(person('ana.lopez@acme.test')?.gained).toEqual([
      {
        platform: 'salesforce:prod',
        entitlement: 'permissionSet:Billing_Approver',
        rule: 'ana-report-builder',
      },
    ]);
    // Every Sales rep gains the new permission set; nobody else changes.
    const reps = diff.impact!.people.filter((p) =>
      p.gained.some((d) => d.entitlement === 'permissionSet:Report_Builder' && d.rule === 'sales-reps'),
    );
    expect(reps.length).toBeGreaterThan(3);
    expect(
      diff.impact!.people.every(
        (p) => reps.includes(p) || /^(kim\.mover|lee\.admin|ana\.lopez)@/.test(p.person),
      ),
    ).toBe(true);
  });

  it('calls out sensitive grants and the separation-of-duties violation the change introduces', () => {
    expect(diff.impact!.sensitive).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ person: 'kim.mover@acme.test', change: 'gains' }),
        expect.objectContaining({ person: 'lee.admin@acme.test', change: 'loses' }),
      ]),
    );
    expect(diff.impact!.sensitive.every((s) => s.delta.sensitive)).toBe(true);
    expect(diff.impact!.separationOfDuties.introduced).toEqual([
      expect.objectContaining({ person: 'ana.lopez@acme.test', rule: 'quote-to-cash' }),
    ]);
    expect(diff.impact!.separationOfDuties.resolved).toEqual([]);
    expect(diff.impact!.headBlocked).toBe(true);
  });

  it('reversed, gains become losses and the violation is resolved', async () => {
    const back = await diffRefs({
      base: 'HEAD',
      head: base,
      policies: 'policies',
      cwd: repo.dir,
      now: NOW,
      snapshot,
    });
    expect(
      back.impact!.people.find((p) => p.person === 'lee.admin@acme.test')?.gained.length,
    ).toBeGreaterThan(0);
    expect(back.impact!.separationOfDuties.resolved).toEqual([
      expect.objectContaining({ person: 'ana.lopez@acme.test', rule: 'quote-to-cash' }),
    ]);
  });

  it('without a snapshot reader, gives only the policy diff', async () => {
    const only = await diffRefs({ base, head: 'HEAD', policies: 'policies', cwd: repo.dir, now: NOW });
    expect(only.impact).toBeUndefined();
    expect(only.policy).toEqual(diff.policy);
  });
});

describe('policy at a ref', () => {
  const repo = new TempRepo().copyDemoPolicies();
  const first = repo.commit('demo');
  afterAll(() => repo.remove());

  it('moving a rule to another file and reordering keys is no semantic change', async () => {
    const sales = JSON.parse(repo.read('policies/access/sales.json')) as { access: AccessRule[] };
    const moved = sales.access.pop()!;
    repo.write('policies/access/sales.json', JSON.stringify(sales));
    repo.write(
      'policies/access/moved.json',
      JSON.stringify({ access: [Object.fromEntries(Object.entries(moved).reverse())] }),
    );
    repo.commit('move a rule');
    const diff = await diffRefs({ base: first, head: 'HEAD', policies: 'policies', cwd: repo.dir, now: NOW });
    // Rule order changes the digest, but not what anyone gets: no semantic change.
    expect(diff.policy.identical).toBe(false);
    expect(countPolicyChanges(diff.policy)).toBe(0);
    expect(diff.head.files).toContain('HEAD:policies/access/moved.json');
    repo.git('reset', '-q', '--hard', first);
  });

  it('an unknown ref is a one-line error', async () => {
    await expect(
      diffRefs({ base: 'no-such-branch', head: 'HEAD', policies: 'policies', cwd: repo.dir, now: NOW }),
    ).rejects.toThrow(/^unknown git ref "no-such-branch"$/);
    await expect(
      diffRefs({ base: '--upload-pack=x', head: 'HEAD', policies: 'policies', cwd: repo.dir, now: NOW }),
    ).rejects.toThrow(/is not a git ref/);
  });

  it('outside a repository is a one-line error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-norepo-'));
    try {
      await expect(
        diffRefs({ base: 'main', head: 'HEAD', policies: 'policies', cwd: dir, now: NOW }),
      ).rejects.toThrow(/is not inside a git repository/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--no-code refuses the TS files at the ref, naming them ref:path', async () => {
    const git = await openPolicyRepo(repo.dir);
    const at = await loadPolicyAtRef(git, 'HEAD', { policies: 'policies', cwd: repo.dir, noCode: true });
    expect(at.policy).toBeUndefined();
    expect(at.diagnostics.map((d) => [d.code, d.file])).toEqual([
      ['load.no-code', 'HEAD:policies/access/service.ts'],
      ['load.no-code', 'HEAD:policies/guardrails.ts'],
    ]);
  });

  it('an invalid policy at a ref fails with its diagnostics at ref:file:line', async () => {
    repo.write('policies/exceptions.json', '{ "exceptions": [ }\n');
    repo.commit('broken');
    try {
      const failure = diffRefs({ base: first, head: 'HEAD', policies: 'policies', cwd: repo.dir, now: NOW });
      await expect(failure).rejects.toBeInstanceOf(InvalidPolicyAtRef);
      const error = (await failure.catch((e: unknown) => e)) as InvalidPolicyAtRef;
      expect(error.side.diagnostics).toContainEqual(
        expect.objectContaining({ file: 'HEAD:policies/exceptions.json', line: 1, code: 'parse.json' }),
      );
      // A JSON file that cannot be read might have said allowCode: false, so no TS file ran.
      expect(error.side.diagnostics.filter((d) => d.code === 'load.no-code').map((d) => d.file)).toEqual([
        'HEAD:policies/access/service.ts',
        'HEAD:policies/guardrails.ts',
      ]);
    } finally {
      repo.git('reset', '-q', '--hard', first);
    }
  });

  it('a ref without policy files says so', async () => {
    const git = await openPolicyRepo(repo.dir);
    const at = await loadPolicyAtRef(git, 'HEAD', { policies: 'nowhere', cwd: repo.dir });
    expect(at.diagnostics).toEqual([
      expect.objectContaining({
        code: 'load.empty',
        message: 'no *.json or *.ts policy files under "nowhere" at HEAD',
      }),
    ]);
  });

  it('finds the policies from a subdirectory of the repository', async () => {
    const diff = await diffRefs({
      base: first,
      head: 'HEAD',
      policies: '.',
      cwd: join(repo.dir, 'policies'),
      now: NOW,
    });
    expect(diff.base.files[0]).toBe(`${first}:policies/access/sales.json`);
  });
});
