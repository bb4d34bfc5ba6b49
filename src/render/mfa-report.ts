import type { MfaGap, MfaReport } from '../model/mfa.js';

/** The report as JSON: one object, gaps in person order. */
export const renderMfaJson = (report: MfaReport): string => `${JSON.stringify(report, null, 2)}\n`;

/** The report for a terminal: overdue people first, then those still inside the grace. */
export function renderMfaText(report: MfaReport): string {
  const lines: string[] = [];
  const { okta, onelogin } = report.read;
  if (okta === undefined && onelogin === undefined) {
    lines.push('MFA: the policy tests no mfa condition, so no factors were read.');
    return `${lines.join('\n')}\n`;
  }
  const overdue = report.gaps.filter((g) => g.overdue);
  const within = report.gaps.filter((g) => !g.overdue);
  const grace = report.graceDays === null ? '' : ` (grace ${report.graceDays} days)`;
  lines.push(
    `MFA: ${report.gaps.length} of ${[
      ...(okta !== undefined ? [`${okta} Okta`] : []),
      ...(onelogin !== undefined ? [`${onelogin} OneLogin`] : []),
    ].join(
      ' and ',
    )} accounts read have no active factor${grace}: ${overdue.length} past the grace, ${within.length} inside it.`,
  );
  const row = (g: MfaGap) => {
    const since = g.since ? `since ${g.since.slice(0, 10)} (${g.days ?? '?'} days)` : 'since unknown';
    const until = g.overdue ? '' : g.graceEnds ? `, grace ends ${g.graceEnds}` : '';
    const rules = g.rules.length > 0 ? `; rules: ${g.rules.join(', ')}` : '';
    return `  ${g.person}  ${g.status}  ${since}${until}${rules}`;
  };
  if (overdue.length > 0) lines.push('', 'Past the grace:');
  for (const g of overdue) lines.push(row(g));
  if (within.length > 0) lines.push('', 'Inside the grace:');
  for (const g of within) lines.push(row(g));
  return `${lines.join('\n')}\n`;
}
