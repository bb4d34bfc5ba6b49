/**
 * UC-21 access review, against the sandbox through the real providers: `accord report access`
 * run in-process after a first apply. Rows name the rule, exception, managed group or link the
 * compiled policy attributes them to; a permission set assigned by hand in Salesforce is flagged
 * as granted by nothing; the audit log of the apply says since when.
 *
 * The HTML page's script is also exercised here in jsdom; access-report.browser.test.ts loads the
 * same page in a real headless Chromium.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JSDOM } from 'jsdom';
import type { AccessReport, AccessRow } from '../../src/render/access-report.js';
import { accordInProcess } from '../apply/support/in-process.js';
import { ANA, KIM, accessFixture, type AccessFixture } from './support/access-fixture.js';

let fixture: AccessFixture;
let sandbox: AccessFixture['sandbox'];
let dir: AccessFixture['dir'];
let report: AccessReport;
let handMade: { username: string };
let reportArgs: AccessFixture['reportArgs'];

const rowsOf = (person: string) => report.rows.filter((r) => r.person === person);
const find = (person: string, kind: AccessRow['kind'], name: string, platform = 'salesforce:prod') =>
  report.rows.find(
    (r) => r.person === person && r.kind === kind && r.name === name && r.platform === platform,
  );

beforeAll(async () => {
  fixture = await accessFixture('access-report');
  ({ sandbox, dir, report, handMade, reportArgs } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

describe('UC-21 access review: attribution', () => {
  it('a grant made by an access rule names that rule', () => {
    expect(find(ANA, 'permissionSet', 'Sales_Cloud_User')?.grantedBy).toEqual([
      { kind: 'rule', id: 'sales-reps' },
    ]);
    expect(find(ANA, 'profile', 'Sales User')?.grantedBy).toEqual([{ kind: 'rule', id: 'sales-reps' }]);
    expect(find(ANA, 'account', handMade.username)?.grantedBy).toEqual([{ kind: 'rule', id: 'sales-reps' }]);
    expect(find(ANA, 'permissionSet', 'GDPR_Data_Access', 'salesforce:emea')?.grantedBy).toEqual([
      { kind: 'rule', id: 'emea-sales' },
    ]);
  });

  it("an exception's grant names the exception, with the apply's audit time as since", () => {
    const row = find(ANA, 'permissionSet', 'Report_Builder')!;
    expect(row.grantedBy).toEqual([{ kind: 'exception', id: 'ana-report-builder' }]);
    expect(row.flagged).toBe(false);
    expect(row.sinceSource).toBe('audit');
    expect(Number.isNaN(Date.parse(row.since))).toBe(false);
  });

  it('a permission set assigned by hand in Salesforce is flagged as granted by nothing', () => {
    const row = find(ANA, 'permissionSet', 'API_Only')!;
    expect(row).toMatchObject({ grantedBy: [], flagged: true, note: 'assigned outside the policy' });
    expect(row.since).toBe('unknown');
    // Only that one of Ana's rows is flagged.
    expect(
      rowsOf(ANA)
        .filter((r) => r.flagged)
        .map((r) => r.name),
    ).toEqual(['API_Only']);
  });

  it('a managed group and a policy link are named', () => {
    expect(find('sam.admin@acme.test', 'group', 'Salesforce Admins', 'okta')?.grantedBy).toEqual([
      { kind: 'group', id: 'Salesforce Admins' },
    ]);
    expect(find(KIM, 'account', KIM)?.grantedBy).toContainEqual({
      kind: 'link',
      id: `policy links[${KIM}]`,
    });
  });

  it('totals agree with the rows, and both views cover every row', () => {
    expect(report.formatVersion).toBe(1);
    expect(report.totals.rows).toBe(report.rows.length);
    expect(report.totals.flagged).toBe(report.rows.filter((r) => r.flagged).length);
    expect(report.people.reduce((n, p) => n + p.rows, 0)).toBe(report.rows.length);
    expect(report.entitlements.reduce((n, e) => n + e.holders, 0)).toBe(
      report.rows.filter((r) => r.kind !== 'account').length,
    );
  });
});

describe('UC-21 access review: CSV and HTML files', () => {
  it('--format csv --by entitlement writes a header and one line per row', async () => {
    const out = join(dir.dir, 'access.csv');
    const run = await accordInProcess(
      sandbox,
      reportArgs('--format', 'csv', '--by', 'entitlement', '--out', out),
    );
    expect(run.status).toBe(0);
    const lines = (await readFile(out, 'utf8')).split('\r\n');
    expect(lines[0]).toBe('platform,kind,entitlement,person,account,status,grantedBy,flagged,since,note');
    expect(lines.filter((l) => l !== '').length).toBe(report.totals.rows + 1);
  });

  it('the HTML page (in jsdom, not a real browser): filtering by a person shows only their rows, totals equal the JSON', async () => {
    const out = join(dir.dir, 'access.html');
    const run = await accordInProcess(sandbox, reportArgs('--format', 'html', '--out', out));
    expect(run.status).toBe(0);
    const errors: string[] = [];
    const dom = new JSDOM(await readFile(out, 'utf8'), { runScripts: 'dangerously' });
    dom.virtualConsole.on('jsdomError', (e) => errors.push(String(e)));
    dom.virtualConsole.on('error', (e) => errors.push(String(e)));
    const doc = dom.window.document;
    const total = (key: string) => Number(doc.querySelector(`[data-total="${key}"]`)!.textContent);
    for (const key of ['rows', 'flagged', 'people', 'unclaimedRows', 'entitlements', 'sinceKnown'] as const)
      expect([key, total(key)]).toEqual([key, report.totals[key]]);
    const rows = [...doc.querySelectorAll<HTMLTableRowElement>('#rows tbody tr')];
    expect(rows.length).toBe(report.totals.rows);

    const filter = doc.getElementById('filter') as HTMLInputElement;
    filter.value = ANA;
    filter.dispatchEvent(new dom.window.Event('input'));
    const visible = rows.filter((r) => !r.hidden);
    expect(visible.length).toBe(rowsOf(ANA).length);
    expect(new Set(visible.map((r) => r.cells[0]!.textContent))).toEqual(new Set([ANA]));
    expect(doc.getElementById('shown')!.textContent).toBe(String(rowsOf(ANA).length));
    expect(doc.getElementById('shown-flagged')!.textContent).toBe('1');

    // Sorting by a column reorders the rows; the filter still holds.
    const kindHead = [...doc.querySelectorAll('#rows thead th')].find((th) => th.textContent === 'Kind')!;
    (kindHead as HTMLElement).click();
    expect(kindHead.getAttribute('aria-sort')).toBe('ascending');
    const kinds = [...doc.querySelectorAll<HTMLTableRowElement>('#rows tbody tr')].map(
      (r) => r.cells[4]!.textContent!,
    );
    expect(kinds).toEqual([...kinds].sort());
    expect(
      [...doc.querySelectorAll<HTMLTableRowElement>('#rows tbody tr')].filter((r) => !r.hidden).length,
    ).toBe(rowsOf(ANA).length);

    filter.value = '';
    filter.dispatchEvent(new dom.window.Event('input'));
    expect(doc.getElementById('shown')!.textContent).toBe(String(report.totals.rows));
    expect(errors).toEqual([]);
    dom.window.close();
  });
});
