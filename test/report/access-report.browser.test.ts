/**
 * UC-21 access review in a real browser: the page `accord report access --format html` writes for
 * the demo sandbox, opened from a file:// URL in headless Chromium (playwright-core, driving the
 * system's Chromium: no browser is downloaded). It must load without a console error, a page error
 * or a single request besides its own file; typing a person into the filter leaves only that
 * person's rows; clicking a column header sorts; and its totals equal the JSON report's.
 *
 * The browser is `ACCORD_CHROMIUM`, else /usr/bin/chromium (Debian: `apt-get install chromium`).
 * Without one this test FAILS, saying so, unless ACCORD_SKIP_BROWSER=1 says to skip it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { accordInProcess } from '../apply/support/in-process.js';
import { ANA, accessFixture, type AccessFixture } from './support/access-fixture.js';

const executable = process.env.ACCORD_CHROMIUM || '/usr/bin/chromium';
const skip = process.env.ACCORD_SKIP_BROWSER === '1';
const found = existsSync(executable);

/**
 * No network here: without these Chromium keeps trying to reach Google's services (refused
 * connections on every start). Playwright adds --headless and a fresh temporary profile itself.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TOTALS = ['rows', 'flagged', 'people', 'unclaimedRows', 'entitlements', 'sinceKnown'] as const;

if (skip) {
  describe.skip('UC-21 access review in headless Chromium (ACCORD_SKIP_BROWSER=1)', () => {
    it('is skipped', () => undefined);
  });
} else if (!found) {
  describe('UC-21 access review in headless Chromium', () => {
    it('needs a Chromium', () => {
      throw new Error(
        `no Chromium at ${executable}: install one (Debian: apt-get install -y chromium), point ` +
          'ACCORD_CHROMIUM at its executable, or set ACCORD_SKIP_BROWSER=1 to skip this test',
      );
    });
  });
} else {
  let fixture: AccessFixture;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];
  let url: string;

  beforeAll(async () => {
    fixture = await accessFixture('access-browser');
    const out = join(fixture.dir.dir, 'access.html');
    const run = await accordInProcess(fixture.sandbox, fixture.reportArgs('--format', 'html', '--out', out));
    expect(run.status).toBe(0);
    url = pathToFileURL(out).href;
    browser = await chromium.launch({
      executablePath: executable,
      headless: true,
      args: ARGS,
      timeout: 30_000,
    });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(url, { waitUntil: 'load' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  const rowsOf = (person: string) => fixture.report.rows.filter((r) => r.person === person);
  const visible = () =>
    page.$$eval('#rows tbody tr', (trs) =>
      trs
        .filter((tr) => (tr as HTMLElement).offsetParent !== null)
        .map((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent ?? '')),
    );
  const text = (selector: string) => page.locator(selector).textContent();

  describe('UC-21 access review in headless Chromium', () => {
    it('loads with no console error, no page error and no request but its own file', async () => {
      expect(await page.title()).toBe(`Access review: ${fixture.report.environment}`);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    });

    it("shows the JSON report's totals, and every row", async () => {
      for (const key of TOTALS)
        expect([key, Number(await text(`[data-total="${key}"]`))]).toEqual([key, fixture.report.totals[key]]);
      expect(await page.locator('#rows tbody tr').count()).toBe(fixture.report.totals.rows);
      expect((await visible()).length).toBe(fixture.report.totals.rows);
      expect(await text('#shown')).toBe(String(fixture.report.totals.rows));
      expect(await text('#shown-flagged')).toBe(String(fixture.report.totals.flagged));
    });

    it("typing a person's login into the filter leaves only that person's rows", async () => {
      await page.locator('#filter').pressSequentially(ANA);
      const rows = await visible();
      expect(rows.length).toBe(rowsOf(ANA).length);
      expect(new Set(rows.map((cells) => cells[0]))).toEqual(new Set([ANA]));
      expect(rows.map((cells) => `${cells[1]} ${cells[4]} ${cells[5]}`).sort()).toEqual(
        rowsOf(ANA)
          .map((r) => `${r.platform} ${r.kind} ${r.name}`)
          .sort(),
      );
      expect(await text('#shown')).toBe(String(rowsOf(ANA).length));
      // The one hand-made permission set is her only flagged row.
      expect(await text('#shown-flagged')).toBe('1');
      await page.locator('#flagged-only').check();
      expect((await visible()).map((cells) => cells[5])).toEqual(['API_Only']);
      await page.locator('#flagged-only').uncheck();
    });

    it('clicking a column header sorts the rows by it, and again in reverse; the filter holds', async () => {
      const kind = page.locator('#rows thead th', { hasText: /^Kind$/ });
      await kind.click();
      expect(await kind.getAttribute('aria-sort')).toBe('ascending');
      const all = () =>
        page.$$eval('#rows tbody tr', (trs) =>
          trs.map((tr) => (tr as HTMLTableRowElement).cells[4]!.textContent!),
        );
      const up = await all();
      expect(up).toEqual([...up].sort());
      expect((await visible()).length).toBe(rowsOf(ANA).length);
      await kind.click();
      expect(await kind.getAttribute('aria-sort')).toBe('descending');
      const down = await all();
      expect(down).toEqual([...up].sort().reverse());
    });

    it('clearing the filter shows every row again, still without an error', async () => {
      await page.locator('#filter').fill('');
      expect((await visible()).length).toBe(fixture.report.totals.rows);
      expect(await text('#shown')).toBe(String(fixture.report.totals.rows));
      await page.screenshot({ path: join(fixture.dir.dir, 'access.png') });
      expect(problems).toEqual([]);
    });
  });
}
