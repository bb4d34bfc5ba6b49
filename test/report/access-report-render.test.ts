/**
 * UC-21 access review, the renderers on their own: CSV quoting (RFC 4180) and its formula guard,
 * and HTML escaping of names that hold markup. The page is loaded in jsdom (NOT a real browser)
 * with its script enabled, to show that a `<script>` in a name stays text.
 */
import { describe, expect, it } from '@jest/globals';
import { JSDOM } from 'jsdom';
import type { AccessReport, AccessRow } from '../../src/render/access-report.js';
import { csvField, renderAccessCsv } from '../../src/render/access-report-csv.js';
import { renderAccessHtml } from '../../src/render/access-report-html.js';

const EVIL = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';

const row = (over: Partial<AccessRow>): AccessRow => ({
  person: 'ana@acme.test',
  platform: 'salesforce:prod',
  account: 'ana@acme.test',
  status: 'active',
  kind: 'permissionSet',
  name: 'Sales_Cloud_User',
  grantedBy: [{ kind: 'rule', id: 'sales-reps' }],
  flagged: false,
  since: 'unknown',
  sinceSource: 'unknown',
  ...over,
});

const reportOf = (rows: AccessRow[]): AccessReport => ({
  formatVersion: 1,
  generatedAt: '2026-12-04T00:00:00.000Z',
  environment: `demo${EVIL}`,
  policyDigest: 'f'.repeat(64),
  view: 'person',
  totals: {
    rows: rows.length,
    flagged: rows.filter((r) => r.flagged).length,
    people: new Set(rows.map((r) => r.person)).size,
    unclaimedRows: 0,
    entitlements: rows.length,
    byPlatform: {},
    bySource: {},
    sinceKnown: 0,
  },
  rows,
  people: [{ person: EVIL, accounts: [EVIL], rows: 1, flagged: 0 }],
  entitlements: [],
});

describe('UC-21 access review CSV', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('guards cells starting with = + - @ (and tab, CR) with a single quote', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('writes a header and CRLF lines; a hostile name lands in one guarded cell', () => {
    const csv = renderAccessCsv(reportOf([row({ name: '=cmd|"/c calc"!A0, x' })]));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('person,platform,account,status,kind,entitlement,grantedBy,flagged,since,note');
    expect(lines[1]).toBe(
      `ana@acme.test,salesforce:prod,ana@acme.test,active,permissionSet,"'=cmd|""/c calc""!A0, x",rule:sales-reps,no,unknown,`,
    );
    expect(lines[2]).toBe('');
  });
});

describe('UC-21 access review HTML (jsdom, not a real browser)', () => {
  it('escapes every value: markup in names stays text and never runs', () => {
    const html = renderAccessHtml(
      reportOf([row({ person: EVIL, account: EVIL, name: EVIL, note: EVIL, flagged: true, grantedBy: [] })]),
    );
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<img');
    const dom = new JSDOM(html, { runScripts: 'dangerously' });
    const w = dom.window as unknown as { pwned?: number };
    expect(w.pwned).toBeUndefined();
    const doc = dom.window.document;
    // One script only: the page's own.
    expect(doc.querySelectorAll('script').length).toBe(1);
    expect(doc.querySelectorAll('img').length).toBe(0);
    const cells = doc.querySelector('#rows tbody tr')!.querySelectorAll('td');
    expect(cells[0]!.textContent).toBe(EVIL);
    expect(cells[5]!.textContent).toBe(EVIL);
    expect(doc.title).toBe(`Access review: demo${EVIL}`);
    // Filtering by the hostile person's exact key still works.
    const filter = doc.getElementById('filter') as HTMLInputElement;
    filter.value = EVIL;
    filter.dispatchEvent(new dom.window.Event('input'));
    expect(doc.getElementById('shown')!.textContent).toBe('1');
    dom.window.close();
  });

  it('loads nothing from the network: a CSP of default-src none, no src or href attributes', () => {
    const html = renderAccessHtml(reportOf([row({})]));
    expect(html).toContain(`default-src 'none'`);
    const doc = new JSDOM(html).window.document;
    expect(doc.querySelectorAll('[src], [href], link, iframe, object, embed').length).toBe(0);
  });
});
