/**
 * Drift with three kinds (UC-26, issue 16 item 3), against the sandbox through the real clients:
 * after an apply, a leaver in Okta, a member added to a source group and an exception that expired
 * since are lifecycle (exit 3); a permission set granted by hand in Salesforce and a member added by
 * hand to a group accord owns are drift (exit 2); and the kinds never mix.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import { createRecord } from '@accord/sandbox';
import type { DriftReport } from '../../src/plan/drift.js';
import { readState } from '../../src/state/state-file.js';
import { loopbackSandbox, readAudit, scratch } from './support/harness.js';
import { accordInProcess, applyInProcess } from './support/in-process.js';

let sandbox: Sandbox;
let dir: ReturnType<typeof scratch>;

const drift = async () => {
  const run = await accordInProcess(sandbox, ['drift', '--format', 'json', '--state', dir.state]);
  return { status: run.status, report: JSON.parse(run.stdout) as DriftReport };
};
const people = (entries: DriftReport['drift']) => [...new Set(entries.map((e) => e.change.person))].sort();

beforeAll(async () => {
  sandbox = await loopbackSandbox({ people: 60, seed: 16 });
  dir = scratch('drift-kinds');
  // The first apply may pass guard rails (--allow-large-change), so it says why.
  process.env.ACCORD_OVERRIDE_REASON = 'SEC-42: first import of the estate';
  const run = await applyInProcess(sandbox, dir);
  delete process.env.ACCORD_OVERRIDE_REASON;
  expect(run.status).toBe(0);
});
afterAll(async () => {
  await sandbox.close();
  dir.remove();
});

describe('UC-20 a guard-rail override is audited with its reason', () => {
  it('writes ACCORD_OVERRIDE_REASON on every entry of a run allowed past guard rails', async () => {
    const entries = await readAudit(dir.audit);
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.override))).toEqual(new Set(['SEC-42: first import of the estate']));
  });
});

describe('UC-26 drift, lifecycle and pending kept apart', () => {
  it('records every person’s source facts at apply, and a fresh drift run is clean (exit 0)', async () => {
    const state = await readState(dir.state);
    expect(Object.keys(state.sourceFacts ?? {}).length).toBeGreaterThan(40);
    const { status, report } = await drift();
    expect({ status, drift: report.drift, lifecycle: report.lifecycle, pending: report.pending }).toEqual({
      status: 0,
      drift: [],
      lifecycle: [],
      pending: [],
    });
  });

  it('a leaver in Okta and a new Sales member are lifecycle, not drift (exit 3)', async () => {
    const okta = sandbox.stores.okta;
    const state = await readState(dir.state);
    const linked = (login: string) => state.links[login]?.['salesforce:prod'] !== undefined;
    const sales = okta.findGroupByName('Sales')!;
    const active = okta
      .users()
      .filter((u) => u.status === 'ACTIVE' && u.profile.login.endsWith('@acme.test'))
      .sort((a, b) => a.profile.login.localeCompare(b.profile.login));
    const leaver = active.find((u) => okta.isMember(sales.id, u.id) && linked(u.profile.login))!;
    const joiner = active.find(
      (u) =>
        !okta.isMember(sales.id, u.id) && okta.groupsOfUser(u.id).length === 1 && !linked(u.profile.login),
    );
    okta.transition(leaver.id, 'deactivate');
    if (joiner) okta.addMember(sales.id, joiner.id);

    const { status, report } = await drift();
    expect(report.drift).toEqual([]);
    expect(people(report.lifecycle)).toEqual(
      [leaver.profile.login, ...(joiner ? [joiner.profile.login] : [])].sort(),
    );
    expect(report.lifecycle.map((e) => e.change.action)).toContain('deactivate');
    expect(status).toBe(3);
  });

  it('a permission set granted by hand in Salesforce is drift (exit 2), listed apart from lifecycle', async () => {
    const prod = sandbox.stores.salesforce.prod!;
    const state = await readState(dir.state);
    const steady = Object.entries(state.links)
      .filter(
        ([person, links]) =>
          links['salesforce:prod'] && sandbox.stores.okta.findUserByLogin(person)?.status === 'ACTIVE',
      )
      .map(([, links]) => links['salesforce:prod']!)
      .sort();
    const user = prod
      .records('User')
      .find((u) => steady.includes(String(u.Username).toLowerCase()) || steady.includes(String(u.Username)))!;
    const set = prod.records('PermissionSet').find((p) => p.Name === 'API_Only')!;
    createRecord(prod, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: set.Id });

    const { status, report } = await drift();
    expect(report.drift.map((e) => `${e.change.action} ${e.change.address}`)).toEqual([
      `revoke salesforce.prod.user[${JSON.stringify(String(user.Username))}].permissionSet["API_Only"]`,
    ]);
    expect(report.lifecycle.length).toBeGreaterThan(0);
    expect(status).toBe(2);
  });

  it('a member added by hand to a group accord owns is drift: accord takes it back out', async () => {
    const okta = sandbox.stores.okta;
    const admins = okta.findGroupByName('Salesforce Admins')!;
    const outsider = okta
      .users()
      .filter((u) => u.status === 'ACTIVE' && !okta.isMember(admins.id, u.id))
      .sort((a, b) => a.profile.login.localeCompare(b.profile.login))[0]!;
    okta.addMember(admins.id, outsider.id);
    const { status, report } = await drift();
    expect(report.drift.map((e) => `${e.change.action} ${e.change.address}`)).toContain(
      `revoke okta.group["Salesforce Admins"].member[${JSON.stringify(outsider.profile.login)}]`,
    );
    expect(report.lifecycle.map((e) => e.change.address)).not.toContain(
      `okta.group["Salesforce Admins"].member[${JSON.stringify(outsider.profile.login)}]`,
    );
    expect(status).toBe(2);
  });

  it('an exception that expired since the last apply is lifecycle, not drift', async () => {
    // The demo's exception for ana.lopez ends 2027-03-31; the last apply ran before that.
    jest.useFakeTimers({ now: new Date('2027-04-02T09:00:00Z'), doNotFake: [...NOT_THE_CLOCK] });
    try {
      const { report } = await drift();
      const revoke = 'revoke salesforce.prod.user["ana.lopez@acme.test"].permissionSet["Report_Builder"]';
      expect(report.lifecycle.map((e) => `${e.change.action} ${e.change.address}`)).toContain(revoke);
      expect(report.drift.map((e) => `${e.change.action} ${e.change.address}`)).not.toContain(revoke);
    } finally {
      jest.useRealTimers();
    }
  });
});

/** Only Date moves: HTTP, the sandbox and the policy worker keep real timers. */
const NOT_THE_CLOCK = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;
