/**
 * `report --format=md`: the verdicts and the main tables as Markdown, for pull
 * requests, issues and README (whose measured tables are this output for the
 * committed baseline, checked by test/markdown.test.ts). Compact on purpose:
 * SE blocks as a workload x implementation grid; the HTML report has the rest.
 */
import { isSeBlockRow, measured, runState, runWarning, timedRegionText, type BenchRow } from '../bench/results.ts';
import type { LoadedRun } from './load.ts';
import { commitLabel } from '../host/environment.ts';
import type { Cell, Section } from './sections.ts';
import { countNetwork } from '../model/count.ts';
import { makeNetwork } from '../model/network.ts';
import { ceilingPct, paperParams, primaryRatio, sweepLatency, sweepNetwork, sweepPoint } from './summary.ts';
import { verdicts } from './verdicts.ts';

const text = (c: Cell): string => (typeof c === 'string' ? c : c.text);
const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function mdTable(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.map(escape).join(' | ')} |`).join('\n');
}

/** `name (status)` of each column that has no measured row, or '' when every column has one. */
function notMeasured(cols: string[], rowsOf: (c: string) => BenchRow[]): string {
  const none = cols.filter((c) => !rowsOf(c).some(measured));
  return none.length ? `\n\nNot measured: ${none.map((c) => `${c} (${[...new Set(rowsOf(c).map((r) => r.status))].join(', ')})`).join(', ')}.` : '';
}

type Located = { run: LoadedRun; r: BenchRow };

/**
 * The grid columns of `located` rows: one per implementation (and run, when
 * there are several), `every` of them and those with a measurement (`cols`),
 * with each column's rows.
 */
function columns(runs: LoadedRun[], located: Located[]) {
  const col = (x: Located) => (runs.length > 1 ? `${x.r.impl} (${x.run.label})` : x.r.impl);
  const rowsOf = (c: string) => located.filter((x) => col(x) === c).map((x) => x.r);
  const every = [...new Set(located.map(col))];
  return { col, rowsOf, every, cols: every.filter((c) => rowsOf(c).some(measured)) };
}

/** SE blocks at the primary ratio: one row per workload, one column per implementation (and run) with a measurement, `ms (roofline %)`. */
function seBlockGrid(runs: LoadedRun[]): string {
  const all = runs.flatMap((run) => run.results.rows.filter(isSeBlockRow).map((r) => ({ run, r })));
  const ratio = primaryRatio(all.map((x) => x.r));
  const rows = all.filter((x) => ratio !== undefined && x.r.ratio === ratio);
  if (!rows.length) return '';
  const { col, rowsOf, every, cols } = columns(runs, rows);
  const workloads = [...new Set(rows.map((x) => x.r.workload))];
  const cell = (x: Located | undefined) => {
    if (!x) return '';
    if (!measured(x.r)) return x.r.status;
    const roof = x.r.rooflinePct === undefined ? '' : ` (${ceilingPct(x.r.rooflinePct)})`;
    return `${x.r.measurement!.medianMs.toFixed(3)}${roof}`;
  };
  const body = workloads.map((w) => [w.replace(/^se\//, ''), ...cols.map((c) => cell(rows.find((x) => x.r.workload === w && col(x) === c)))]);
  const regions = cols.map((c) => [c, [...new Set(rowsOf(c).map((r) => timedRegionText(r.timedRegion)).filter(Boolean))].join(', ')]).filter(([, t]) => t);
  const timed = regions.length ? `\n\nTimed (input/output/clock): ${regions.map(([c, t]) => `${c} ${t}`).join('; ')}.` : '';
  return `#### SE blocks, r = ${ratio}: median ms (% of the copy roofline; GPU rows: of the GPU copy, device-only)\n\n${mdTable(['workload', ...cols], body)}${timed}${notMeasured(every, rowsOf)}`;
}

/** The overhead section's rows that have a measured latency; the others are named below the table. */
function overheadTable(s: Section | undefined): string {
  if (!s) return '';
  const latency = s.table.head.findIndex((h) => h.startsWith('latency'));
  const rows = s.table.rows.map((r) => r.map(text));
  const shown = rows.filter((r) => r[latency] !== '');
  const left = [...new Set(rows.filter((r) => r[latency] === '').map((r) => `${r[0]} (${r[3]})`))]; // one per implementation, not per network pair
  if (!shown.length && !left.length) return '';
  return `#### SE overhead (SE / plain; latency: median of per-pair ratios, 95% bootstrap interval over pairs)\n\n${mdTable(s.table.head, shown)}${left.length ? `\n\nNot measured: ${left.join(', ')}.` : ''}`;
}

/** The families section (sections.ts): what SE costs on each network, per engine. */
function familyTable(s: Section | undefined): string {
  if (!s) return '';
  return `#### SE cost per network family (latency SE / plain, 95% interval over pairs)\n\n${mdTable(s.table.head, s.table.rows.map((r) => r.map(text)))}`;
}

/** SE blocks of the other families: one row per workload, one column per implementation with a measurement, median ms (% roofline). */
function familyBlockGrid(runs: LoadedRun[]): string {
  const rows = runs.flatMap((run) => run.results.rows.filter((r) => r.kind === 'se-block' && r.family).map((r) => ({ run, r })));
  if (!rows.length) return '';
  const { col, rowsOf, every, cols } = columns(runs, rows);
  const workloads = [...new Set(rows.map((x) => x.r.workload))];
  const cell = (x: Located | undefined) => (!x ? '' : !measured(x.r) ? x.r.status
    : `${x.r.measurement!.medianMs.toFixed(3)}${x.r.rooflinePct === undefined ? '' : ` (${ceilingPct(x.r.rooflinePct)})`}`);
  const se = (w: string) => {
    const r = rows.find((x) => x.r.workload === w)!.r;
    return `h${r.hidden} ${r.hiddenActivation}/${r.gate}`;
  };
  const body = workloads.map((w) => [w.replace(/^se\//, ''), se(w), ...cols.map((c) => cell(rows.find((x) => x.r.workload === w && col(x) === c)))]);
  return `#### SE blocks at MobileNetV3 / EfficientNet / RegNetY shapes: median ms (% of the copy roofline)\n\n${mdTable(['workload', 'SE', ...cols], body)}${notMeasured(every, rowsOf)}`;
}

/** Latency against r (sweepLatency): one row per ratio with the exact counts, one column per implementation (and run) with a measurement. */
function sweepGrid(runs: LoadedRun[]): string {
  const plan = sweepLatency(runs.flatMap((run) => run.results.rows));
  if (!plan) return '';
  const net = sweepNetwork(runs.flatMap((run) => run.results.rows));
  const points = runs.flatMap((run) => {
    const own = sweepLatency(run.results.rows);
    return own?.by === plan.by ? own.impls.map((impl) => ({ run, impl, at: (r: number) => sweepPoint(own.parts(impl, r)) })) : [];
  });
  const label = (p: (typeof points)[number]) => (runs.length > 1 ? `${p.impl} (${p.run.label})` : p.impl);
  const shown = points.filter((p) => plan.ratios.some((r) => typeof p.at(r) !== 'string'));
  const left = points.filter((p) => !shown.includes(p)).map((p) => `${label(p)} (${plan.ratios.map((r) => p.at(r)).find(Boolean) || 'not timed'})`);
  const body = plan.ratios.map((ratio) => {
    const c = countNetwork(makeNetwork(net.model, { ratio }), net.resolution);
    const cells = shown.map((p) => {
      const v = p.at(ratio);
      return typeof v === 'string' ? v : v.ms.toFixed(plan.by === 'networks' ? 1 : 3);
    });
    return [`r = ${ratio}`, (c.params / 1e6).toFixed(3), paperParams(net.model, ratio)?.toFixed(1) ?? '-', (c.macs / 1e9).toFixed(4), ...cells];
  });
  return `#### Reduction-ratio sweep, ${net.label}: params, GMACs (exact) and ${plan.what.replace(/ ms/, ' median ms')}\n\n`
    + `${mdTable(['ratio', 'params M', 'paper M', 'GMACs', ...shown.map((p) => `${label(p)} ms`)], body)}${left.length ? `\n\nNot measured: ${left.join(', ')}.` : ''}`;
}

/** The Markdown document for `runs`; `sections` are buildSections(runs). */
export function renderMarkdown(runs: LoadedRun[], sections: Section[]): string {
  const section = (id: string) => sections.find((s) => s.id === id);
  const multi = runs.length > 1;
  const parts = [
    `### se-bench: ${runs.map((r) => `${r.label} (${r.results.environment.cpuModel}, ${r.results.createdAt.slice(0, 10)}, commit: ${commitLabel(r.results.environment.gitCommit)})`).join('; ')}`,
    ...runs.map((r) => runWarning(runState(r.results))).filter(Boolean).map((w) => `> ${w}`),
    `#### Verdicts\n\n${runs.flatMap((run) => verdicts(run.results).map((v) => `- ${multi ? `**${run.label}**: ` : ''}${v.text}`)).join('\n')}`,
    seBlockGrid(runs),
    familyBlockGrid(runs),
    overheadTable(section('overhead')),
    familyTable(section('families')),
    sweepGrid(runs),
  ];
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}
