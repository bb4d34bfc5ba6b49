/**
 * Access by app assignment (UC-01): an `app` condition holds for a person whose own directory
 * assigns them the app, directly or through a group or role. Plans of hand-built snapshots;
 * test/providers/app-assignments.e2e.test.ts reads the same facts from the sandbox.
 */
import { describe, expect, it } from '@jest/globals';
import type { AccessRule } from '../../src/policy/types.js';
import { snapshotScope } from '../../src/providers/scope.js';
import {
  lines,
  makePolicy,
  okta,
  onelogin,
  plan,
  psAddr,
  salesforce,
  snapshots,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const BEN = 'ben.ortiz@acme.test';
const GINA = 'gina.globex@globex.test';
const byApp: AccessRule = {
  id: 'salesforce-app',
  when: { app: 'Salesforce' },
  grants: { prod: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } },
};
const policy = makePolicy({ access: [byApp] });
/** The source is Okta; Globex people are owned by OneLogin. */
const globexPolicy = makePolicy({
  platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
  identity: {
    source: 'okta',
    populations: [
      { id: 'globex', owner: 'onelogin', when: { attribute: { name: 'email', matches: '*@globex.test' } } },
    ],
  },
  access: [byApp],
});
const created = (p: ReturnType<typeof plan>) => lines(p).filter((l) => l.startsWith('create '));

describe('UC-01 access by app assignment', () => {
  it('UC-01 a person assigned the app gets the grant, and one who is not gets nothing', () => {
    const p = plan(
      policy,
      snapshots({
        okta: okta([{ login: ANA, apps: ['Salesforce'] }, { login: BEN }], { apps: ['Salesforce'] }),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(created(p)).toEqual([`create salesforce.prod.user["${ANA}"]`]);
    expect(lines(p)).toContain(`grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`);
    expect(p.blocked).toBe(false);
  });

  it('UC-01 labels are matched ignoring case, as people type them', () => {
    const p = plan(
      makePolicy({ access: [{ ...byApp, when: { app: 'salesFORCE' } }] }),
      snapshots({
        okta: okta([{ login: ANA, apps: ['Salesforce'] }], { apps: ['Salesforce'] }),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(created(p)).toEqual([`create salesforce.prod.user["${ANA}"]`]);
  });

  it('UC-01 losing the app assignment revokes what it granted', () => {
    const live = salesforce('prod', [
      { username: ANA, federationId: ANA, profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] },
    ]);
    const assigned = plan(
      policy,
      snapshots({
        okta: okta([{ login: ANA, apps: ['Salesforce'] }], { apps: ['Salesforce'] }),
        salesforce: [live],
      }),
    );
    expect(lines(assigned)).toEqual([]);
    const unassigned = plan(
      policy,
      snapshots({ okta: okta([{ login: ANA }], { apps: ['Salesforce'] }), salesforce: [live] }),
    );
    expect(lines(unassigned)).toContain(`revoke ${psAddr('prod', ANA, 'Sales_Cloud_User')}`);
  });

  it("UC-01 a OneLogin population's people are judged by OneLogin's app, not by an Okta app of the same label", () => {
    const p = plan(
      globexPolicy,
      snapshots({
        // Ana's OneLogin account has the OneLogin app, but her own directory is Okta, which does not assign it.
        okta: okta([{ login: ANA }], { apps: ['Salesforce'] }),
        onelogin: onelogin(
          [
            { login: GINA, apps: ['Salesforce'] },
            { login: ANA, apps: ['Salesforce'] },
          ],
          {
            apps: ['Salesforce'],
          },
        ),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(created(p)).toEqual([`create salesforce.prod.user["${GINA}"]`]);
  });

  it('UC-01 an app no directory has blocks the plan, naming the label, rather than revoke what it granted', () => {
    const live = salesforce('prod', [
      { username: ANA, federationId: ANA, profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] },
    ]);
    const p = plan(
      policy,
      snapshots({ okta: okta([{ login: ANA }], { missingApps: ['Salesforce'] }), salesforce: [live] }),
    );
    expect(p.blocked).toBe(true);
    expect(p.blockedReasons.join('\n')).toMatch(/no app is labelled "Salesforce" in okta/);
    expect(p.findings).toContainEqual(expect.objectContaining({ code: 'missing-app', severity: 'block' }));
  });

  it('UC-01 an app missing from one of two home directories only warns: its people simply lack it', () => {
    const p = plan(
      globexPolicy,
      snapshots({
        okta: okta([{ login: ANA, apps: ['Salesforce'] }], { apps: ['Salesforce'] }),
        onelogin: onelogin([{ login: GINA }], { missingApps: ['Salesforce'] }),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(p.blocked).toBe(false);
    expect(p.findings).toContainEqual(
      expect.objectContaining({ code: 'missing-app', severity: 'warn', platform: 'onelogin' }),
    );
    expect(created(p)).toEqual([`create salesforce.prod.user["${ANA}"]`]);
  });

  it('UC-01 apps are read only where people live, and only when a condition names one', () => {
    expect(snapshotScope(policy)).toMatchObject({ oktaApps: ['Salesforce'], oneloginApps: [] });
    const onelogins = makePolicy({
      platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
      identity: {
        source: 'okta',
        populations: [{ id: 'globex', owner: 'onelogin', when: { app: 'Globex Portal' } }],
      },
      access: [byApp],
    });
    expect(snapshotScope(onelogins)).toMatchObject({
      oktaApps: ['Globex Portal', 'Salesforce'],
      oneloginApps: ['Globex Portal', 'Salesforce'],
    });
    expect(snapshotScope(makePolicy())).toMatchObject({ oktaApps: [], oneloginApps: [] });
  });
});
