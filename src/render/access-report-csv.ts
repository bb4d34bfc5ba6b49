import { attributionText, type AccessReport, type AccessRow } from './access-report.js';

/**
 * The access review as CSV (RFC 4180): a header row, CRLF line ends, a field quoted when it holds
 * a comma, a quote, CR or LF, quotes doubled. A spreadsheet runs a cell that starts with `=`, `+`,
 * `-` or `@` (and tab or CR, which some treat the same) as a formula, so such a cell gets a leading
 * single quote: a name is data, never code (CSV injection).
 */

const COLUMNS = {
  person: (r: AccessRow) => r.person ?? '',
  platform: (r: AccessRow) => r.platform,
  account: (r: AccessRow) => r.account,
  status: (r: AccessRow) => r.status,
  kind: (r: AccessRow) => r.kind,
  entitlement: (r: AccessRow) => r.name,
  grantedBy: (r: AccessRow) => attributionText(r.grantedBy),
  flagged: (r: AccessRow) => (r.flagged ? 'yes' : 'no'),
  since: (r: AccessRow) => r.since,
  note: (r: AccessRow) => r.note ?? '',
} as const;

type Column = keyof typeof COLUMNS;

const PERSON_FIRST: Column[] = [
  'person',
  'platform',
  'account',
  'status',
  'kind',
  'entitlement',
  'grantedBy',
  'flagged',
  'since',
  'note',
];
const ENTITLEMENT_FIRST: Column[] = [
  'platform',
  'kind',
  'entitlement',
  'person',
  'account',
  'status',
  'grantedBy',
  'flagged',
  'since',
  'note',
];

/** One CSV field: formula-guarded, then quoted when it must be. */
export function csvField(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function renderAccessCsv(report: AccessReport): string {
  const columns = report.view === 'entitlement' ? ENTITLEMENT_FIRST : PERSON_FIRST;
  const lines = [columns.join(',')];
  for (const r of report.rows) lines.push(columns.map((c) => csvField(COLUMNS[c](r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
