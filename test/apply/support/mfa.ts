import { expect } from '@jest/globals';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '@accord/sandbox';
import { loopbackSandbox, policiesDir, scratch } from './harness.js';
import { accordInProcess, planOrApplyIn } from './in-process.js';

/**
 * UC-17 end to end, shared by the Okta (mfa.e2e) and OneLogin (mfa-onelogin.e2e) tests: a
 * loopback sandbox, the demo policy less its exception (which grants Report_Builder too) plus the
 * test's mfa rules, the org's restrictive permission set, and plans counted by one route.
 */

export const RESTRICTED = 'MFA_Restricted';
export const SENSITIVE = 'Report_Builder';

export interface PlanJson {
  changes: { action: string; address: string; person?: string }[];
  findings?: { code: string; person?: string; message: string }[];
}

export interface MfaEstate {
  sandbox: Sandbox;
  policies: string;
  run(command: 'plan' | 'apply', ...extra: string[]): ReturnType<typeof accordInProcess>;
  /** A plan as JSON, with the calls it made to `route` of `tenant`. */
  planJson(): Promise<PlanJson & { calls: number }>;
  /** `accord report mfa --format json`. */
  report(): ReturnType<typeof accordInProcess>;
  close(): Promise<void>;
}

export async function mfaEstate(options: {
  people: number;
  name: string;
  rules: unknown[];
  counted: { tenant: string; route: string };
}): Promise<MfaEstate> {
  const sandbox = await loopbackSandbox({ people: options.people, seed: 21 });
  const dir = scratch(options.name);
  const policies = join(dir.dir, 'policies');
  cpSync(policiesDir, policies, { recursive: true });
  rmSync(join(policies, 'exceptions.json'));
  writeFileSync(join(policies, 'access', 'mfa.json'), JSON.stringify({ access: options.rules }));
  // The org's restrictive permission set (a custom one, as an admin would create it).
  const prod = sandbox.stores.salesforce.prod!;
  const template = prod.named('PermissionSet', SENSITIVE)!;
  const id = prod.nextId('PermissionSet');
  prod.write('PermissionSet', id, { ...template, Id: id, Name: RESTRICTED, Label: 'MFA Restricted' });

  const run = planOrApplyIn(() => ({ sandbox, policies, dir }));
  return {
    sandbox,
    policies,
    run,
    async planJson() {
      sandbox.instrument.reset();
      const r = await run('plan', '--format', 'json');
      expect(r.status).toBe(0);
      return { ...(JSON.parse(r.stdout) as PlanJson), calls: sandbox.instrument.count(options.counted) };
    },
    report: () =>
      accordInProcess(sandbox, [
        'report',
        'mfa',
        '--policies',
        policies,
        '--state',
        dir.state,
        '--format',
        'json',
      ]),
    async close() {
      await sandbox.close();
      dir.remove();
    },
  };
}

/** The people (lower-cased) a plan gives `action` on the prod permission set `set`. */
export const people = (plan: PlanJson, action: string, set: string): string[] =>
  plan.changes
    .filter(
      (c) =>
        c.action === action &&
        c.address.includes(`salesforce.prod`) &&
        c.address.includes(`permissionSet["${set}"]`),
    )
    .map((c) => c.person!.toLowerCase())
    .sort();

/** Checks each row's people against who the plan restricts and who keeps the sensitive set. */
export function expectGrants(
  plan: PlanJson,
  table: { who: string; people: string[]; restricted: boolean; sensitive: boolean }[],
): void {
  const restricted = new Set(people(plan, 'grant', RESTRICTED));
  const sensitive = new Set(people(plan, 'grant', SENSITIVE));
  for (const row of table)
    for (const p of row.people)
      expect({ who: row.who, p, restricted: restricted.has(p), sensitive: sensitive.has(p) }).toEqual({
        who: row.who,
        p,
        restricted: row.restricted,
        sensitive: row.sensitive,
      });
}

/**
 * After one person fixed their MFA and another lost it: the plan moves both (and costs `calls`
 * reads), an apply converges, and the plan after it reads nothing.
 */
export async function expectFlipConverges(
  estate: MfaEstate,
  fixed: string,
  lost: string,
  calls: number,
): Promise<void> {
  const next = await estate.planJson();
  expect(next.calls).toBe(calls);
  expect(people(next, 'revoke', RESTRICTED)).toEqual([fixed]);
  expect(people(next, 'grant', SENSITIVE)).toEqual([fixed]);
  expect(people(next, 'grant', RESTRICTED)).toEqual([lost]);
  expect(people(next, 'revoke', SENSITIVE)).toEqual([lost]);
  expect((await estate.run('apply')).status).toBe(0);
  const done = await estate.planJson();
  expect(done.changes).toEqual([]);
  expect(done.calls).toBe(0);
}
