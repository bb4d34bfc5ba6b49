import type { SalesforceUser, Snapshots } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';
import { matchRules } from './access-rules.js';
import { desiredIdp, type DesiredGroup, type DesiredIdpAccount } from './desired-idp.js';
import { desiredSalesforce, type DesiredSalesforceUser } from './desired-salesforce.js';
import { linkDecisions } from './links.js';
import { createNormalizer } from './normalize.js';
import { withOwnedMemberships } from './owned-memberships.js';
import { buildPeople, type Person } from './people.js';
import { unknownPeople } from './unknown-people.js';
import type { Conflict, Finding } from '../model/findings.js';

/**
 * Compile: Policy × Snapshots × State → DesiredState. Pure: no network, no clock (`today` is an
 * input), so the same inputs always give the same desired state.
 */
export interface DesiredState {
  people: Person[];
  salesforce: DesiredSalesforceUser[];
  groups: DesiredGroup[];
  idpAccounts: DesiredIdpAccount[];
  /** Active Salesforce users no person claims, by org (UC-08). */
  orphans: Record<string, SalesforceUser[]>;
  conflicts: Conflict[];
  findings: Finding[];
}

export interface CompileOptions {
  /** Today's date (UTC, YYYY-MM-DD): exceptions apply up to and including their expiry. */
  today: string;
}

export function compile(
  policy: Policy,
  snapshots: Snapshots,
  state: State,
  options: CompileOptions,
): DesiredState {
  const normalize = createNormalizer(policy.identity.normalize);
  const decisions = linkDecisions(policy, state);
  const built = buildPeople(policy, snapshots, normalize, decisions, Object.keys(state.links));
  const conflicts = built.conflicts;
  const idp = desiredIdp(policy, snapshots, built.people);
  const people = withOwnedMemberships(built.people, idp.groups);
  const findings: Finding[] = [];
  const salesforce: DesiredSalesforceUser[] = [];
  const rules = matchRules(policy, people);
  const positionOf = new Map(people.map((p, i) => [p.key, i]));
  const orphans: Record<string, SalesforceUser[]> = {};
  for (const org of Object.keys(policy.platforms.salesforce ?? {}).sort()) {
    const snapshot = snapshots.salesforce[org];
    if (!snapshot) continue;
    const result = desiredSalesforce({
      policy,
      org,
      snapshot,
      people,
      positionOf,
      rules,
      normalize,
      matchValues: built.matchValues,
      decisions,
      today: options.today,
    });
    salesforce.push(...result.users);
    conflicts.push(...result.conflicts);
    findings.push(...result.findings);
    orphans[org] = result.orphans;
  }
  findings.push(...idp.findings, ...unknownPeople(policy, people));
  for (const [name, snapshot] of [
    ['okta', snapshots.okta],
    ['onelogin', snapshots.onelogin],
  ] as const) {
    for (const missing of snapshot?.missingGroups ?? []) {
      if (idp.groups.some((g) => g.platform === name && g.name === missing)) continue;
      findings.push({
        code: 'missing-group',
        severity: 'info',
        platform: name,
        message: `${name} ${name === 'okta' ? 'group' : 'role'} "${missing}" named in policy does not exist; conditions on it match nobody`,
      });
    }
  }
  return { people, salesforce, groups: idp.groups, idpAccounts: idp.accounts, orphans, conflicts, findings };
}
