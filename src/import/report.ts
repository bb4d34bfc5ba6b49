import type { ImportRun } from './run-import.js';

/** The import report as text: what was inferred, what is left to review, what a plan would change. */
export function importReportText(report: ImportRun['report'], written: readonly string[]): string {
  const lines: string[] = [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const add = (...items: string[]) => {
    for (const item of items) lines.push(item);
  };
  add(
    `accord import: min precision ${pct(report.thresholds.minPrecision)}, min coverage ${pct(report.thresholds.minCoverage)}`,
  );
  const over = report.existing;
  if (over)
    add(
      `Over the existing policy (${over.documents} documents, ${over.rules} access rules, ${over.exceptions} exceptions): only what it does not explain is proposed; nothing it declares is written again.`,
    );
  add('', over ? 'Identity:' : 'Identity (inferred or default; review):');
  for (const n of report.identity) add(`  ${n}`);
  add('', 'Salesforce orgs:');
  for (const o of report.orgs)
    add(
      `  ${o.org}: ${o.activeUsers} active users, ${o.matched} matched to a person, ${o.orphans} orphans, ${o.unexplained} grants no group explains`,
    );
  add('', `Access rules inferred (${report.rules.length}):`);
  for (const r of report.rules) {
    lines.push(`  ${r.id}: when ${r.when}${r.priority !== undefined ? `, priority ${r.priority}` : ''}`);
    for (const g of r.grants)
      lines.push(
        `    ${g.org} ${g.kind === 'access' ? 'access' : `${g.kind} ${g.value}`}: precision ${pct(g.precision)}, coverage ${pct(g.coverage)} (${g.explained}/${g.holders} holders${g.excluded > 0 ? `, ${g.excluded} members excluded` : ''})`,
      );
  }
  lines.push(
    '',
    `Individual rules (org access, profile or role nobody's group explains): ${report.individualRules}`,
    `Exceptions (ticket IMPORT, permission sets and groups nobody's group explains): ${report.exceptions} with ${report.exceptionGrants} grants`,
  );
  const list = <T>(title: string, items: readonly T[], line: (item: T) => string) => {
    lines.push('', `${title} (${items.length})${items.length > 0 ? ':' : ''}`);
    for (const item of items.slice(0, 50)) lines.push(`  ${line(item)}`);
    if (items.length > 50) lines.push(`  ... and ${items.length - 50} more (--format json lists all)`);
  };
  const exact = report.mirrors.filter((m) => m.mirror).length;
  list(
    `Mirrors: Okta groups and OneLogin roles with the same people (agreement at least ${pct(report.thresholds.minMirrorAgreement)}; ${exact} exact, written to mirrors; the others only reported)`,
    report.mirrors,
    (m) => {
      const arrow =
        m.direction === 'onelogin-to-okta'
          ? `onelogin "${m.onelogin}" -> okta "${m.okta}"`
          : `okta "${m.okta}" -> onelogin "${m.onelogin}"`;
      const head = `${arrow}: agreement ${pct(m.agreement)} (${m.common}/${m.people} people)`;
      if (m.mirror) return `${head}, written (mirror ${m.mirror})`;
      if (m.note) return `${head}, not written: ${m.note}`;
      const shown = m.changes.slice(0, 5).join(', ');
      return `${head}, not written: declaring it would make ${m.changes.length} change${m.changes.length === 1 ? '' : 's'} (${shown}${m.changes.length > 5 ? ', ...' : ''})`;
    },
  );
  list(
    'Orphans: active Salesforce users matching no person',
    report.orphans,
    (o) => `${o.org} ${o.username} (${o.profile})`,
  );
  list(
    'Protected candidates (orphans among them are written to guardrails.protectedAccounts)',
    report.protectedCandidates,
    (c) => `${c.org} ${c.username}${c.person ? ` (person ${c.person})` : ''}: ${c.why}`,
  );
  list(
    'Matching conflicts (not guessed: settle each with a links entry; links-to-review.md has every choice)',
    report.conflicts,
    (c) => `${c.platform}: ${c.message}`,
  );
  list(
    'Leavers still active in Salesforce (the lifecycle offboards or freezes them)',
    report.leavers,
    (l) => `${l.org} ${l.username} (${l.person}, ${l.status})`,
  );
  if (report.heldLeavers.length > 0)
    lines.push(
      '',
      `Held back (--hold-leavers): ${report.heldLeavers.length} leavers' users written to guardrails.protectedAccounts; delete an entry to let the lifecycle offboard it`,
    );
  const plan = report.plan;
  lines.push(
    '',
    `accord plan on the ${over ? 'existing policy with what is proposed' : 'imported policy'}: ${plan.changes} change${plan.changes === 1 ? '' : 's'}`,
  );
  for (const [reason, n] of Object.entries(plan.byReason)) lines.push(`  ${n} × ${reason}`);
  if (plan.blocked) lines.push(`  blocked: ${plan.blockedReasons.join('; ')}`);
  if (over && written.length === 0)
    add('', 'Nothing to propose: the existing policy explains all of today’s access. No file written.');
  if (written.length > 0) add('', 'Wrote:');
  for (const w of written) add(`  ${w}`);
  lines.push('');
  return lines.join('\n');
}
