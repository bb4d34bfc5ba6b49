import { createHash } from 'node:crypto';
import type { Change, ChangeAction, ChangeKind } from '../../src/model/change.js';
import type { PlatformId } from '../../src/model/snapshot.js';
import { changesDigest } from '../../src/model/change-id.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../../src/plan/types.js';

/** Hand-made plans for the renderers: the planner is not needed to test how a plan reads. */

const idOf = (address: string, action: ChangeAction): string =>
  createHash('sha256').update(`${address} ${action}`).digest('hex').slice(0, 12);

function platformOf(address: string): PlatformId {
  if (address.startsWith('okta.')) return 'okta';
  if (address.startsWith('onelogin.')) return 'onelogin';
  const org = /^salesforce\.([^.]+)\./.exec(address)?.[1];
  if (!org) throw new Error(`fixture: no platform in ${address}`);
  return `salesforce:${org}`;
}

function kindOf(address: string): ChangeKind {
  if (address.includes('.member[')) return 'membership';
  if (address.includes('.permissionSetGroup[')) return 'permissionSetGroup';
  if (address.includes('.permissionSet[')) return 'permissionSet';
  if (address.includes('.records[')) return 'records';
  if (/\.(group|role)\["[^"]*"\]$/.test(address)) return 'group';
  return 'account';
}

const firstKey = (address: string): string => /\.(?:user|member)\["([^"]*)"\]/.exec(address)?.[1] ?? '';
/** A membership's target is its group or role; any other change's is the last name in the address. */
const targetName = (address: string): string =>
  /\.(?:group|role)\["([^"]*)"\]\.member/.exec(address)?.[1] ?? /\["([^"]*)"\]$/.exec(address)?.[1] ?? '';

export interface ChangeOptions {
  before?: unknown;
  after?: unknown;
  dependsOn?: Change[];
  rule?: string;
}

export function change(
  address: string,
  action: ChangeAction,
  source: string,
  options: ChangeOptions = {},
): Change {
  const kind = kindOf(address);
  return {
    id: idOf(address, action),
    address,
    platform: platformOf(address),
    kind,
    action,
    account: { key: firstKey(address) },
    ...(kind === 'account' ? {} : { target: { name: targetName(address) } }),
    before: options.before ?? null,
    after: options.after ?? null,
    dependsOn: (options.dependsOn ?? []).map((c) => c.id),
    reason: options.rule ? { rule: options.rule, source } : { source },
  };
}

export function plan(changes: Change[], extra: Partial<Plan> = {}): Plan {
  const byAction: Plan['summary']['byAction'] = {};
  for (const c of changes) byAction[c.action] = (byAction[c.action] ?? 0) + 1;
  const impact = extra.impact ?? [];
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: '2025-03-01T09:00:00.000Z',
    environment: 'production',
    policyDigest: 'sha256:4f1c0de',
    snapshotFingerprints: {
      okta: 'sha256:aa01',
      onelogin: 'sha256:bb02',
      'salesforce:prod': 'sha256:cc03',
      'salesforce:emea': 'sha256:dd04',
    },
    changesDigest: changesDigest(changes),
    changes,
    conflicts: [],
    findings: [],
    impact,
    summary: {
      byAction,
      total: changes.length,
      peopleDeprovisioned: impact.filter((p) => p.deprovisioned).length,
      peopleInScope: 40,
    },
    blocked: false,
    blockedReasons: [],
    ...extra,
  };
}

/** The demo situation: a joiner, a mover, a leaver, a mirror, and one identity nobody can guess. */
export function demoPlan(extra: Partial<Plan> = {}): Plan {
  const anaOkta = change('okta.user["ana@acme.test"]', 'create', 'hr: ana@acme.test hired', {
    rule: 'okta-accounts',
  });
  const anaSales = change('okta.group["Sales"].member["ana@acme.test"]', 'grant', 'department = "Sales"', {
    rule: 'sales-group',
    dependsOn: [anaOkta],
  });
  const gina = change(
    'onelogin.role["Globex Sales"].member["gina@globex.test"]',
    'grant',
    'mirror of okta.group["Sales"]',
    { rule: 'mirror-sales' },
  );
  const anaSf = change('salesforce.prod.user["ana@acme.test"]', 'create', 'okta.group["Sales"]', {
    rule: 'sales-prod',
    dependsOn: [anaSales],
  });
  const anaPs = change(
    'salesforce.prod.user["ana@acme.test"].permissionSet["Sales_Cloud_User"]',
    'grant',
    'okta.group["Sales"]',
    { rule: 'sales-prod', dependsOn: [anaSf] },
  );
  const bobTitle = change(
    'salesforce.prod.user["bob@acme.test"]',
    'update',
    'okta.user["bob@acme.test"].title',
    {
      rule: 'attributes',
      before: { Title: 'AE', Department: 'Sales' },
      after: { Title: 'Senior AE', Department: 'Sales' },
    },
  );
  const bobPsg = change(
    'salesforce.prod.user["bob@acme.test"].permissionSetGroup["Sales_Leadership"]',
    'grant',
    'okta.user["bob@acme.test"].title = "Senior AE"',
    { rule: 'leadership', dependsOn: [bobTitle] },
  );
  const carlFreeze = change(
    'salesforce.emea.user["carl@acme.test"]',
    'freeze',
    'okta.user["carl@acme.test"] deprovisioned',
    {
      rule: 'offboarding',
    },
  );
  const carlRecords = change(
    'salesforce.emea.user["carl@acme.test"].records["Opportunity"]',
    'transfer',
    'okta.user["carl@acme.test"].manager',
    { rule: 'offboarding', after: { to: { user: 'dana@acme.test' } }, dependsOn: [carlFreeze] },
  );
  const carlPs = change(
    'salesforce.emea.user["carl@acme.test"].permissionSet["Sales_Cloud_User"]',
    'revoke',
    'okta.user["carl@acme.test"] deprovisioned',
    { rule: 'offboarding', dependsOn: [carlFreeze] },
  );
  const carlOff = change(
    'salesforce.emea.user["carl@acme.test"]',
    'deactivate',
    'okta.user["carl@acme.test"] deprovisioned',
    {
      rule: 'offboarding',
      dependsOn: [carlRecords, carlPs],
    },
  );
  return plan(
    [anaOkta, anaSales, gina, anaSf, anaPs, bobTitle, bobPsg, carlFreeze, carlRecords, carlPs, carlOff],
    {
      conflicts: [
        {
          person: 'eve@acme.test',
          platform: 'salesforce:prod',
          kind: 'ambiguous',
          key: 'email',
          candidates: ['eve@acme.test', 'eve.adams@acme.test'],
          message: '2 Salesforce users match by email',
          resolution: { person: 'eve@acme.test', salesforce: { prod: 'eve.adams@acme.test' } },
        },
      ],
      findings: [
        {
          code: 'orphan-account',
          severity: 'info',
          message: 'no person owns this account',
          address: 'okta.user["svc-ci@acme.test"]',
        },
        {
          code: 'sensitive',
          severity: 'warn',
          message: 'Sales_Leadership is sensitive',
          person: 'bob@acme.test',
          rule: 'leadership',
        },
        {
          code: 'protected-account',
          severity: 'block',
          message: 'admin@acme.test is protected',
          address: 'salesforce.prod.user["admin@acme.test"]',
        },
      ],
      impact: [
        {
          person: 'ana@acme.test',
          gained: [
            { platform: 'okta', entitlement: 'account', rule: 'okta-accounts' },
            { platform: 'okta', entitlement: 'group:Sales', rule: 'sales-group' },
            {
              platform: 'salesforce:prod',
              entitlement: 'permissionSet:Sales_Cloud_User',
              rule: 'sales-prod',
            },
          ],
          lost: [],
          deprovisioned: false,
        },
        {
          person: 'bob@acme.test',
          gained: [
            {
              platform: 'salesforce:prod',
              entitlement: 'permissionSetGroup:Sales_Leadership',
              rule: 'leadership',
              sensitive: true,
            },
          ],
          lost: [],
          deprovisioned: false,
        },
        {
          person: 'carl@acme.test',
          gained: [],
          lost: [
            { platform: 'salesforce:emea', entitlement: 'account', rule: 'offboarding' },
            {
              platform: 'salesforce:emea',
              entitlement: 'permissionSet:Sales_Cloud_User',
              rule: 'offboarding',
            },
          ],
          deprovisioned: true,
        },
      ],
      ...extra,
    },
  );
}
