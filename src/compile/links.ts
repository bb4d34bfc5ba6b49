import { orgOf, type PlatformId } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';

/**
 * An explicit decision on a person's account on a platform: its key, null for "no account there",
 * undefined when nothing was decided (then the match keys decide).
 */
export type Decided = (person: string) => string | null | undefined;

/**
 * Explicit link decisions on one platform: policy `links` win, then links recorded in state.
 * Asked for every person on every platform, so both are indexed once, and a run with no links at
 * all answers without a lookup.
 */
export function linkDecisions(policy: Policy, state: State): (platform: PlatformId) => Decided {
  const fromPolicy = new Map(policy.links.map((l) => [l.person, l]));
  const fromState = new Map(Object.entries(state.links));
  return (platform) => {
    const org = orgOf(platform);
    const policyDecision = (person: string) => {
      const link = fromPolicy.get(person);
      if (!link) return undefined;
      if (org !== undefined) return link.salesforce?.[org];
      return platform === 'okta' ? link.okta : link.onelogin;
    };
    // Accounts the policy gives to someone: a state link that names one for another person is
    // history the policy has overruled (an account moved by a `links` entry), not a second owner.
    let claimed: Map<string, string> | undefined;
    const claimedBy = () => {
      claimed ??= new Map(
        [...fromPolicy.keys()].flatMap((person) => {
          const key = policyDecision(person);
          return typeof key === 'string' ? [[key.toLowerCase(), person] as const] : [];
        }),
      );
      return claimed;
    };
    return (person) => {
      const decided = fromPolicy.size > 0 ? policyDecision(person) : undefined;
      if (decided !== undefined) return decided;
      const remembered = fromState.size > 0 ? fromState.get(person)?.[platform] : undefined;
      if (remembered === undefined || fromPolicy.size === 0) return remembered;
      const owner = claimedBy().get(remembered.toLowerCase());
      return owner !== undefined && owner !== person ? undefined : remembered;
    };
  };
}
