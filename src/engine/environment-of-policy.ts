import { AccordError } from '../errors.js';
import { hasErrors } from '../policy/diagnostics.js';
import { loadPolicy } from '../policy/validate.js';

/**
 * The environment named by the policy's settings, for commands that only need a file path from
 * the policy. They must still work when the policy is broken (that is when people reach for
 * force-unlock), so a failure asks for the path instead of printing policy diagnostics.
 */
export async function environmentFromPolicy(
  policies: string,
  code: boolean,
  flag: '--state' | '--audit',
): Promise<string> {
  let environment: string | undefined;
  try {
    const loaded = await loadPolicy(policies, { noCode: !code });
    if (loaded.policy && !hasErrors(loaded.diagnostics)) environment = loaded.policy.settings.environment;
  } catch {
    environment = undefined;
  }
  if (environment === undefined)
    throw new AccordError(`cannot tell the environment: the policy in "${policies}" did not load`, {
      code: 'state.no-environment',
      hint: `pass ${flag} FILE (or fix the policy: \`accord validate\`)`,
    });
  return environment;
}
