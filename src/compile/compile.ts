import type { IdpSnapshot, SalesforceUser, Snapshots } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';
import { matchRules } from './access-rules.js';
import { desiredIdp, type DesiredGroup, type DesiredIdpAccount } from './desired-idp.js';
import { desiredSalesforce, type DesiredSalesforceUser } from './desired-salesforce.js';
import { desiredContacts, type DesiredContact, type DesiredCrmAccount } from './desired-contacts.js';
import { linkDecisions } from './links.js';
import { createNormalizer } from './normalize.js';
import { withOwnedMemberships } from './owned-memberships.js';
import { buildPeople, type Person } from './people.js';
import { withSalesforceFacts } from './salesforce-facts.js';
import { unknownPeople } from './unknown-people.js';
import { mfaFindings, mfaGaps } from './mfa.js';
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
  /** Contacts of people, and leavers' Contacts to mark inactive (UC-14, UC-15). */
  contacts: DesiredContact[];
  /** Accounts those Contacts need that accord creates. */
  crmAccounts: DesiredCrmAccount[];
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
  const built = buildPeople(policy, snapshots, normalize, decisions, Object.keys(state.links), options.today);
  const conflicts = built.conflicts;
  // UC-16: what Salesforce says of each person, before the rules that read it.
  const sourced = withSalesforceFacts(
    { policy, people: built.people, normalize, matchValues: built.matchValues, decisions },
    snapshots,
  );
  const idp = desiredIdp(policy, snapshots, sourced);
  const people = withOwnedMemberships(sourced, idp.groups);
  const findings: Finding[] = [];
  const salesforce: DesiredSalesforceUser[] = [];
  const rules = matchRules(policy, people);
  const positionOf = new Map(people.map((p, i) => [p.key, i]));
  const orphans: Record<string, SalesforceUser[]> = {};
  const contacts: DesiredContact[] = [];
  const crmAccounts: DesiredCrmAccount[] = [];
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
    // Loops, not `push(...list)`: a spread puts every element on the stack (issue 17).
    for (const u of result.users) salesforce.push(u);
    for (const c of result.conflicts) conflicts.push(c);
    for (const f of result.findings) findings.push(f);
    orphans[org] = result.orphans;
    const syncs = (policy.contacts ?? []).filter((c) => c.org === org);
    if (syncs.length === 0) continue;
    const wanted = desiredContacts(org, syncs, snapshot, people);
    for (const c of wanted.contacts) contacts.push(c);
    for (const a of wanted.accounts) crmAccounts.push(a);
    for (const f of wanted.findings) findings.push(f);
  }
  for (const f of idp.findings) findings.push(f);
  for (const f of unknownPeople(policy, people)) findings.push(f);
  for (const f of mfaFindings(mfaGaps(policy, snapshots, people))) findings.push(f);
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
  for (const f of missingApps(snapshots)) findings.push(f);
  return {
    people,
    salesforce,
    contacts,
    crmAccounts,
    groups: idp.groups,
    idpAccounts: idp.accounts,
    orphans,
    conflicts,
    findings,
  };
}

/**
 * accord never creates apps, so an app a condition names and no directory has is a mistake (a
 * typo, a renamed app): every rule resting on it would quietly stop matching, and revoke what it
 * granted. That blocks. Missing from one of two directories that own people is a warning: those
 * people simply don't have it.
 */
function missingApps(snapshots: Snapshots): Finding[] {
  const read = [snapshots.okta, snapshots.onelogin].filter((s) => s?.apps !== undefined) as IdpSnapshot[];
  const timesMissing = new Map<string, number>();
  for (const s of read)
    for (const label of s.missingApps ?? [])
      timesMissing.set(label.toLowerCase(), (timesMissing.get(label.toLowerCase()) ?? 0) + 1);
  return read.flatMap((s) =>
    (s.missingApps ?? []).map((label): Finding => {
      const everywhere = timesMissing.get(label.toLowerCase()) === read.length;
      return {
        code: 'missing-app',
        severity: everywhere ? 'block' : 'warn',
        platform: s.platform,
        message: everywhere
          ? `no app is labelled "${label}" in ${read.map((r) => r.platform).join(' or ')}: conditions on it would match nobody; check the label (matched ignoring case)`
          : `${s.platform} has no app labelled "${label}": its people match no condition on it`,
      };
    }),
  );
}
