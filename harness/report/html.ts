/**
 * Renders the report as one self-contained HTML file: styles, chart.js, the
 * data and the client script are inlined, so it opens offline from a file.
 * Every string from results is escaped for HTML, and the embedded JSON has
 * `<` escaped, so a field holding `<script>` renders as text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runState, runWarning } from '../bench/results.ts';
import type { LoadedRun } from './load.ts';
import type { Cell, Section, Table } from './sections.ts';

const require = createRequire(import.meta.url);

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a <script> element: no `<`, so no `</script>` or `<!--`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline script text: a literal `</script` inside it would end the element early. */
function scriptText(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}

function cell(c: Cell, tag: 'td' | 'th'): string {
  return typeof c === 'string' ? `<${tag}>${escapeHtml(c)}</${tag}>` : `<${tag} class="${c.cls}">${escapeHtml(c.text)}</${tag}>`;
}

function table(id: string, t: Table): string {
  return `<div class="scroll"><table id="${id}"><thead><tr>${t.head.map((h) => cell(h, 'th')).join('')}</tr></thead>`
    + `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n')}</tbody></table></div>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:1200px;color:#111}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.chart{position:relative;height:420px;width:100%}
.scroll{overflow-x:auto;margin:.5rem 0}table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}#table-verdicts td,#table-verdicts th{text-align:left;white-space:normal;vertical-align:top}#table-verdicts td:last-child{min-width:28em}
.incomplete{border:2px solid #b00;padding:.4rem .6rem;background:#f6c6c6}
.good{background:#d7f0d7}.warn{background:#fde9b8}.bad{background:#f6c6c6;font-weight:bold}.muted{color:#777}
nav a{margin-right:.8rem}.meta{color:#555}
@media (max-width:600px){.chart{height:480px}body{padding:.5rem}}
`;

/** A warning at the top for each run that did not complete (interrupted, crashed, or killed without an end marker). */
function incompleteRuns(runs: LoadedRun[]): string {
  return runs.map((r) => {
    const warning = runWarning(runState(r.results));
    return warning ? `<p class="incomplete" role="alert"><strong>${escapeHtml(r.label)}</strong> (${escapeHtml(r.path)}): ${escapeHtml(warning)}</p>\n` : '';
  }).join('');
}

/** The complete HTML document. */
export function renderReport(runs: LoadedRun[], sections: Section[], generatedAt: string): string {
  // chart.js does not export its UMD build; it sits beside the CommonJS entry in dist/.
  const chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
  const client = readFileSync(new URL('./client.js', import.meta.url), 'utf8');
  const body = sections.map((s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2><p>${escapeHtml(s.intro)}</p>`
    + (s.chart ? `<div class="chart"><canvas id="chart-${s.id}" role="img" aria-label="${escapeHtml(s.title)} chart"></canvas></div>` : '')
    + `<p><a class="csv" data-table="table-${s.id}" download="${s.id}.csv" href="#">Download this table as CSV</a></p>${table(`table-${s.id}`, s.table)}</section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>se-bench report</title><style>${STYLE}</style></head>
<body><h1>se-bench report</h1>
<p class="meta">${runs.length} run(s): ${runs.map((r) => escapeHtml(r.label)).join('; ')}. Generated ${escapeHtml(generatedAt)}.</p>
${incompleteRuns(runs)}
<nav>${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}</nav>
${body}
<script type="application/json" id="report-data">${scriptJson({ sections: sections.map((s) => ({ id: s.id, chart: s.chart })) })}</script>
<script>${scriptText(chartJs)}</script>
<script>${scriptText(client)}</script>
</body></html>
`;
}
