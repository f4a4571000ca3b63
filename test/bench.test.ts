import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SeImplementation } from '../harness/contract/implementation.ts';
import { baselineSkip } from '../harness/bench/baselines.ts';
import { packageVersions } from '../harness/bench/packages.ts';
import { benchPlan } from '../harness/bench/options.ts';
import { compareRuns, formatChanges } from '../harness/bench/regression.ts';
import { claimRunFolder, LOCK_FILE, releaseRunFolder, resultsCsv, type BenchResults, type BenchRow } from '../harness/bench/results.ts';
import { UsageError } from '../harness/data/select.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawRange } from '../harness/bench/workloads.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { sampleStats } from '../harness/measure/stats.ts';

test('default plan: four stages x five ratios and MobileNetV3-Large\'s six SE shapes at batch 8; resnet50, se-resnet50 at r = 16, mobilenet_v3_large and its twin with at least 10 pairs to +-1.5%; --net-ratios, --case', () => {
  const p = benchPlan({});
  // MobileNetV3's SE widths are the architecture's own (_make_divisible(C / 4, 8)): no ratio option changes them.
  const MBV3 = ['net/mobilenet_v3_large-no-se/224/b1', 'net/mobilenet_v3_large/224/b1'];
  const blocks = p.workloads.filter((w) => w.kind === 'se-block').map((w) => w.id);
  assert.equal(blocks.filter((id) => id.startsWith('se/stage')).length, 20);
  assert.deepEqual(blocks.filter((id) => id.startsWith('se/mobilenet_v3_large/')), ['72x28x28-h24', '120x28x28-h32', '480x14x14-h120', '672x14x14-h168', '672x7x7-h168', '960x7x7-h240']
    .map((s) => `se/mobilenet_v3_large/${s}/b8`));
  assert.deepEqual(p.workloads.filter((w) => w.kind === 'network').map((w) => w.id),
    ['net/resnet50/224/b1', 'net/se-resnet50-r16/224/b1', ...MBV3]);
  assert.equal(p.netMinSamples, 10);
  assert.equal(p.precisionPct, 1.5);
  assert.equal(p.pairBudgetS, 30);
  assert.deepEqual(benchPlan({ 'net-ratios': '2,4,8,16,32' }).workloads.filter((w) => w.kind === 'network').map((w) => w.id),
    ['net/resnet50/224/b1', 'net/se-resnet50-r2/224/b1', 'net/se-resnet50-r4/224/b1', 'net/se-resnet50-r8/224/b1', 'net/se-resnet50-r16/224/b1', 'net/se-resnet50-r32/224/b1',
      ...MBV3]);
  // Networks follow --ratios to its ratio closest to the paper's 16 unless --net-ratios says otherwise.
  assert.deepEqual(benchPlan({ ratios: '4,8' }).workloads.filter((w) => w.kind === 'network').map((w) => w.id), ['net/resnet50/224/b1', 'net/se-resnet50-r8/224/b1', ...MBV3]);
  assert.equal(benchPlan({ 'net-samples': '40' }).netMinSamples, 40);
  const q = benchPlan({ quick: true, case: 'se/stage2*', batch: '1,32' });
  assert.deepEqual(q.workloads.map((w) => w.id), ['se/stage2-256x56x56/b1/r16', 'se/stage2-256x56x56/b32/r16']);
  assert.equal(benchPlan({ model: 'none' }).workloads.some((w) => w.kind === 'network'), false);
});

test('benchmark weights use the same per-role ranges as the golden generator', () => {
  const golden = new GoldenSet();
  const c = golden.get('net-se-resnet50-64');
  let n = 0;
  for (const [name, ref] of Object.entries(c.weights)) {
    assert.deepEqual(drawRange(name, ref.shape), [ref.prng!.lo, ref.prng!.hi], name);
    n++;
  }
  assert.ok(n > 300);
});

function results(medians: Record<string, number[]>, cpu = 'CPU X'): BenchResults {
  const rows: BenchRow[] = Object.entries(medians).map(([workload, samples]) => ({
    workload, kind: 'se-block', impl: 'wasm', device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [1, 1, 1, 1], status: 'ok',
    measurement: sampleStats(samples),
  }));
  return {
    schema: 'se-bench/results@1', createdAt: '', plan: {}, implementations: [], validation: {}, conformance: [], roofline: [], rows,
    environment: { host: 'h', cpuModel: cpu, cpuCores: 2, memoryBytes: 1, os: '', node: '', v8: '', gitCommit: '', commandLine: [], packages: {} },
  };
}

test('regression gate: slower only when the 95% interval of the change lies wholly above the threshold; other hardware is refused', () => {
  const base = results({ a: [1, 1.01, 0.99, 1, 1], b: [1, 1.01, 0.99, 1, 1], c: [1, 1.5, 0.5, 1, 1.4] });
  const cur = results({ a: [1.3, 1.31, 1.29, 1.3, 1.3], b: [1.05, 1.06, 1.04, 1.05, 1.05], c: [1.3, 1.8, 0.8, 1.3, 1.7] });
  const r = compareRuns(cur, base, 10);
  assert.ok('changes' in r);
  const verdict = Object.fromEntries(r.changes.map((c) => [c.workload, c.verdict]));
  assert.deepEqual(verdict, { a: 'slower', b: 'same', c: 'same' }, 'b is within 10%; c is +30% but inside its noise');
  const a = r.changes.find((c) => c.workload === 'a')!;
  assert.ok(a.lowPct! > 10 && a.highPct! >= a.lowPct!, JSON.stringify(a));
  const c = r.changes.find((x) => x.workload === 'c')!;
  assert.ok(c.lowPct! <= 10, `c's interval reaches below the threshold: ${JSON.stringify(c)}`);
  assert.match(formatChanges(r.changes, 10), /1 slower[\s\S]*slower\s+\+30\.0% \s*\[\+\d+\.\d%, \+\d+\.\d%\]\s+1\.000 ->\s+1\.300 ms  a wasm/);
  const other = compareRuns(cur, results({ a: [1] }, 'CPU Y'), 10);
  assert.ok('refused' in other && /different hardware/.test(other.refused));
});

test('CSV escapes text that a spreadsheet would run as a formula', () => {
  const r = results({ '=HYPERLINK("x")': [1] });
  const csv = resultsCsv(r.rows);
  assert.doesNotMatch(csv, /\n=HYPERLINK/);
  assert.match(csv, /\n"?'=HYPERLINK/);
});

test('the environment records every dependency\'s version, packages whose exports map hides package.json included', () => {
  const versions = packageVersions();
  for (const name of ['chart.js', 'csv-stringify', 'tinybench', 'onnxruntime-node', 'webgpu']) assert.match(versions[name] ?? '', /^\d+\.\d+\.\d+/, name);
  assert.ok(!Object.values(versions).includes('not installed'), JSON.stringify(versions));
});

test('correctness baselines: SE blocks at the ratio closest to 16 and no networks, unless named in --impl', () => {
  const plan = benchPlan({ ratios: '8,32' });
  const impl = (name: string) => ({ name }) as SeImplementation;
  const block = (ratio: number) => plan.workloads.find((w) => w.kind === 'se-block' && w.ratio === ratio)!;
  const net = plan.workloads.find((w) => w.kind === 'network')!;
  // 8 and 32 are equally far from 16 (by ratio); the tie goes to the larger, as in ratioClosestToPaper.
  assert.equal(baselineSkip(impl('tfjs-cpu'), block(8), plan), 'a correctness baseline, timed at r = 32 only; name it in --impl to time every ratio');
  assert.equal(baselineSkip(impl('tfjs-cpu'), block(32), plan), undefined);
  assert.equal(baselineSkip(impl('reference'), net, plan), 'a correctness baseline, not timed on whole networks; name it in --impl to time it');
  assert.equal(baselineSkip(impl('wasm-simd'), net, plan), undefined);
  const named = benchPlan({ ratios: '8,32', impl: 'reference' });
  assert.equal(baselineSkip(impl('reference'), net, named), undefined);
  assert.equal(baselineSkip(impl('reference'), block(8), named), undefined);
});

test('run folder lock: a live holder refuses, a stale one is replaced, the run releases its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-lock-'));
  const lock = join(dir, LOCK_FILE);
  writeFileSync(lock, JSON.stringify({ pid: process.ppid, startedAt: 'just now' }));
  assert.throws(() => claimRunFolder(dir), (e: Error) => e instanceof UsageError && new RegExp(`held by another bench run \\(pid ${process.ppid}, started just now\\)`).test(e.message));
  assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.ppid, 'the live run\'s lock is kept');
  writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: 'long ago' }));
  claimRunFolder(dir);
  assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid, 'stale lock replaced by ours');
  claimRunFolder(dir); // again from the same process: harmless
  releaseRunFolder(dir);
  assert.equal(existsSync(lock), false);
  writeFileSync(join(dir, 'results.json'), '{}');
  assert.throws(() => claimRunFolder(dir), /already holds results\.json/);
  assert.equal(existsSync(lock), false, 'a refused claim leaves no lock');
  rmSync(dir, { recursive: true });
});

test('--precision, --pair-budget and --out are checked before anything runs', () => {
  assert.equal(benchPlan({ precision: '2%' }).precisionPct, 2);
  assert.equal(benchPlan({ precision: '0.5' }).precisionPct, 0.5);
  for (const bad of ['0', '-1', '50.5', 'x', '']) assert.throws(() => benchPlan({ precision: bad }), /--precision must be a percentage above 0 and at most 50%/);
  for (const bad of ['0', '-3', 'soon', '']) assert.throws(() => benchPlan({ 'pair-budget': bad }), /--pair-budget must be a number of seconds/);
  for (const bad of ['', ' \t']) assert.throws(() => benchPlan({ out: bad }), /--out is empty/);
});
