import type { IdpId, Identity, MatchKey } from './types.js';

export const DEFAULT_MATCH: readonly MatchKey[] = ['federationId', 'employeeNumber', 'email'];

/**
 * The match keys for one platform: its own `matchOn` entry, else `match`, else the default. For an
 * IdP, `federationId` (a Salesforce field) is left out of `match`; validation refuses it in
 * `matchOn.okta` and `matchOn.onelogin`, where it could only be a mistake.
 */
export function matchOrder(
  identity: Pick<Identity, 'match' | 'matchOn'>,
  platform: IdpId | 'salesforce',
): MatchKey[] {
  const own = identity.matchOn?.[platform];
  if (own) return [...own];
  const shared = identity.match ?? DEFAULT_MATCH;
  return platform === 'salesforce' ? [...shared] : shared.filter((k) => k !== 'federationId');
}
