import type { Conflict } from '../model/findings.js';
import type { IdentityLink } from '../policy/types.js';

/**
 * Matching conflicts as link decisions for review (UC-27): import never picks an account for a
 * person when the match keys do not settle it. It writes every choice a reviewer has, each a
 * complete `links` entry to copy, into a Markdown note beside the policy (not a policy file: a
 * choice left in a policy file would be a guess that plans run on). Pure.
 */

export interface LinkChoice {
  /** What picking it means, for the reviewer. */
  means: string;
  link: IdentityLink;
}

/** The `links` entry of `resolution` with the account it names replaced (null: no account there). */
function withAccount(resolution: IdentityLink, account: string | null): IdentityLink {
  const { reason: _reason, ticket: _ticket, ...link } = resolution;
  if (link.salesforce) {
    const org = Object.keys(link.salesforce)[0]!;
    return { ...link, salesforce: { [org]: account } };
  }
  if (link.okta !== undefined) return { ...link, okta: account };
  return { ...link, onelogin: account };
}

/** The account `resolution` names (the one compile would suggest). */
function accountOf(resolution: IdentityLink): string | null | undefined {
  if (resolution.salesforce) return Object.values(resolution.salesforce)[0];
  return resolution.okta !== undefined ? resolution.okta : resolution.onelogin;
}

/**
 * Every decision that settles `conflict`: for several accounts matching one person, each account
 * and "none of them"; for one account several people match, this person takes it or has none
 * there. Rules of equal priority that disagree have no links entry (fix the rules): none.
 */
export function linkChoices(conflict: Conflict): LinkChoice[] {
  const resolution = conflict.resolution;
  if (!resolution || conflict.kind === 'priority') return [];
  const reason = `accord import: ${conflict.message}`;
  const choice = (means: string, account: string | null): LinkChoice => ({
    means,
    link: { ...withAccount(resolution, account), reason },
  });
  const none = choice(`${conflict.person} has no account on ${conflict.platform}`, null);
  if (conflict.kind === 'contested') {
    const account = accountOf(resolution) ?? '';
    return [choice(`${account} is ${conflict.person}'s`, account), none];
  }
  return [
    ...conflict.candidates.map((account) => choice(`${account} is ${conflict.person}'s`, account)),
    none,
  ];
}

/** The review note: each conflict with its choices, as `links` entries to copy. */
export function linksReviewMarkdown(conflicts: readonly Conflict[]): string {
  const lines = [
    '# Identity links to decide (accord import)',
    '',
    'The match keys did not settle who these accounts belong to, so accord import did not guess.',
    "Until a `links` entry decides, each person's changes on that platform are held back. Copy ONE",
    "entry per person into a policy file's `links` section, with a `ticket`, then run `accord plan`.",
    'This note is not a policy file: accord does not read it.',
  ];
  for (const c of conflicts) {
    const choices = linkChoices(c);
    lines.push('', `## ${c.person} on ${c.platform} (${c.kind})`, '', `${c.message}.`);
    if (choices.length === 0) {
      lines.push('', 'No `links` entry settles this: make the rules of equal priority agree.');
      continue;
    }
    for (const { means, link } of choices)
      lines.push('', `- ${means}:`, '', '  ```json', `  ${JSON.stringify(link)}`, '  ```');
  }
  lines.push('');
  return lines.join('\n');
}
