import type { State } from '../model/state.js';
import { toPointer } from '../policy/pointer.js';
import { RESTORE, type StateProblem } from './state-problem.js';

/**
 * What the schema cannot say about a state file that fits it. Above all, that an account belongs
 * to one person: two people linked to one account on a platform is what an edited link looks
 * like, and read as it is it would move that account (and its access) to whoever compile meets
 * first. Account keys are logins and usernames, which the platforms compare without case.
 */
export function checkState(state: State): StateProblem[] {
  const problems: StateProblem[] = [];
  const owners = new Map<string, string>();
  for (const [person, accounts] of Object.entries(state.links)) {
    if (person.trim() === '')
      problems.push({ pointer: toPointer(['links', person]), message: 'a person needs a login, found ""' });
    for (const [platform, key] of Object.entries(accounts)) {
      const pointer = toPointer(['links', person, platform]);
      if (key === undefined) continue;
      if (key.trim() === '') {
        problems.push({ pointer, message: 'an account key must not be empty' });
        continue;
      }
      const account = `${platform}\u0000${key.toLowerCase()}`;
      const owner = owners.get(account);
      if (owner === undefined) owners.set(account, person);
      else
        problems.push({
          pointer,
          message:
            `${person} and ${owner} are both linked to the account "${key}" on ${platform} ` +
            `(also at ${toPointer(['links', owner, platform])}); an account belongs to one person`,
          hint: `${RESTORE}. To give an account to another person, declare it in the policy’s \`links\` and apply`,
        });
    }
  }
  return problems;
}
