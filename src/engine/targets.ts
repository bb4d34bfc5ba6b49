import { AccordError } from '../errors.js';
import type { Change } from '../model/change.js';
import type { IdpSnapshot, Snapshots } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import {
  idpGroup,
  idpMember,
  idpUser,
  salesforcePermissionSet,
  salesforcePermissionSetGroup,
  salesforceUser,
} from '../plan/addresses.js';
import type { Plan } from '../plan/types.js';
import { nearest } from '../policy/suggest.js';

/**
 * `--target` that names nothing. A target that matches no change may still be right (what it
 * names is already as the policy wants it), so it is refused only when it names no address accord
 * read or owns either: then it is a typo, and an empty plan would pass it off as "no changes".
 */

/** Every address accord read or owns, in the plans' grammar (plan/addresses.ts). */
function* knownAddresses(snapshots: Snapshots, state: State): Generator<string> {
  yield* state.owned;
  for (const idp of [snapshots.okta, snapshots.onelogin]) if (idp) yield* idpAddresses(idp);
  for (const [org, sf] of Object.entries(snapshots.salesforce)) {
    const username = new Map(sf.users.map((u) => [u.id, u.username]));
    for (const u of sf.users) yield salesforceUser(org, u.username);
    for (const a of sf.assignments) {
      const user = username.get(a.userId);
      if (user === undefined) continue;
      if (a.permissionSet) yield salesforcePermissionSet(org, user, a.permissionSet);
      if (a.permissionSetGroup) yield salesforcePermissionSetGroup(org, user, a.permissionSetGroup);
    }
  }
}

function* idpAddresses(idp: IdpSnapshot): Generator<string> {
  const login = new Map(idp.accounts.map((a) => [a.id, a.login]));
  for (const a of idp.accounts) yield idpUser(idp.platform, a.login);
  for (const g of idp.groups) {
    yield idpGroup(idp.platform, g.name);
    for (const id of g.memberIds) {
      const member = login.get(id);
      if (member !== undefined) yield idpMember(idp.platform, g.name, member);
    }
  }
}

/**
 * A target names an address when it is a prefix of it (as plan narrowing reads it), or lies inside
 * it (`salesforce.prod.user["x"].records["Opportunity"]` under a user accord read).
 */
const names = (target: string, address: string) =>
  address.startsWith(target) || target.startsWith(`${address}.`);

/** Kinds of address per platform that was read, for the hint: `okta.user[`, `salesforce.prod.user[`. */
function addressKinds(snapshots: Snapshots): string[] {
  const idp = (s: IdpSnapshot | undefined) =>
    s ? [`${s.platform}.user[`, s.platform === 'okta' ? 'okta.group[' : 'onelogin.role['] : [];
  return [
    ...idp(snapshots.okta),
    ...idp(snapshots.onelogin),
    ...Object.keys(snapshots.salesforce).map((org) => `salesforce.${org}.user[`),
  ];
}

/** Above this many addresses a "did you mean" costs more than it helps. */
const MAX_SUGGESTION_POOL = 10_000;

/**
 * Throws when a target matches no change of the (narrowed) plan and no address accord knows.
 * `allChanges` gives the changes of the plan without targets, only on that error path: the
 * addresses of objects still to be created are worth suggesting too.
 */
export function checkTargets(
  targets: readonly string[] | undefined,
  plan: Plan,
  snapshots: Snapshots,
  state: State,
  allChanges: () => readonly Change[],
): void {
  if (!targets || targets.length === 0) return;
  const unmatched = targets.filter((t) => !plan.changes.some((c) => c.address.startsWith(t)));
  if (unmatched.length === 0) return;
  const known = [...knownAddresses(snapshots, state)];
  const nothing = unmatched.filter((t) => !known.some((address) => names(t, address)));
  if (nothing.length === 0) return;
  const pool = [...known, ...allChanges().map((c) => c.address)];
  const guesses =
    pool.length <= MAX_SUGGESTION_POOL
      ? nothing.flatMap((t) => {
          const guess = nearest(t, pool);
          return guess ? [`did you mean ${guess}?`] : [];
        })
      : [];
  const kinds = addressKinds(snapshots);
  throw new AccordError(
    `--target ${nothing.join(', ')} matches no change and no address accord read or owns`,
    {
      code: 'plan.target-unmatched',
      hint: [
        ...guesses,
        `Addresses start with ${kinds.length > 0 ? kinds.join(', ') : 'a platform name'};`,
        '`accord plan --format json` lists the address of every change.',
      ].join(' '),
    },
  );
}
