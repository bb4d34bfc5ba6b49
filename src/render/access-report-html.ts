import { attributionText, type AccessReport, type AccessRow } from './access-report.js';

/**
 * The access review as one self-contained HTML page: inline CSS and script, no request to
 * anywhere (its Content-Security-Policy allows none), so it opens from a file or an attachment.
 * A filter box (a person's exact key shows only that person's rows; anything else matches text
 * anywhere in a row), sortable columns, and the totals of the JSON output. Every value is escaped;
 * the script holds no data, it only reads the table, so nothing in a name can end up as code.
 */

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.4rem;margin:0 0 .25rem}
.meta{color:#57606a;margin:0 0 1rem}
dl.totals{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:0 0 1rem}
dl.totals div{display:flex;gap:.35rem}
dl.totals dt{color:#57606a}
dl.totals dd{margin:0;font-weight:600}
.controls{display:flex;gap:1rem;align-items:center;margin:0 0 .75rem}
#filter{padding:.35rem .5rem;min-width:22rem;font:inherit}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
tr.flagged td{background:#fff1f0}
tr.flagged td.flag{color:#b42318;font-weight:600}
td.note{color:#57606a}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
`;

// Reads the table only. Kept in ES5-ish syntax so it runs in any browser (and in jsdom).
const SCRIPT = `
(function () {
  var input = document.getElementById('filter');
  var flaggedOnly = document.getElementById('flagged-only');
  var body = document.querySelector('#rows tbody');
  var rows = Array.prototype.slice.call(body.rows);
  var shown = document.getElementById('shown');
  var shownFlagged = document.getElementById('shown-flagged');
  function apply() {
    var q = input.value.trim().toLowerCase();
    var exactPerson = q !== '' && rows.some(function (r) { return r.getAttribute('data-person') === q; });
    var n = 0, f = 0;
    rows.forEach(function (r) {
      var match = q === '' || (exactPerson ? r.getAttribute('data-person') === q : r.textContent.toLowerCase().indexOf(q) !== -1);
      if (flaggedOnly.checked && r.getAttribute('data-flagged') !== 'yes') match = false;
      r.hidden = !match;
      if (match) { n++; if (r.getAttribute('data-flagged') === 'yes') f++; }
    });
    shown.textContent = String(n);
    shownFlagged.textContent = String(f);
  }
  input.addEventListener('input', apply);
  flaggedOnly.addEventListener('change', apply);
  var heads = Array.prototype.slice.call(document.querySelectorAll('#rows thead th'));
  heads.forEach(function (th, i) {
    th.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = a.cells[i].textContent, y = b.cells[i].textContent;
        return dir * (x < y ? -1 : x > y ? 1 : 0);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
`;

const HEADERS = [
  'Person',
  'Platform',
  'Account',
  'Status',
  'Kind',
  'Entitlement',
  'Granted by',
  'Flagged',
  'Since',
  'Note',
];

function row(r: AccessRow): string {
  const cells = [
    r.person ?? '(no person)',
    r.platform,
    r.account,
    r.status,
    r.kind,
    r.name,
    attributionText(r.grantedBy),
    r.flagged ? 'yes' : 'no',
    r.since,
    r.note ?? '',
  ];
  const classes = ['', '', '', '', '', '', '', 'flag', '', 'note'];
  return `<tr data-person="${escapeHtml((r.person ?? '').toLowerCase())}" data-flagged="${r.flagged ? 'yes' : 'no'}"${r.flagged ? ' class="flagged"' : ''}>${cells
    .map((c, i) => `<td${classes[i] ? ` class="${classes[i]}"` : ''}>${escapeHtml(c)}</td>`)
    .join('')}</tr>`;
}

const total = (key: string, label: string, value: number) =>
  `<div><dt>${escapeHtml(label)}</dt><dd data-total="${escapeHtml(key)}">${value}</dd></div>`;

function summary(report: AccessReport): string {
  if (report.view === 'entitlement')
    return `<h2>By entitlement</h2><table id="summary"><thead><tr><th>Platform</th><th>Kind</th><th>Entitlement</th><th>Holders</th><th>Flagged</th></tr></thead><tbody>${report.entitlements
      .map(
        (e) =>
          `<tr><td>${escapeHtml(e.platform)}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.name)}</td><td>${e.holders}</td><td>${e.flagged}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  return `<h2>By person</h2><table id="summary"><thead><tr><th>Person</th><th>Accounts</th><th>Rows</th><th>Flagged</th></tr></thead><tbody>${report.people
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.person ?? '(no person)')}</td><td>${escapeHtml(p.accounts.join(', '))}</td><td>${p.rows}</td><td>${p.flagged}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

export function renderAccessHtml(report: AccessReport): string {
  const t = report.totals;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access review: ${escapeHtml(report.environment)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Access review: ${escapeHtml(report.environment)}</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)} · policy ${escapeHtml(report.policyDigest.slice(0, 12))} · format ${report.formatVersion} · by ${escapeHtml(report.view)}</p>
<dl class="totals" id="totals">
${total('rows', 'Rows', t.rows)}
${total('flagged', 'Flagged (granted by nothing)', t.flagged)}
${total('people', 'People', t.people)}
${total('unclaimedRows', 'Rows of unclaimed accounts', t.unclaimedRows)}
${total('entitlements', 'Entitlements', t.entitlements)}
${total('sinceKnown', 'Since known', t.sinceKnown)}
<div><dt>Shown</dt><dd id="shown">${t.rows}</dd></div>
<div><dt>Flagged shown</dt><dd id="shown-flagged">${t.flagged}</dd></div>
</dl>
<div class="controls">
<input id="filter" type="search" placeholder="Filter: a person's login, a permission set, a rule…" aria-label="Filter rows" autocomplete="off">
<label><input id="flagged-only" type="checkbox"> flagged only</label>
</div>
<table id="rows">
<thead><tr>${HEADERS.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${report.rows.map(row).join('\n')}
</tbody>
</table>
${summary(report)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
