/**
 * The UC-21 access-review scenario both report tests start from: the demo sandbox (60 people,
 * seed 21) after a first `accord apply` of the demo policy, plus one permission set assigned by
 * hand in Salesforce (API_Only to Ana, in prod), which the report must flag; then
 * `accord report access --format json` on it.
 */
import { createRecord, type Sandbox } from '@accord/sandbox';
import { expect } from '@jest/globals';
import type { AccessReport } from '../../../src/render/access-report.js';
import { loopbackSandbox, scratch } from '../../apply/support/harness.js';
import { accordInProcess, applyInProcess } from '../../apply/support/in-process.js';

export const ANA = 'ana.lopez@acme.test';
export const KIM = 'kim.mover@acme.test';

export interface AccessFixture {
  sandbox: Sandbox;
  dir: ReturnType<typeof scratch>;
  /** The JSON report. */
  report: AccessReport;
  /** The Salesforce user the hand-made assignment went to. */
  handMade: { username: string };
  /** `report access --state … --audit …` followed by `more`. */
  reportArgs: (...more: string[]) => string[];
  close: () => Promise<void>;
}

export async function accessFixture(prefix: string): Promise<AccessFixture> {
  const sandbox = await loopbackSandbox({ people: 60, seed: 21 });
  const dir = scratch(prefix);
  process.env.ACCORD_OVERRIDE_REASON = 'UC-21 test: first import of the estate';
  const applied = await applyInProcess(sandbox, dir);
  delete process.env.ACCORD_OVERRIDE_REASON;
  expect(applied.status).toBe(0);
  const prod = sandbox.stores.salesforce.prod!;
  const user = prod.records('User').find((u) => String(u.Username).toLowerCase() === ANA)!;
  const set = prod.records('PermissionSet').find((p) => p.Name === 'API_Only')!;
  createRecord(prod, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: set.Id });
  const reportArgs = (...more: string[]) => [
    'report',
    'access',
    '--state',
    dir.state,
    '--audit',
    dir.audit,
    ...more,
  ];
  const run = await accordInProcess(sandbox, reportArgs('--format', 'json'));
  expect(run.stderr).not.toMatch(/error/);
  expect(run.status).toBe(0);
  return {
    sandbox,
    dir,
    report: JSON.parse(run.stdout) as AccessReport,
    handMade: { username: String(user.Username) },
    reportArgs,
    close: async () => {
      await sandbox.close();
      dir.remove();
    },
  };
}
