/**
 * The end-of-run tables: SE block throughput (with % of the copy roofline and
 * the speed-up over PyTorch eager measured in the same run), the SE overhead
 * of whole networks (ours and PyTorch's) next to the paper's ratios, and the
 * reduction-ratio sweep.
 */
import { adapterLine } from '../host/webgpu-node.ts';
import { holdsOne, intervalText, ratioInterval, type Interval } from '../measure/bootstrap.ts';
import { ACCOUNT_HEAD, accountRows, accountText, operatorAccount } from './operators.ts';
import { countNetwork } from '../model/count.ts';
import { isLayerNetModel, isSeModel, makeNetwork } from '../model/network.ts';
import { PAPER_RATIO_PARAMS, PAPER_TIMING, ratioClosestToPaper } from '../model/paper.ts';
import { isNetworkRow, isSeBlockRow, measured, runState, runWarning, timedRegionText, type BenchResults, type BenchRow } from '../bench/results.ts';


const ok = measured;
const ms = (r: BenchRow | undefined): string => (r && ok(r) ? r.measurement!.medianMs.toFixed(3) : r ? r.status : '-');

/** A text table: the first `leftColumns` columns left-aligned (names), the rest right-aligned (figures). */
function table(head: string[], rows: string[][], leftColumns = 1): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((v, i) => (i < leftColumns ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** A share of a ceiling; over 100% it is marked `!`: the ceiling, measured once per run, was measured in a busier moment than the row. */
export const ceilingPct = (v: number | undefined, unit = '%'): string => (v === undefined ? '' : `${v.toFixed(0)}${unit}${v > 100 ? '!' : ''}`);
const pct = (v: number | undefined): string => ceilingPct(v);
/** The line under a table that shows a `!` share. */
export const OVER_CEILING_NOTE = '! over 100% of a ceiling: that ceiling is too low for the row (it is measured once per run, and was measured in a busier moment; files before 2026-12-07 set threaded rows against one thread\'s copy); rerun on a quiet machine before reading the figure.';
const overNote = (rows: readonly BenchRow[]): string => (rows.some((r) => (r.rooflinePct ?? 0) > 100 || (r.floorPct ?? 0) > 100) ? `\n${OVER_CEILING_NOTE}` : '');

/**
 * The reduction ratio the SE block and overhead tables show: r = 16 (the
 * paper's) when the run measured it, else the measured ratio closest to it;
 * the sweep shows every ratio. Undefined when no row has a ratio.
 */
export function primaryRatio(rows: readonly BenchRow[]): number | undefined {
  return ratioClosestToPaper(rows.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio])));
}

/** The SE network the sweep counts: the one the run timed (model and resolution), else SE-ResNet-50 at 224. */
export function sweepNetwork(rows: readonly BenchRow[]): { model: string; resolution: number; label: string } {
  const net = rows.find((r) => isNetworkRow(r) && r.model?.startsWith('se-'));
  const model = net?.model ?? 'se-resnet50';
  const resolution = net?.shape[2] ?? 224;
  return { model, resolution, label: `${model} at ${resolution}` };
}

/** What the report's ratio sweep times: whole networks where they were timed at two or more ratios; else the SE blocks. */
export interface SweepLatency {
  by: 'networks' | 'blocks';
  ratios: number[];
  /** Column and axis text, e.g. `SE blocks ms (sum of 4 stage shapes, batch 8)`. */
  what: string;
  impls: string[];
  /** The rows behind one point: a network row, or the SE block rows summed. */
  parts(impl: string, ratio: number): BenchRow[];
}

const ratiosOf = (rows: readonly BenchRow[]): number[] => [...new Set(rows.map((r) => r.ratio!))].sort((a, b) => a - b);

/**
 * The sweep's latency series: network rows at each ratio when networks were
 * timed at two or more (--net-ratios); otherwise (the default: networks at one
 * ratio) each implementation's SE blocks at the largest batch, summed over the
 * stage shapes, at each ratio. Undefined when neither has two ratios.
 */
export function sweepLatency(rows: readonly BenchRow[]): SweepLatency | undefined {
  const nets = rows.filter((r) => isNetworkRow(r) && r.ratio !== undefined);
  if (ratiosOf(nets).length >= 2) {
    return { by: 'networks', ratios: ratiosOf(nets), what: 'network ms', impls: [...new Set(nets.map((r) => r.impl))], parts: (impl, ratio) => nets.filter((x) => x.impl === impl && x.ratio === ratio).slice(0, 1) };
  }
  // ResNet-50's stage shapes only: a family's SE blocks (--blocks) have their own widths and no ratio.
  const blocks = rows.filter((r) => isSeBlockRow(r) && r.ratio !== undefined);
  if (!blocks.length) return undefined;
  const batch = Math.max(...blocks.map((x) => x.shape[0]!));
  const atBatch = blocks.filter((x) => x.shape[0] === batch);
  if (ratiosOf(atBatch).length < 2) return undefined;
  const shapes = new Set(atBatch.map((x) => x.shape.join('x'))).size;
  return {
    by: 'blocks', ratios: ratiosOf(atBatch), what: `SE blocks ms (sum of ${shapes} stage shape${shapes === 1 ? '' : 's'}, batch ${batch})`,
    impls: [...new Set(atBatch.map((r) => r.impl))], parts: (impl, ratio) => atBatch.filter((x) => x.impl === impl && x.ratio === ratio),
  };
}

/** One sweep point: the summed median and MAD-based spread when every part was measured; else the first part's status ('' for none). */
export function sweepPoint(parts: readonly BenchRow[]): { ms: number; spread: number } | string {
  if (!parts.length) return '';
  const bad = parts.find((r) => !measured(r));
  if (bad) return bad.status;
  return { ms: parts.reduce((a, r) => a + r.measurement!.medianMs, 0), spread: parts.reduce((a, r) => a + 1.4826 * r.measurement!.madMs, 0) };
}

/** Params in the paper's reduction-ratio table, for SE-ResNet-50 at 224 only. */
export function paperParams(model: string, ratio: number): number | undefined {
  return model === 'se-resnet50' ? PAPER_RATIO_PARAMS[ratio] : undefined;
}

/** How to read a row's timed region (BenchRow.timedRegion): rows whose regions differ time different work. */
export const TIMED_REGION_KEY = 'timed = input/output/clock of each sample: input staged before timing, moved by run() (in-run) or already in place (PyTorch); '
  + 'output a view of the same CPU memory (nothing copied), a fresh array, read back from the GPU, or read back in the page; clock of Node, the page or PyTorch';

/** A GPU row's device-only median ms, with the GPU's own (timestamp-query) median in brackets where the adapter has it; '' for other rows. */
export function deviceOnlyText(r: BenchRow): string {
  if (!r.deviceOnly) return '';
  return `${r.deviceOnly.medianMs.toFixed(3)}${Number.isFinite(r.deviceOnly.gpuMedianMs) ? ` (${r.deviceOnly.gpuMedianMs.toFixed(3)})` : ''}`;
}

/** The PyTorch row a row of ours is compared with: eager CPU for CPU rows, eager CUDA for GPU rows. */
export function torchPeer(device: string): string {
  return device === 'cpu' ? 'pytorch-eager-cpu' : 'pytorch-eager-cuda';
}

/**
 * PyTorch's median over ours, with a 95% bootstrap interval where both rows
 * keep their samples. GPU rows use their device-only time, as PyTorch's CUDA
 * rows keep the data on the GPU and synchronise per call (device-only times
 * keep no samples: no interval).
 */
export function speedUpOverTorch(r: BenchRow, t: BenchRow | undefined): { value: number; interval?: Interval } | undefined {
  if (!ok(r) || !t || !ok(t)) return undefined;
  const deviceOnly = r.device !== 'cpu' && r.deviceOnly;
  const ours = deviceOnly ? deviceOnly.medianMs : r.measurement!.medianMs;
  const interval = deviceOnly ? undefined : ratioInterval(t.measurement!.samplesMs, r.measurement!.samplesMs);
  return { value: t.measurement!.medianMs / ours, ...(interval ? { interval } : {}) };
}

/** `1.18x [1.15, 1.21]`, or with `no measurable difference` when the interval holds 1. */
export function ratioText(value: number, interval: Interval | undefined, unit = 'x', digits = 2): string {
  if (!interval) return `${value.toFixed(digits)}${unit}`;
  return `${value.toFixed(digits)}${unit} ${intervalText(interval, digits)}${holdsOne(interval) ? ' no measurable difference' : ''}`;
}

/** A CPU row's thread count (the roofline and floor are of as many threads); blank where the implementation does not say. */
const threadsText = (r: BenchRow): string => (r.threads === undefined ? '' : String(r.threads));

function seBlockTable(res: BenchResults): string {
  const ratio = primaryRatio(res.rows.filter(isSeBlockRow));
  const rows = res.rows.filter((r) => r.kind === 'se-block' && ratio !== undefined && r.ratio === ratio); // a family's blocks (no ratio) have their own table
  if (!rows.length) return '';
  const torch = res.rows.filter((r) => r.kind === 'torch' && isSeBlockRow(r) && ['pytorch-eager-cpu', 'pytorch-eager-cuda'].includes(r.impl) && r.ratio === ratio && ok(r));
  const out: string[][] = [];
  for (const r of rows) {
    const s = speedUpOverTorch(r, torch.find((x) => x.workload === r.workload && x.impl === torchPeer(r.device)));
    const dev = deviceOnlyText(r);
    out.push([r.workload, r.impl, threadsText(r), ms(r), ok(r) ? r.gbPerS!.toFixed(2) : '', pct(r.rooflinePct), pct(r.floorPct), s === undefined ? '-' : ratioText(s.value, s.interval), dev, timedRegionText(r.timedRegion)]);
  }
  for (const t of torch) out.push([t.workload, t.impl, threadsText(t), ms(t), t.gbPerS!.toFixed(2), pct(t.rooflinePct), pct(t.floorPct), '1.00x', '', timedRegionText(t.timedRegion)]);
  const peak = res.macPeak ? `; floor = max(memory floor: copy + a re-read of each image from cache, FC multiply-adds at ${res.macPeak.gmacPerS.toFixed(1)} GMAC/s per thread of SIMD128) / SE time` : '';
  const threads = res.torch && 'threads' in res.torch ? `${res.torch.threads} thread(s)` : 'not measured';
  return `SE blocks, r = ${ratio} (median ms; GB/s = input read + output written; roofline = copy time (with the row's threads) / SE time, GPU rows: GPU copy / device-only time${peak}; `
    + `vs torch = PyTorch eager ms / ours [95% bootstrap interval]: CPU rows against eager CPU (${threads}), GPU rows' device-only ms against eager CUDA, synchronised per call)\n`
    + `\n${TIMED_REGION_KEY}\n`
    + table(['workload', 'implementation', 'threads', 'ms', 'GB/s', 'roofline', 'floor', 'vs torch', 'device-only ms (GPU ms)', 'timed'], out)
    + overNote([...rows, ...torch]) + missingCeilingsText(res);
}

/** SE blocks of the families other than ResNet-50 (--blocks), at their networks' shapes. */
function familyBlockTable(res: BenchResults): string {
  const rows = res.rows.filter((r) => r.kind === 'se-block' && r.family);
  if (!rows.length) return '';
  const out = rows.map((r) => [r.workload, `h${r.hidden} ${r.hiddenActivation}/${r.gate}`, r.impl, threadsText(r), ms(r), ok(r) ? r.gbPerS!.toFixed(2) : '', pct(r.rooflinePct), pct(r.floorPct), deviceOnlyText(r)]);
  return `SE blocks of ${[...new Set(rows.map((r) => r.family))].join(', ')} at 224x224 (median ms; hidden width, activation/gate as torchvision builds them; no PyTorch anchor)\n`
    + table(['workload', 'SE', 'implementation', 'threads', 'ms', 'GB/s', 'roofline', 'floor', 'device-only ms (GPU ms)'], out) + overNote(rows);
}

/** One line per ceiling the run could not measure, with why (rows it would have served have no roofline or floor). */
export function missingCeilingsText(res: Pick<BenchResults, 'ceilingsMissing'>): string {
  return (res.ceilingsMissing ?? []).map((m) => `\nnot measured: ${m.ceiling}${m.bytes === undefined ? '' : ` of ${m.bytes} bytes`}: ${m.reason}`).join('');
}

/** An SE network row matched with its plain baseline (same implementation, PyTorch's included, and input), with exact costs and the paper's ratio. */
export interface OverheadPair {
  se: BenchRow;
  base: BenchRow;
  baseName: string;
  /** SE / plain: measured median latency (undefined unless both measured) with its 95% bootstrap interval, params, MACs, FLOPs, and the paper's timing ratio. */
  latency?: number;
  latencyInterval?: Interval;
  /** Paired rows (bench/pairs.ts): how the pairing ended, e.g. "resolved to +-1.2% (40 pairs)"; unpaired rows (older files): undefined. */
  resolution?: string;
  /** False for a paired ratio whose interval is wider than the precision asked for: no verdict may rest on it. */
  resolved: boolean;
  /** Half-width of the CPU-time interval beside the wall-time one's, where CPU time was recorded (percent of the ratio). */
  cpuHalfWidthPct?: number;
  wallHalfWidthPct?: number;
  params: number;
  macs: number;
  flops: number;
  /** The paper's SE-ResNet-50 / ResNet-50 timing ratio, for the ResNet family only (the paper times no other network). */
  paper?: number;
  paperText?: string;
}

/**
 * SE / plain latency: rows sampled as pairs (an SE row whose pairing names
 * the plain row) give the median of per-pair ratios and the bootstrap over
 * pairs, as recorded; other rows (files from before pairing) the ratio
 * of medians with independent resampling.
 */
function latencyRatio(se: BenchRow, base: BenchRow): Pick<OverheadPair, 'latency' | 'latencyInterval' | 'resolution' | 'resolved' | 'cpuHalfWidthPct' | 'wallHalfWidthPct'> {
  const [a, b] = [se.measurement!.samplesMs, base.measurement!.samplesMs];
  const p = se.pairing;
  // The pairing record holds the estimate pairs.ts computed from these very samples when sampling stopped.
  if (p && p.baseline === base.workload && p.ratio !== undefined && p.low !== undefined && p.high !== undefined && p.halfWidthPct !== undefined) {
    return {
      latency: p.ratio, latencyInterval: { low: p.low, high: p.high, level: 0.95 }, resolution: pairingText(p),
      resolved: p.stop === 'resolved', wallHalfWidthPct: p.halfWidthPct, ...(p.cpu ? { cpuHalfWidthPct: p.cpu.halfWidthPct } : {}),
    };
  }
  const interval = ratioInterval(a, b);
  return { latency: se.measurement!.medianMs / base.measurement!.medianMs, ...(interval ? { latencyInterval: interval } : {}), resolved: true, ...(p ? { resolution: pairingText(p) } : { resolution: 'unpaired samples' }) };
}

/** The latency cell of an overhead pair: ratio, interval and, unless resolved, no claim (the interval only). */
export function overheadLatencyText(o: Pick<OverheadPair, 'latency' | 'latencyInterval' | 'resolution' | 'resolved'>, digits = 3): string {
  if (o.latency === undefined) return o.resolution ?? '-';
  const claim = o.resolved ? ratioText(o.latency, o.latencyInterval, '', digits) : `${o.latency.toFixed(digits)} ${intervalText(o.latencyInterval, digits)}`;
  return `${claim}${o.resolution ? `, ${o.resolution}` : ''}`;
}

/** Every SE network row of `rows` at the primary ratio (ours and PyTorch anchors) with its baseline (same implementation, model family, batch and resolution); the SE overhead figures. */
export function overheadPairs(rows: BenchRow[]): OverheadPair[] {
  const nets = rows.filter(isNetworkRow);
  const ratio = primaryRatio(nets);
  const out: OverheadPair[] = [];
  // ResNets at the primary ratio; torchvision's layer networks have their own SE blocks and no ratio.
  for (const se of nets.filter((r) => isSeModel(r.model!) && (isLayerNetModel(r.model!) || r.ratio === ratio))) {
    const layer = isLayerNetModel(se.model!);
    const baseName = makeNetwork(se.model!).baseline;
    const base = nets.find((r) => r.model === baseName && r.impl === se.impl && r.shape.join('x') === se.shape.join('x'));
    if (!base) continue;
    const cs = countNetwork(layer ? makeNetwork(se.model!) : makeNetwork(se.model!, { ratio }), se.shape[2]!);
    const cb = countNetwork(makeNetwork(baseName), se.shape[2]!);
    const p = se.device === 'cpu' ? PAPER_TIMING.cpu : PAPER_TIMING.gpu;
    out.push({
      se, base, baseName, ...(ok(se) && ok(base) ? latencyRatio(se, base) : { resolved: false, ...(se.pairing?.stop === 'failed' || base.status === 'failed' || se.status === 'failed' ? { resolution: 'not resolved (a network failed)' } : {}) }),
      params: cs.params / cb.params, macs: cs.macs / cb.macs, flops: cs.flops / cb.flops, ...(layer ? {} : { paper: p.se / p.plain, paperText: `${p.se}/${p.plain}` }),
    });
  }
  return out;
}

/** Names of the SE networks among `pairs`, in order: the columns of familyTable. */
export function pairFamilies(pairs: OverheadPair[]): string[] {
  return [...new Set(pairs.map((o) => `${o.se.model} b${o.se.shape[0]} @${o.se.shape[2]}`))];
}

/** What SE costs on each network family, side by side: one row per engine, one latency cell (SE / plain) per SE network. */
export function familyRows(pairs: OverheadPair[]): { head: string[]; rows: string[][] } {
  const families = pairFamilies(pairs);
  const impls = [...new Set(pairs.map((o) => o.se.impl))];
  const cell = (impl: string, f: string) => {
    const o = pairs.find((p) => p.se.impl === impl && `${p.se.model} b${p.se.shape[0]} @${p.se.shape[2]}` === f);
    return o ? overheadLatencyText(o) : '-';
  };
  return { head: ['implementation', ...families], rows: impls.map((impl) => [impl, ...families.map((f) => cell(impl, f))]) };
}

function familyTable(pairs: OverheadPair[]): string {
  if (pairFamilies(pairs).length < 2) return '';
  const { head, rows } = familyRows(pairs);
  const params = pairFamilies(pairs).map((f) => {
    const o = pairs.find((p) => `${p.se.model} b${p.se.shape[0]} @${p.se.shape[2]}` === f)!;
    return `${o.se.model} ${((o.params - 1) * 100).toFixed(1)}% params, ${((o.macs - 1) * 100).toFixed(2)}% MACs`;
  });
  return `

SE cost per network family (latency SE / plain, 95% interval over pairs; exact: ${params.join('; ')})
${table(head, rows)}`;
}

/** Network rows with no plain baseline to pair with: their latency, and the --model list that would give the overhead. */
function unpairedNetworks(rows: BenchRow[]): string {
  const nets = rows.filter(isNetworkRow);
  if (!nets.length) return '';
  const models = [...new Set(nets.map((r) => r.model!))];
  const missing = [...new Set(models.filter(isSeModel).map((m) => makeNetwork(m).baseline))].filter((b) => !models.includes(b));
  const hint = missing.length ? `; for the SE overhead, time the plain baseline too: --model=${[...missing, ...models].join(',')}` : '';
  return `Networks (median ms; no SE / plain pair${hint})\n`
    + table(['network', 'implementation', 'ms'], nets.map((r) => [`${r.model}${r.ratio ? ` r${r.ratio}` : ''} b${r.shape[0]} @${r.shape[2]}`, r.impl, ms(r)]));
}

function overheadTable(res: BenchResults): string {
  const pairs = overheadPairs(res.rows);
  const out = pairs.map((o) => [`${o.baseName} -> ${o.se.model} b${o.se.shape[0]} @${o.se.shape[2]}`, o.se.impl, ms(o.base), ms(o.se),
    overheadLatencyText(o), o.params.toFixed(3), o.macs.toFixed(4), o.flops.toFixed(4), o.paper?.toFixed(3) ?? '-']);
  if (!out.length) return unpairedNetworks(res.rows);
  const { cpu, gpu } = PAPER_TIMING;
  const torch = pairs.some((o) => o.se.kind === 'torch') && res.torch && 'threads' in res.torch
    ? `; pytorch-* rows: torch ${res.torch.torch} eager, ${res.torch.threads} thread(s), same networks and weights, timed right after ours` : '';
  return `SE overhead (SE / plain, latency: median of per-pair ratios with its 95% bootstrap interval over pairs, and whether it met --precision; the paper: CPU ${cpu.se}/${cpu.plain} ms = ${(cpu.se / cpu.plain).toFixed(3)}, GPU ${gpu.se}/${gpu.plain} ms = ${(gpu.se / gpu.plain).toFixed(3)}${torch})\n`
    + table(['networks', 'implementation', 'plain ms', 'SE ms', 'latency', 'params', 'MACs', 'FLOPs', 'paper'], out)
    + familyTable(pairs) + clockText(pairs) + operatorTables(res.rows, pairs);
}

/** The "SE overhead by operator" tables, one per profiled pair; a pair whose profile is missing says why. */
function operatorTables(rows: BenchRow[], pairs: OverheadPair[]): string {
  if (!rows.some((r) => r.profile)) return '';
  const out: string[] = [];
  for (const o of pairs) {
    const a = operatorAccount(o);
    if (a) {
      out.push(`\nSE overhead by operator, ${o.se.impl} (${a.profiler}; ${o.baseName} -> ${o.se.model}, changed operators, largest difference first)\n${table(ACCOUNT_HEAD, accountRows(a), 2)}\n${accountText(a)}`);
    } else {
      const why = [o.base, o.se].map((r) => r.profile).find((p) => p && !p.available);
      if (why && !why.available) out.push(`\nSE overhead by operator, ${o.se.impl}: not profiled: ${why.reason}`);
    }
  }
  return out.join('\n');
}

/** Which clock gave the tighter interval, per implementation where CPU time was recorded; the verdicts stay on wall time. */
function clockText(pairs: OverheadPair[]): string {
  const both = pairs.filter((o) => o.cpuHalfWidthPct !== undefined && o.wallHalfWidthPct !== undefined);
  if (!both.length) return '';
  const cells = both.map((o) => `${o.se.impl} wall +-${o.wallHalfWidthPct!.toFixed(1)}%, CPU +-${o.cpuHalfWidthPct!.toFixed(1)}% (${o.cpuHalfWidthPct! < o.wallHalfWidthPct! ? 'CPU' : 'wall'} tighter)`);
  return `\nCPU time beside wall time (one-thread implementations; verdicts use wall time): ${cells.join('; ')}`;
}

function sweepTable(res: BenchResults): string {
  const ratios = [...new Set(res.rows.filter((r) => r.ratio !== undefined).map((r) => r.ratio!))].sort((a, b) => a - b);
  if (ratios.length < 2) return '';
  // Ours and PyTorch's (its SE block shapes and its networks), in the order they were measured.
  const impls = [...new Set(res.rows.filter((r) => r.ratio !== undefined).map((r) => r.impl))];
  const batch = Math.max(...res.rows.filter(isSeBlockRow).map((x) => x.shape[0]!));
  const net = sweepNetwork(res.rows);
  const out: string[][] = [];
  for (const r of ratios) {
    const c = countNetwork(makeNetwork(net.model, { ratio: r }), net.resolution);
    for (const impl of impls) {
      const blocks = res.rows.filter((x) => isSeBlockRow(x) && x.ratio === r && x.impl === impl && x.shape[0] === batch);
      const blockMs = blocks.every(ok) && blocks.length ? blocks.reduce((a, b) => a + b.measurement!.medianMs, 0).toFixed(3) : blocks.length ? 'n/a' : '-';
      const netRow = res.rows.find((x) => isNetworkRow(x) && x.ratio === r && x.impl === impl);
      out.push([`r = ${r}`, (c.params / 1e6).toFixed(3), paperParams(net.model, r)?.toFixed(1) ?? '-', (c.macs / 1e9).toFixed(4), impl, blockMs, ms(netRow)]);
    }
  }
  return `Reduction-ratio sweep (${net.label}: params, paper params (SE-ResNet-50 at 224 only), GMACs; SE block ms summed over the stages at the largest batch; network ms)\n`
    + table(['ratio', 'params M', 'paper M', 'GMACs', 'implementation', 'SE blocks ms', 'network ms'], out);
}

/** All summary tables, separated by blank lines. */
export function benchSummary(res: BenchResults): string {
  const adapter = res.gpuAdapter && `WebGPU adapter: ${adapterLine(res.gpuAdapter)}${res.gpuAdapter.software ? ': software, its timings say nothing about GPUs' : ''}`;
  return [runWarning(runState(res)), adapter, seBlockTable(res), familyBlockTable(res), overheadTable(res), sweepTable(res)].filter(Boolean).join('\n\n');
}

/** "resolved to +-1.2%" or "not resolved (budget): +-3.4%", for the summary, report and Markdown. */
export function pairingText(p: { stop: 'resolved' | 'budget' | 'failed'; halfWidthPct?: number; pairs: number }): string {
  if (p.stop === 'failed') return 'not resolved (a network failed)';
  const hw = p.halfWidthPct === undefined ? '' : `+-${p.halfWidthPct.toFixed(1)}%`;
  return p.stop === 'resolved' ? `resolved to ${hw} (${p.pairs} pairs)` : `not resolved (budget): ${hw} (${p.pairs} pairs)`;
}
