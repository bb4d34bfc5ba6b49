import { randomUUID } from 'node:crypto';
import type { Change, ChangeResult } from '../model/change.js';
import type { PlatformId } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Plan } from '../plan/types.js';

/**
 * State after a batch: links for the accounts accord changed for a person,
 * ownership of what it created, and which policy and snapshots the applied plan came from.
 */
export function nextState(
  state: State,
  changes: Change[],
  results: ChangeResult[],
  plan: Pick<Plan, 'policyDigest' | 'snapshotFingerprints'>,
  gitCommit: string | null,
  at: Date = new Date(),
): State {
  const applied = new Set(results.filter((r) => r.status === 'applied').map((r) => r.changeId));
  const links = { ...state.links };
  const owned = new Set(state.owned);
  let holders: Map<string, string> | undefined;
  for (const c of changes) {
    if (!applied.has(c.id)) continue;
    // Any change accord applied for a person names that person's account there: remembered, so a
    // person later deleted from the directory is still known to own it (a leaver, not an orphan).
    if (c.person && c.kind !== 'group' && links[c.person]?.[c.platform] !== c.account.key) {
      holders ??= accountHolders(links);
      const account = accountId(c.platform, c.account.key);
      // The account was someone else's link (a renamed login, or a policy link that moved it):
      // it is this person's now, and one account is never two people's (readState refuses that).
      const before = holders.get(account);
      if (before !== undefined && before !== c.person) unlink(links, before, c.platform);
      holders.set(account, c.person);
      links[c.person] = { ...links[c.person], [c.platform]: c.account.key };
    }
    if (c.action === 'create') owned.add(c.address);
  }
  return {
    ...state,
    // A state file is born with a lineage that later applies keep, so two histories never mix.
    lineage: state.serial === 0 && /^[0-]+$/.test(state.lineage) ? randomUUID() : state.lineage,
    serial: state.serial + 1,
    links,
    owned: [...owned].sort(),
    fingerprints: { ...state.fingerprints, ...plan.snapshotFingerprints },
    lastApply: {
      policyDigest: plan.policyDigest,
      ...(gitCommit ? { gitCommit } : {}),
      at: at.toISOString(),
    },
  };
}

// Account keys are logins and usernames, which the platforms compare without case.
const accountId = (platform: string, key: string) => `${platform}\u0000${key.toLowerCase()}`;

function accountHolders(links: State['links']): Map<string, string> {
  const holders = new Map<string, string>();
  for (const [person, accounts] of Object.entries(links))
    for (const [platform, key] of Object.entries(accounts))
      if (key !== undefined) holders.set(accountId(platform, key), person);
  return holders;
}

function unlink(links: State['links'], person: string, platform: PlatformId): void {
  const { [platform]: _gone, ...rest } = links[person] ?? {};
  if (Object.keys(rest).length > 0) links[person] = rest;
  else delete links[person];
}

/**
 * State after a full apply, with each person's source facts as this apply saw them (see
 * compile/source-facts.ts). A person with a change that did not apply keeps the facts recorded
 * before, so that change is still told apart correctly next time.
 */
export function withSourceFacts(
  state: State,
  facts: Record<string, string>,
  unapplied: ReadonlySet<string>,
): State {
  const sourceFacts: Record<string, string> = {};
  for (const [person, digest] of Object.entries(facts)) {
    const kept = unapplied.has(person) ? state.sourceFacts?.[person] : digest;
    if (kept !== undefined) sourceFacts[person] = kept;
  }
  return { ...state, serial: state.serial + 1, sourceFacts };
}
