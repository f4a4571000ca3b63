/** Text, CSV and JSON renderings of a network count (`se-bench count`). */
import type { LayerRow, NetworkCount, Overhead } from '../model/count.ts';
import { stringify } from 'csv-stringify/sync';

/** 1234567 -> "1,234,567". */
export function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const shape = (s: number[]): string => `[${s.join(', ')}]`;
const signed = (n: number, digits: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

/** Tree prefix (├─ / └─ with │ for open ancestors) for each row, torchinfo style. */
function treePrefixes(rows: LayerRow[]): string[] {
  const isLast = rows.map((r, i) => {
    for (let j = i + 1; j < rows.length; j++) {
      if (rows[j]!.depth < r.depth) return true;
      if (rows[j]!.depth === r.depth) return false;
    }
    return true;
  });
  const open: boolean[] = [];
  return rows.map((r, i) => {
    open[r.depth] = !isLast[i];
    if (r.depth === 0) return '';
    let p = '';
    for (let d = 1; d < r.depth; d++) p += open[d] ? '│  ' : '   ';
    return p + (isLast[i] ? '└─ ' : '├─ ');
  });
}

function seOpsText(c: NetworkCount): string {
  const o = c.seOps;
  return `squeeze ${grouped(o.squeeze)}, hidden activation ${grouped(o.activation)}, gate ${grouped(o.gate)}, `
    + `FC bias adds ${grouped(o.bias)}, scale multiplies ${grouped(o.scale)}`;
}

/** Overhead line(s) of an SE network against its baseline. */
export function formatOverhead(o: Overhead): string {
  const part = (label: string, v: { abs: number; pct: number }): string => `${label} ${v.abs >= 0 ? '+' : ''}${grouped(v.abs)} (${signed(v.pct, 2)}%)`;
  return `SE overhead vs ${o.baseline}: ${part('params', o.params)}, ${part('MACs', o.macs)}, ${part('FLOPs', o.flops)}`;
}

/** The totals block (and the overhead line when given). */
export function formatTotals(c: NetworkCount, o?: Overhead): string {
  const lines = [
    `${c.model} at 1x3x${c.resolution}x${c.resolution}`,
    `Params:                              ${grouped(c.params).padStart(15)}  (${(c.params / 1e6).toFixed(2)} M; SE ${grouped(c.seParams)})`,
    `MACs (conv + FC multiply-adds):      ${grouped(c.macs).padStart(15)}  (${(c.macs / 1e9).toFixed(3)} G; SE FCs ${grouped(c.seMacs)})`,
    `SE elementwise ops:                  ${grouped(c.seOpsTotal).padStart(15)}  (${seOpsText(c)})`,
    `FLOPs (MACs + SE elementwise ops):   ${grouped(c.flops).padStart(15)}  (${(c.flops / 1e9).toFixed(3)} G)`,
  ];
  if (o) lines.push(formatOverhead(o));
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** Per-layer table like torchinfo's summary, then the totals. */
export function formatSummary(c: NetworkCount, o?: Overhead): string {
  const prefixes = treePrefixes(c.rows);
  const label = c.rows.map((r, i) => `${prefixes[i]}${r.depth === 0 ? r.name : r.name.split('.').at(-1)} (${r.type})`);
  const cols = c.rows.map((r, i) => [label[i]!, shape(r.inputShape), shape(r.outputShape), grouped(r.params), grouped(r.macs), grouped(r.seOps.squeeze + r.seOps.activation + r.seOps.gate + r.seOps.bias + r.seOps.scale)]);
  const head = ['Layer (type)', 'Input shape', 'Output shape', 'Params', 'MACs', 'SE ops'];
  const widths = head.map((h, k) => Math.max(h.length, ...cols.map((r) => r[k]!.length)));
  const fmt = (r: string[]): string => r.map((v, k) => (k < 3 ? v.padEnd(widths[k]!) : v.padStart(widths[k]!))).join('  ');
  const rule = '='.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [rule, fmt(head), rule, ...cols.map(fmt), rule, formatTotals(c, o), rule].join('\n');
}

/** One CSV row per layer (containers included, `depth` says which is which). */
export function countCsv(c: NetworkCount): string {
  const columns = ['model', 'resolution', 'layer', 'type', 'depth', 'input_shape', 'output_shape', 'params', 'macs',
    'se_squeeze_ops', 'se_activation_ops', 'se_gate_ops', 'se_bias_ops', 'se_scale_ops'];
  const rows = c.rows.map((r) => [c.model, c.resolution, r.name, r.type, r.depth, shape(r.inputShape), shape(r.outputShape), r.params, r.macs,
    r.seOps.squeeze, r.seOps.activation, r.seOps.gate, r.seOps.bias, r.seOps.scale]);
  return stringify(rows, { header: true, columns, escape_formulas: true });
}
