/**
 * The report's content as data: each section has a chart spec (drawn by
 * client.js with chart.js) and the table behind it. Everything here is plain
 * values; html.ts escapes every string when it renders them.
 */
import { countNetwork } from '../model/count.ts';
import { makeNetwork } from '../model/network.ts';
import { adapterLine } from '../host/webgpu-node.ts';
import { verdicts } from './verdicts.ts';
import { ACCOUNT_HEAD, accountRows, accountText, operatorAccount } from './operators.ts';
import { ceilingPct, OVER_CEILING_NOTE, deviceOnlyText, familyRows, overheadLatencyText, overheadPairs, paperParams, primaryRatio, ratioText, speedUpOverTorch, sweepLatency, sweepNetwork, sweepPoint, TIMED_REGION_KEY, torchPeer } from './summary.ts';
import { isSeBlockRow, measured, timedRegionText, type BenchRow } from '../bench/results.ts';
import type { LoadedRun } from './load.ts';
import { commitLabel } from '../host/environment.ts';

/** A table cell: text, optionally with a status class for colour (the text carries the meaning too). */
export type Cell = string | { text: string; cls: 'good' | 'warn' | 'bad' | 'muted' };

export interface Table { head: string[]; rows: Cell[][] }

export interface Dataset {
  label: string;
  data: (number | null)[];
  /** [low, high] per point, drawn as error bars. */
  errorBars?: ([number, number] | null)[];
  yAxisID?: 'y' | 'y2';
  type?: 'bar' | 'line';
}

export interface ChartSpec {
  type: 'bar' | 'line';
  labels: string[];
  datasets: Dataset[];
  xTitle: string;
  yTitle: string;
  y2Title?: string;
  logY?: boolean;
}

export interface Section { id: string; title: string; intro: string; chart?: ChartSpec; table: Table }

const ok = measured;
const f = (v: number | undefined, d = 3): string => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(d));
/** median +- 1.4826 MAD (the scaled MAD estimates one standard deviation). */
const spread = (r: BenchRow): number => 1.4826 * r.measurement!.madMs;
const multi = (runs: LoadedRun[]) => runs.length > 1;
const name = (runs: LoadedRun[], run: LoadedRun, impl: string) => (multi(runs) ? `${impl} (${run.label})` : impl);
const isSoftware = (text: string | undefined) => /software|swiftshader|fallback|llvmpipe|lavapipe/i.test(text ?? '');

function environment(runs: LoadedRun[]): Section[] {
  const machines: Cell[][] = runs.map((run) => {
    const e = run.results.environment;
    return [run.label, `${run.results.createdAt.slice(0, 16).replace('T', ' ')} UTC`, e.cpuModel, String(e.cpuCores), `${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB`, e.os, `${e.node} / V8 ${e.v8}`, commitLabel(e.gitCommit),
      run.results.gpuAdapter ? adapterLine(run.results.gpuAdapter) : '', Object.entries(e.packages ?? {}).map(([k, v]) => `${k} ${v}`).join(', '), e.commandLine.join(' ')];
  });
  const adapters: Cell[][] = [];
  for (const run of runs) {
    for (const i of run.results.implementations) {
      const text = i.available ? i.detail ?? '' : `unavailable: ${i.reason}`;
      // Node's WebGPU rows: the recorded adapter says; older files and browser rows: the detail text. A browser
      // implementation that names no adapter (the reference, tfjs cpu and wasm in the page) computes on the CPU.
      const nodeGpu = (i.device === 'webgpu' || i.device === 'gpu') && run.results.gpuAdapter;
      const software = nodeGpu ? run.results.gpuAdapter!.software : isSoftware(text);
      const onCpu = i.device === 'cpu' || (i.device === 'browser' && !/adapter|webgpu/i.test(text));
      const kind: Cell = !i.available ? { text: 'unavailable', cls: 'muted' } : onCpu ? (i.device === 'cpu' ? 'CPU' : 'CPU (in the page)')
        : software ? { text: 'software adapter', cls: 'warn' } : { text: 'hardware adapter', cls: 'good' };
      adapters.push([run.label, i.name, i.device, kind, text]);
    }
  }
  return [
    { id: 'environment', title: 'Environment', intro: 'The machine and software of each run.',
      table: { head: ['run', 'started', 'CPU', 'cores', 'memory', 'OS', 'Node', 'commit', 'WebGPU adapter (Node)', 'packages', 'command line'], rows: machines } },
    { id: 'implementations', title: 'Implementations and adapters', intro: 'What each run could use; software (emulated) GPU adapters are marked, their timings say nothing about GPUs.',
      table: { head: ['run', 'implementation', 'device', 'kind', 'detail'], rows: adapters } },
  ];
}

function conformance(runs: LoadedRun[]): Section {
  const impls = [...new Set(runs.flatMap((r) => r.results.conformance.map((c) => name(runs, r, c.impl))))];
  const cases = [...new Set(runs.flatMap((r) => r.results.conformance.map((c) => c.caseId)))];
  const rows = cases.map((id): Cell[] => [id, ...impls.map((label): Cell => {
    for (const run of runs) {
      const c = run.results.conformance.find((x) => x.caseId === id && name(runs, run, x.impl) === label);
      if (!c) continue;
      if (c.status !== 'pass') return { text: c.status.toUpperCase(), cls: c.status === 'fail' || c.status === 'error' ? 'bad' : 'muted' };
      const pct = (c.worstRatio ?? 0) * 100;
      return { text: `PASS ${pct.toFixed(0)}%`, cls: pct < 50 ? 'good' : 'warn' };
    }
    return { text: '', cls: 'muted' };
  })]);
  return {
    id: 'conformance', title: 'Conformance', intro: 'Golden cases x implementations: PASS n% is the worst element error as a share of its tolerance (atol + rtol |ref|); an implementation is timed only if every case passes.',
    table: { head: ['case', ...impls], rows },
  };
}

function seBlocks(runs: LoadedRun[]): Section[] {
  const ratio = primaryRatio(runs.flatMap((run) => run.results.rows.filter(isSeBlockRow)));
  const rows = runs.flatMap((run) => run.results.rows.filter((r) => isSeBlockRow(r) && ratio !== undefined && r.ratio === ratio).map((r) => ({ run, r })));
  const workloads = [...new Set(rows.map((x) => x.r.workload))];
  const series = [...new Set(rows.map((x) => name(runs, x.run, x.r.impl)))];
  const find = (s: string, w: string) => rows.find((x) => name(runs, x.run, x.r.impl) === s && x.r.workload === w);
  const gbps = (x: { r: BenchRow } | undefined): number | null => (x && ok(x.r) && x.r.gbPerS !== undefined ? x.r.gbPerS : null);
  const throughput: ChartSpec = {
    type: 'bar', labels: workloads, xTitle: 'workload (stage shape / batch / ratio)', yTitle: 'GB/s (input read + output written)', logY: true,
    datasets: series.map((s) => ({
      label: s, data: workloads.map((w) => gbps(find(s, w))),
      errorBars: workloads.map((w) => {
        const x = find(s, w);
        if (!x || !ok(x.r) || !x.r.bytes) return null;
        const m = x.r.measurement!.medianMs;
        return [x.r.bytes / ((m + spread(x.r)) * 1e6), x.r.bytes / (Math.max(1e-6, m - spread(x.r)) * 1e6)];
      }),
    })),
  };
  const table: Table = {
    head: ['workload', 'implementation', 'status', 'median ms', '+- ms (1.48 MAD)', 'p90 ms', 'samples', 'img/s', 'GB/s', 'device-only ms (GPU ms)', 'roofline %', 'floor %', 'vs PyTorch', 'timed (input/output/clock)', 'check vs reference'],
    rows: rows.map(({ run, r }) => {
      const peer = r.kind === 'torch' ? undefined : run.results.rows.find((t) => t.kind === 'torch' && t.workload === r.workload && t.impl === torchPeer(r.device));
      const vsTorch = speedUpOverTorch(r, peer);
      return [r.workload, name(runs, run, r.impl), ok(r) ? r.status : { text: r.status, cls: r.status === 'skipped' ? 'muted' : 'bad' },
        ok(r) ? f(r.measurement!.medianMs) : r.message ?? '', ok(r) ? f(spread(r)) : '', ok(r) ? f(r.measurement!.p90Ms) : '', ok(r) ? String(r.measurement!.sampleCount) : '',
        ok(r) ? f(r.imagesPerS, 1) : '', ok(r) ? f(r.gbPerS, 2) : '', deviceOnlyText(r), ceilingPct(r.rooflinePct, ''), ceilingPct(r.floorPct, ''), vsTorch === undefined ? '' : `${ratioText(vsTorch.value, vsTorch.interval)} (${peer!.impl})`,
        timedRegionText(r.timedRegion),
        r.checkRatio === undefined ? '' : `${(100 * r.checkRatio).toFixed(0)}% of tol.`];
    }),
  };
  const roofline: ChartSpec = {
    type: 'bar', labels: workloads, xTitle: 'workload', yTitle: '% of the copy roofline (copy time / SE time)',
    datasets: series.map((s) => ({ label: s, data: workloads.map((w) => find(s, w)?.r.rooflinePct ?? null) })),
  };
  const copies: Table = {
    head: ['run', 'method', 'bytes', 'median ms', 'rate'],
    rows: runs.flatMap((run) => [
      ...run.results.roofline.map((c) => [run.label, c.method, String(c.bytes), f(c.stats.medianMs), `${f(c.gbPerS, 1)} GB/s`]),
      ...(run.results.gpuRoofline ?? []).map((c) => [run.label, 'GPU buffer copy (copyBufferToBuffer)', String(c.bytes), f(c.medianMs), `${f(c.gbPerS, 1)} GB/s`]),
      ...(run.results.macPeak ? [[run.label, run.results.macPeak.method, '', f(run.results.macPeak.stats.medianMs), `${f(run.results.macPeak.gmacPerS, 1)} GMAC/s`]] : []),
      ...(run.results.ceilingsMissing ?? []).map((m) => [run.label, m.ceiling, m.bytes === undefined ? '' : String(m.bytes), 'not measured', m.reason]),
    ]),
  };
  return [
    { id: 'se-blocks', title: 'SE block throughput', intro: `Bars: median GB/s at r = ${ratio} (log scale); error bars: median +- 1.48 MAD. PyTorch rows were timed on the same machine in the same run; vs PyTorch = its median / ours, CPU rows against eager CPU, GPU rows' device-only time against eager CUDA. ${TIMED_REGION_KEY}.`, chart: throughput, table },
    { id: 'roofline', title: 'Memory roofline', intro: `An SE block must read its input and write its output once, the traffic of one copy: 100% means as fast as copying the tensor. Each CPU row is set against the copy of as many threads as it ran. Its FCs need N x 2 x C x C/r multiply-adds: the table's floor % (CPU rows) is max(memory floor, those at the SIMD128 rate below times the threads) / SE time, where the memory floor is the copy plus a re-read of each image from the cache it fits. ${OVER_CEILING_NOTE}`, chart: roofline, table: copies },
  ];
}

function overhead(runs: LoadedRun[]): Section {
  const rows: Cell[][] = [];
  const labels: string[] = [];
  const lat: (number | null)[] = [];
  const latBars: ([number, number] | null)[] = [];
  const params: number[] = [];
  const macs: number[] = [];
  const paper: (number | null)[] = [];
  for (const run of runs) {
    for (const o of overheadPairs(run.results.rows)) {
      const label = `${name(runs, run, o.se.impl)} b${o.se.shape[0]} @${o.se.shape[2]}`;
      labels.push(label);
      lat.push(o.latency ?? null);
      latBars.push(o.latencyInterval ? [o.latencyInterval.low, o.latencyInterval.high] : null);
      params.push(o.params);
      macs.push(o.macs);
      paper.push(o.paper ?? null);
      rows.push([label, `${o.baseName} -> ${o.se.model}`, ok(o.base) ? f(o.base.measurement!.medianMs) : o.base.status, ok(o.se) ? f(o.se.measurement!.medianMs) : o.se.status,
        o.latency === undefined ? (o.resolution ?? '') : overheadLatencyText(o), f(o.params), f(o.macs, 4), f(o.flops, 4), o.paper === undefined ? '-' : `${o.paperText} = ${f(o.paper)}`]);
    }
  }
  return {
    id: 'overhead', title: 'SE overhead vs plain network', intro: 'SE network / plain network of the same family: measured latency, the median of per-pair ratios (one call of each network per pair, the order alternating) with its 95% bootstrap interval over pairs, and whether it met --precision (an unresolved interval supports no verdict) (pytorch-* rows: PyTorch eager on the same networks, timed in the same run right after ours), params, MACs and FLOPs (exact counts), beside the paper\'s timing ratios (CPU: one image, 164 -> 167 ms; GPU: batch 256 forward+backward, 190 -> 209 ms).',
    chart: { type: 'bar', labels, xTitle: 'implementation, batch, resolution', yTitle: 'SE / plain',
      datasets: [{ label: 'latency (measured; bars: 95% interval)', data: lat, errorBars: latBars }, { label: 'params', data: params }, { label: 'MACs', data: macs }, { label: 'paper latency', data: paper }] },
    table: { head: ['implementation', 'networks', 'plain ms', 'SE ms', 'latency ratio [95% interval over pairs]', 'params ratio', 'MACs ratio', 'FLOPs ratio', 'paper'], rows },
  };
}

/**
 * Params and latency against r: network latency where networks were timed at
 * two or more ratios, else the SE blocks summed over the stage shapes
 * (sweepLatency); undefined with fewer than two ratios (one point is no sweep).
 */
function sweep(runs: LoadedRun[]): Section | undefined {
  const all = runs.flatMap((run) => run.results.rows);
  const plan = sweepLatency(all);
  if (!plan) return undefined;
  const { ratios } = plan;
  const net = sweepNetwork(all);
  const datasets: Dataset[] = [
    { label: 'params, M (exact)', data: ratios.map((r) => countNetwork(makeNetwork(net.model, { ratio: r }), net.resolution).params / 1e6), yAxisID: 'y', type: 'line' },
    ...(net.model === 'se-resnet50' ? [{ label: 'params, M (paper)', data: ratios.map((r) => paperParams(net.model, r) ?? null), yAxisID: 'y', type: 'line' } as Dataset] : []),
  ];
  const rows: Cell[][] = [];
  for (const run of runs) {
    const own = sweepLatency(run.results.rows);
    for (const impl of own?.by === plan.by ? own.impls : []) {
      const points = ratios.map((r) => sweepPoint(own!.parts(impl, r)));
      const timed = points.filter((p) => typeof p !== 'string').length;
      if (timed === 0) continue; // never timed here: the implementations section says why
      // A series of one point is no trend, and one slow baseline would squash every other line: its table rows stay.
      if (timed >= 2) {
        datasets.push({
          label: `${name(runs, run, impl)} latency, ms`, data: points.map((p) => (typeof p === 'string' ? null : p.ms)),
          errorBars: points.map((p) => (typeof p === 'string' ? null : [p.ms - p.spread, p.ms + p.spread])),
          yAxisID: 'y2', type: 'line',
        });
      }
      ratios.forEach((r, i) => {
        const c = countNetwork(makeNetwork(net.model, { ratio: r }), net.resolution);
        const p = points[i]!;
        rows.push([`r = ${r}`, name(runs, run, impl), f(c.params / 1e6), f(paperParams(net.model, r), 1), f(c.macs / 1e9, 4), typeof p === 'string' ? p : f(p.ms)]);
      });
    }
  }
  const latency = plan.by === 'networks' ? 'measured network latency' : `the SE blocks' latency, summed over the stage shapes (networks were timed at one ratio; --net-ratios times them at more)`;
  return {
    id: 'sweep', title: 'Reduction-ratio sweep', intro: `${net.label} against r: params (exact${net.model === 'se-resnet50' ? ' and the paper\'s table' : ''}, left axis) and ${latency} per implementation (right axis, from zero; bars: median +- 1.48 MAD${plan.by === 'blocks' ? ', summed' : ''}). An implementation timed at one ratio only is in the table, not the chart.`,
    chart: { type: 'line', labels: ratios.map((r) => `r = ${r}`), xTitle: 'reduction ratio', yTitle: 'params (M)', y2Title: 'latency (ms)', datasets },
    table: { head: ['ratio', 'implementation', 'params M', 'paper M', 'GMACs', plan.what], rows },
  };
}

function batchScaling(runs: LoadedRun[]): Section {
  const ratio = primaryRatio(runs.flatMap((run) => run.results.rows.filter(isSeBlockRow)));
  const rows = runs.flatMap((run) => run.results.rows.filter((r) => r.kind === 'se-block' && ratio !== undefined && r.ratio === ratio && ok(r)).map((r) => ({ run, r })));
  const batches = [...new Set(rows.map((x) => x.r.shape[0]!))].sort((a, b) => a - b);
  // By the block's shape (C x H x W), read from the row, not parsed out of its workload id.
  const key = (x: { run: LoadedRun; r: BenchRow }) => `${name(runs, x.run, x.r.impl)} ${x.r.shape.slice(1).join('x')}`;
  const keys = [...new Set(rows.map(key))];
  return {
    id: 'batch', title: 'Batch-size scaling', intro: 'Images per second of each SE block against the batch size (--batch=1,8,32 gives more points).',
    chart: { type: 'line', labels: batches.map(String), xTitle: 'batch', yTitle: 'images/s', logY: true,
      datasets: keys.map((k) => ({ label: k, data: batches.map((b) => rows.find((x) => key(x) === k && x.r.shape[0] === b)?.r.imagesPerS ?? null) })) },
    table: { head: ['implementation / block shape', ...batches.map((b) => `batch ${b} img/s`)], rows: keys.map((k) => [k, ...batches.map((b) => f(rows.find((x) => key(x) === k && x.r.shape[0] === b)?.r.imagesPerS, 1))]) },
  };
}

function crossHardware(runs: LoadedRun[]): Section | undefined {
  if (runs.length < 2) return undefined;
  const [first, ...others] = runs;
  const rows: Cell[][] = [];
  const labels: string[] = [];
  const datasets: Dataset[] = others.map((o) => ({ label: `${o.label} / ${first!.label}`, data: [], errorBars: [] }));
  for (const a of first!.results.rows.filter(ok)) {
    const matches = others.map((o) => o.results.rows.find((b) => b.workload === a.workload && b.impl === a.impl && ok(b)));
    if (!matches.some(Boolean)) continue;
    labels.push(`${a.workload} ${a.impl}`);
    matches.forEach((b, i) => {
      if (!b) {
        datasets[i]!.data.push(null);
        datasets[i]!.errorBars!.push(null);
        return;
      }
      // Speed-up of b over a = median_a / median_b; relative spreads add in quadrature.
      const speed = a.measurement!.medianMs / b.measurement!.medianMs;
      const rel = Math.hypot(spread(a) / a.measurement!.medianMs, spread(b) / b.measurement!.medianMs);
      datasets[i]!.data.push(speed);
      datasets[i]!.errorBars!.push([speed * (1 - rel), speed * (1 + rel)]);
      rows.push([a.workload, a.impl, others[i]!.label, f(a.measurement!.medianMs), f(b.measurement!.medianMs), `${f(speed, 2)}x +- ${f(speed * rel, 2)}`]);
    });
  }
  return {
    id: 'cross', title: 'Cross-hardware comparison', intro: `The same workload and implementation on every machine, relative to ${first!.label}: > 1 is faster; error bars propagate both runs' spread (relative MADs in quadrature).`,
    chart: { type: 'bar', labels, xTitle: 'workload and implementation', yTitle: 'speed relative to the first run', datasets },
    table: { head: ['workload', 'implementation', 'run', `${first!.label} ms`, 'this run ms', 'relative speed'], rows },
  };
}

function regression(runs: LoadedRun[]): Section | undefined {
  const withComparison = runs.filter((r) => r.results.comparison);
  if (!withComparison.length) return undefined;
  const rows: Cell[][] = [];
  const labels: string[] = [];
  const data: number[] = [];
  for (const run of withComparison) {
    const c = run.results.comparison!;
    if (c.refused) rows.push([run.label, c.baseline, { text: 'refused', cls: 'warn' }, c.refused, '', '']);
    for (const ch of (c.changes ?? []) as { workload: string; impl: string; baselineMs: number; currentMs: number; changePct: number; verdict: string }[]) {
      labels.push(`${ch.workload} ${ch.impl}`);
      data.push(ch.changePct);
      rows.push([run.label, `${ch.workload} ${ch.impl}`, { text: ch.verdict, cls: ch.verdict === 'slower' ? 'bad' : ch.verdict === 'faster' ? 'good' : 'muted' }, f(ch.baselineMs), f(ch.currentMs), `${ch.changePct >= 0 ? '+' : ''}${f(ch.changePct, 1)}%`]);
    }
  }
  return {
    id: 'regression', title: 'Regression against the baseline', intro: 'Change of each median against the --compare baseline; "slower" only beyond the threshold and outside both runs\' noise.',
    chart: { type: 'bar', labels, xTitle: 'measurement', yTitle: 'change of the median, %', datasets: [{ label: 'change %', data }] },
    table: { head: ['run', 'measurement', 'verdict', 'baseline ms', 'now ms', 'change'], rows },
  };
}

/** Every section for these runs, in report order (empty ones dropped). */
const QUESTIONS: Record<string, string> = {
  plugin: 'How does your implementation compare?', conformance: 'Is it correct?', fastest: 'Which is fastest?', overhead: 'What does SE cost?', ratio: 'What does the reduction ratio trade?',
};

/** The report's first section: each run's verdicts (harness/report/verdicts.ts), one sentence per row. */
function verdictSection(runs: LoadedRun[]): Section {
  return {
    id: 'verdicts', title: 'Verdicts',
    intro: 'The answers, in sentences: intervals are 95% percentile-bootstrap intervals over the raw samples; one that holds 1 means no measurable difference.',
    table: { head: ['run', 'question', 'answer'], rows: runs.flatMap((run) => verdicts(run.results).map((v) => [run.label, QUESTIONS[v.topic] ?? v.topic, v.text])) },
  };
}

/** What SE costs on each network family, side by side: per run and engine, the latency ratio of each SE network over its twin. */
function families(runs: LoadedRun[]): Section {
  const rows: Cell[][] = [];
  let head: string[] = ['implementation'];
  for (const run of runs) {
    const t = familyRows(overheadPairs(run.results.rows));
    if (t.head.length < 3) continue; // one family: the overhead section says it all
    head = t.head;
    rows.push(...t.rows.map(([impl, ...cells]) => [name(runs, run, impl!), ...cells]));
  }
  return {
    id: 'families', title: 'SE cost per network family',
    intro: 'The latency ratio SE / plain of each SE network against its twin (ResNet-50 against SE-ResNet-50, MobileNetV3 against the same network with every SE block replaced by the identity), per engine, with the 95% interval over pairs: where SE is a large share of the network (MobileNetV3: 28% of its params) against where it is cheapest.',
    table: { head, rows },
  };
}

/** SE blocks of the other families (--blocks): each network's SE blocks at their own shapes, hidden widths, gates and activations. */
function familyBlocks(runs: LoadedRun[]): Section {
  const rows = runs.flatMap((run) => run.results.rows.filter((r) => r.kind === 'se-block' && r.family).map((r): Cell[] => [
    r.workload, name(runs, run, r.impl), `hidden ${r.hidden}, ${r.hiddenActivation}, ${r.gate}`,
    ok(r) ? f(r.measurement!.medianMs) : { text: r.message ?? r.status, cls: r.status === 'skipped' ? 'muted' : 'bad' },
    ok(r) ? f(spread(r)) : '', ok(r) ? f(r.gbPerS, 2) : '', ceilingPct(r.rooflinePct, ''), ceilingPct(r.floorPct, ''), deviceOnlyText(r)]));
  return {
    id: 'family-blocks', title: 'SE blocks of MobileNetV3, EfficientNet and RegNetY',
    intro: 'Each distinct SE block of the families chosen with --blocks, at its network\'s shape at 224x224: few channels on large planes (the FCs are tiny, the block moves its input twice) up to many channels at 7x7. No PyTorch anchor: its SE block anchor is the paper\'s block at a ratio r.',
    table: { head: ['workload', 'implementation', 'SE', 'median ms', '+- ms (1.48 MAD)', 'GB/s', 'roofline %', 'floor %', 'device-only ms (GPU ms)'], rows },
  };
}

/** "SE overhead by operator" (bench --profile): per profiled pair, the operators whose time changed, and the profiled difference against the measured one. */
function operators(runs: LoadedRun[]): Section {
  const rows: Cell[][] = [];
  for (const run of runs) {
    for (const o of overheadPairs(run.results.rows)) {
      const a = operatorAccount(o);
      if (!a) continue;
      const label = `${name(runs, run, o.se.impl)}: ${a.profiler}`;
      rows.push(...accountRows(a).map((r) => [label, ...r]), [label, 'total', accountText(a), f(a.plainTotalMs), f(a.seTotalMs), f(a.seTotalMs - a.plainTotalMs), '']);
    }
  }
  return {
    id: 'operators', title: 'SE overhead by operator',
    intro: 'With --profile: each engine\'s own profiler (ONNX Runtime enableProfiling, tf.profile, torch.profiler) on the plain and the SE network, time per operator type per call; part se: inside an SE block (node names, or for tfjs the kernels from a squeeze to its Multiply), trunk: the rest, where fusions lost (separate Add and Relu after each SE Mul) and ONNX Runtime\'s NCHWc reorders show. The total row sets the profiled difference against the measured one.',
    table: { head: ['implementation', ...ACCOUNT_HEAD.slice(0, 2), ...ACCOUNT_HEAD.slice(2)], rows },
  };
}

export function buildSections(runs: LoadedRun[]): Section[] {
  return [verdictSection(runs), ...environment(runs), conformance(runs), ...seBlocks(runs), familyBlocks(runs), overhead(runs), families(runs), operators(runs), sweep(runs), batchScaling(runs), crossHardware(runs), regression(runs)]
    .filter((s): s is Section => s !== undefined && s.table.rows.length > 0)
    .map(({ chart, ...s }) => (chart && chart.labels.length > 1 ? { ...s, chart } : s)); // a chart of one point says no more than its table
}
