/**
 * The text summary and the report for plans other than the default (r = 16,
 * se-resnet50 at 224, many implementations): every section a plan has data for
 * must be there and non-empty, with the plan's own ratio, model and resolution.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchResults, BenchRow } from '../harness/bench/results.ts';
import { sampleStats } from '../harness/measure/stats.ts';
import { countNetwork } from '../harness/model/count.ts';
import { makeNetwork } from '../harness/model/network.ts';
import { buildSections } from '../harness/report/sections.ts';
import { benchSummary } from '../harness/report/summary.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { verdicts } from '../harness/report/verdicts.ts';

interface Plan {
  ratios: number[];
  /** SE network ratios (default: `ratios`). */
  netRatios?: number[];
  model?: string;
  resolution?: number;
  impls: { name: string; device: 'cpu' | 'webgpu' | 'gpu' }[];
  batches?: number[];
  torch?: boolean;
}

const STAGES = [[256, 56], [512, 28], [1024, 14], [2048, 7]] as const;

function results(p: Plan): BenchResults {
  const rows: BenchRow[] = [];
  const measured = (ms: number) => sampleStats([ms, ms * 1.02, ms * 0.98, ms * 1.01, ms * 0.99]);
  for (const ratio of p.ratios) {
    for (const [stage, [c, hw]] of STAGES.entries()) {
      for (const n of p.batches ?? [8]) {
        const shape = [n, c, hw, hw];
        const workload = `se/stage${stage + 2}-${c}x${hw}x${hw}/b${n}/r${ratio}`;
        const bytes = 2 * 4 * n * c * hw * hw;
        for (const [k, impl] of p.impls.entries()) {
          const ms = 0.5 * n * (k + 1);
          rows.push({
            workload, kind: 'se-block', impl: impl.name, device: impl.device, precision: 'fp32', layout: 'NCHW', shape, ratio, status: 'ok',
            measurement: measured(ms), bytes, gbPerS: bytes / (ms * 1e6), imagesPerS: (n * 1000) / ms, rooflinePct: 40,
            ...(impl.device === 'cpu' ? {} : { deviceOnly: { medianMs: ms / 2, madMs: 0, gpuMedianMs: ms / 3, samples: 5 } }),
          });
        }
        if (p.torch) rows.push({ workload, kind: 'torch', impl: 'pytorch-eager-cpu', device: 'cpu', precision: 'fp32', layout: 'NCHW', shape, ratio, status: 'ok', measurement: measured(n), bytes, gbPerS: 1, imagesPerS: 1 });
      }
    }
  }
  if (p.model) {
    const resolution = p.resolution ?? 224;
    const base = makeNetwork(p.model).baseline;
    for (const impl of p.impls) {
      for (const [model, ratio, ms] of [[base, undefined, 100], ...(p.netRatios ?? p.ratios).map((r) => [p.model!, r, 100 + 16 / r] as const)] as const) {
        const net = ratio === undefined ? makeNetwork(model) : makeNetwork(model, { ratio });
        const c = countNetwork(net, resolution);
        rows.push({
          workload: `net/${model}${ratio ? `-r${ratio}` : ''}/${resolution}/b1`, kind: 'network', impl: impl.name, device: impl.device, precision: 'fp32', layout: 'NCHW',
          model, shape: [1, 3, resolution, resolution], ...(ratio ? { ratio } : {}), status: 'ok', measurement: measured(ms), params: c.params, macs: c.macs, flops: c.flops, imagesPerS: 1000 / ms,
        });
      }
    }
  }
  return {
    schema: 'se-bench/results@1', createdAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:05:00.000Z', run: { status: 'complete' }, plan: {},
    environment: { host: 'h', cpuModel: 'CPU', cpuCores: 2, memoryBytes: 2 ** 34, os: 'Linux', node: 'v20', v8: '11', gitCommit: 'abc', commandLine: ['bench'], packages: {} },
    implementations: p.impls.map((i) => ({ name: i.name, device: i.device, precision: 'fp32', layout: 'NCHW', available: true, expected: false, detail: '' })),
    validation: {}, conformance: [], roofline: [], rows,
  };
}

function sections(res: BenchResults) {
  const all = buildSections([{ label: 'h', path: 'results.json', results: res }]);
  return (id: string) => all.find((s) => s.id === id);
}

test('--ratios=8 only: the SE block and overhead tables show r = 8; no sweep from one ratio', () => {
  const res = results({ ratios: [8], model: 'se-resnet50', impls: [{ name: 'wasm-simd', device: 'cpu' }, { name: 'tfjs-wasm', device: 'cpu' }], torch: true });
  const text = benchSummary(res);
  assert.match(text, /^SE blocks, r = 8 /m);
  assert.equal(text.match(/^se\/stage\d-\d+x\d+x\d+\/b8\/r8 +wasm-simd/gm)?.length, 4, text);
  assert.match(text, /resnet50 -> se-resnet50 b1 @224\s+wasm-simd\s+100\.000\s+102\.000\s+1\.020 \[/);
  const section = sections(res);
  assert.equal(section('se-blocks')!.table.rows.length, 12);
  assert.match(section('se-blocks')!.intro, /r = 8/);
  assert.equal(section('overhead')!.table.rows.length, 2);
  assert.equal(section('batch')!.table.rows.length, 8);
  assert.equal(section('sweep'), undefined, 'one ratio is no sweep');
});

test('one ratio plus a family\'s SE blocks (no ratio of their own, as --quick runs them): still no sweep, and the report builds', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wasm-simd', device: 'cpu' }] });
  const ms = sampleStats([0.05, 0.051, 0.049, 0.05, 0.05]);
  res.rows.push({
    workload: 'se/mobilenet_v3_large/72x28x28-h24/b8', kind: 'se-block', impl: 'wasm-simd', device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [8, 72, 28, 28],
    family: 'mobilenet_v3_large', status: 'ok', measurement: ms, bytes: 2 * 4 * 8 * 72 * 784, gbPerS: 10, imagesPerS: 1, rooflinePct: 40,
  });
  const section = sections(res);
  assert.equal(section('sweep'), undefined, 'a family block is not a second ratio');
  assert.ok(section('family-blocks'), 'the family\'s blocks have their own section');
  // Two ratios plus the family's row: the ratio verdict spans r = 2 -> 16, not to an undefined ratio.
  const two = results({ ratios: [2, 16], impls: [{ name: 'wasm-simd', device: 'cpu' }] });
  two.rows.push(res.rows.at(-1)!);
  assert.match(verdicts(two).map((v) => v.text).join('\n'), /Reduction ratio, se-resnet50 at 224: r = 2 -> 16 takes params from 45\.70 M to 28\.09 M/);
});

test('the default plan\'s shape, SE blocks at two ratios and networks at one: the sweep is of the SE blocks, summed over the stages', () => {
  const res = results({ ratios: [2, 16], netRatios: [16], model: 'se-resnet50', impls: [{ name: 'wasm-simd', device: 'cpu' }, { name: 'ort-cpu', device: 'cpu' }], torch: true });
  const sweep = sections(res)('sweep')!;
  assert.ok(sweep, 'the SE block sweep is shown when networks were timed at one ratio');
  assert.equal(sweep.table.head.at(-1), 'SE blocks ms (sum of 4 stage shapes, batch 8)');
  assert.match(sweep.intro, /summed over the stage shapes \(networks were timed at one ratio; --net-ratios times them at more\)/);
  // Each fixture block takes 0.5 x 8 x (k + 1) ms: 16 ms over the four stages for the first implementation, 32 for the second; PyTorch 8 x 4.
  assert.deepEqual(sweep.table.rows.map((r) => [r[0], r[1], r[5]]), [
    ['r = 2', 'wasm-simd', '16.000'], ['r = 16', 'wasm-simd', '16.000'], ['r = 2', 'ort-cpu', '32.000'], ['r = 16', 'ort-cpu', '32.000'],
    ['r = 2', 'pytorch-eager-cpu', '32.000'], ['r = 16', 'pytorch-eager-cpu', '32.000'],
  ]);
  const latency = sweep.chart!.datasets.filter((d) => /latency/.test(d.label));
  assert.equal(latency.length, 3);
  assert.ok(latency.every((d) => d.errorBars?.every((b) => b !== null)), 'every point has its error bar');
  const md = renderMarkdown([{ label: 'h', path: 'results.json', results: res }], buildSections([{ label: 'h', path: 'results.json', results: res }]));
  assert.match(md, /^#### Reduction-ratio sweep, se-resnet50 at 224: params, GMACs \(exact\) and SE blocks median ms \(sum of 4 stage shapes, batch 8\)\n\n\| ratio \| params M \| paper M \| GMACs \| wasm-simd ms \| ort-cpu ms \| pytorch-eager-cpu ms \|/m);
  const ratio = verdicts(res).find((v) => v.topic === 'ratio')!;
  assert.match(ratio.text, /^Reduction ratio, se-resnet50 at 224: r = 2 -> 16 takes params from 45\.70 M to 28\.09 M \(exact\); the SE block at 2048x7x7, batch 8 takes this much longer at r = 2 than at r = 16: wasm-simd 1\.00x \[[\d.]+, [\d.]+\] no measurable difference, ort-cpu 1\.00x/);
});

test('se-resnext50_32x4d at 160 with ratios 4 and 8: counts, overhead and sweep are of that network, not SE-ResNet-50 at 224', () => {
  const res = results({ ratios: [4, 8], model: 'se-resnext50_32x4d', resolution: 160, impls: [{ name: 'reference', device: 'cpu' }] });
  const text = benchSummary(res);
  assert.match(text, /^SE blocks, r = 8 /m, 'r = 8 is the ratio closest to the paper\'s 16');
  const c8 = countNetwork(makeNetwork('se-resnext50_32x4d', { ratio: 8 }), 160);
  const b = countNetwork(makeNetwork('resnext50_32x4d'), 160);
  assert.match(text, new RegExp(`resnext50_32x4d -> se-resnext50_32x4d b1 @160\\s+reference\\s+100\\.000\\s+102\\.000\\s+1\\.020 \\[[^\\]]+\\][a-z ,]*\\s+${(c8.params / b.params).toFixed(3)}`));
  assert.match(text, /Reduction-ratio sweep \(se-resnext50_32x4d at 160:/);
  const c4 = countNetwork(makeNetwork('se-resnext50_32x4d', { ratio: 4 }), 160);
  assert.match(text, new RegExp(`r = 4\\s+${(c4.params / 1e6).toFixed(3)}\\s+-\\s+${(c4.macs / 1e9).toFixed(4)}\\s+reference`));
  const section = sections(res);
  assert.match(section('sweep')!.intro, /^se-resnext50_32x4d at 160 against r/);
  assert.equal(section('sweep')!.table.rows[0]![2], (c4.params / 1e6).toFixed(3));
  assert.equal(section('sweep')!.chart!.datasets.filter((d) => /paper/.test(d.label)).length, 0, 'the paper\'s table is for SE-ResNet-50 only');
  assert.equal(section('overhead')!.table.rows.length, 1);
});

test('one implementation, SE blocks only, three batches: every section it has data for is filled', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wasm-simd', device: 'cpu' }], batches: [1, 8, 32] });
  const text = benchSummary(res);
  assert.equal(text.match(/^se\/stage\S+ +wasm-simd /gm)?.length, 12, text);
  assert.ok(!/SE overhead/.test(text) && !/Reduction-ratio sweep/.test(text), 'no network rows, no overhead or sweep table');
  const section = sections(res);
  assert.deepEqual(section('batch')!.table.head, ['implementation / block shape', 'batch 1 img/s', 'batch 8 img/s', 'batch 32 img/s']);
  assert.equal(section('overhead'), undefined);
});

test('GPU rows only: device-only times shown, no CPU floor, and the tables are filled', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wgsl-fused', device: 'gpu' }, { name: 'tfjs-webgpu', device: 'gpu' }], batches: [32, 128] });
  const text = benchSummary(res);
  assert.match(text, /se\/stage5-2048x7x7\/b128\/r16\s+wgsl-fused\s+64\.000 .* 32\.000 \(21\.333\)/);
  const section = sections(res);
  assert.equal(section('se-blocks')!.table.rows.length, 16);
  assert.ok(section('se-blocks')!.table.rows.every((r) => String(r[9]).length > 0), 'every GPU row has its device-only time');
  assert.equal(section('batch')!.table.rows.length, 8);
});

test('an SE network timed without its plain baseline is listed, with the --model list that gives the overhead', () => {
  const res = results({ ratios: [8], model: 'se-resnext50_32x4d', resolution: 160, impls: [{ name: 'ort-cpu', device: 'cpu' }] });
  res.rows = res.rows.filter((r) => r.model !== 'resnext50_32x4d');
  const text = benchSummary(res);
  assert.match(text, /^Networks \(median ms; no SE \/ plain pair; for the SE overhead, time the plain baseline too: --model=resnext50_32x4d,se-resnext50_32x4d\)\n.*\nse-resnext50_32x4d r8 b1 @160\s+ort-cpu\s+102\.000$/m);
});

test('verdicts: failing implementations are named, a tie is no measurable difference, and the report opens with them', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wasm-simd', device: 'cpu' }, { name: 'tfjs-wasm', device: 'cpu' }] });
  for (const r of res.rows.filter((x) => x.impl === 'tfjs-wasm')) r.measurement = sampleStats(r.measurement!.samplesMs.map((v) => v / 2)); // same speed as wasm-simd
  res.validation = { 'wasm-simd': { status: 'pass', cases: 2, failures: [] }, 'my-se': { status: 'fail', cases: 2, failures: ['stage2-256x56x56-b2-r16-floor: fail (max abs error 0.5)'] } };
  res.conformance = [{ caseId: 'stage2-256x56x56-b2-r16-floor', impl: 'wasm-simd', status: 'pass', worstRatio: 0.2 }, { caseId: 'stage3-512x28x28-b2-r16-floor', impl: 'wasm-simd', status: 'pass', worstRatio: 0.1 }];
  const all = buildSections([{ label: 'h', path: 'results.json', results: res }]);
  assert.equal(all[0]!.id, 'verdicts');
  const answers = all[0]!.table.rows.map((r) => String(r[2]));
  assert.equal(answers[0], '2 implementation(s) x 2 golden case(s): 1 pass; failing, so never timed: my-se (1 of 2: stage2-256x56x56-b2-r16-floor).');
  assert.match(answers[1]!, /^SE block 256x56x56, batch 8, r = 16: fastest of 2 timed, \S+ at 4\.000 ms, 40% of the copy roofline; no measurable difference from \S+ \(1\.00x \[[\d.]+, [\d.]+\]\)\.$/);
});

test('verdicts: a plug-in\'s run opens with it against the fastest built-in and PyTorch; "fastest" counts PyTorch\'s anchor', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wasm-simd', device: 'cpu' }, { name: 'my-se', device: 'cpu' }], torch: true });
  // Fixture times at batch 8: wasm-simd 4 ms, my-se 8 ms; PyTorch made the fastest at 2 ms.
  for (const r of res.rows.filter((x) => x.kind === 'torch')) r.measurement = sampleStats([2, 2.04, 1.96, 2.02, 1.98]);
  res.plugins = [{ name: 'my-se', declaredName: 'my-se', kind: 'impl-module', path: '/p/my-se.mjs', sha256: '0'.repeat(64) }];
  const all = verdicts(res);
  assert.equal(all[0]!.topic, 'plugin');
  assert.equal(all.filter((v) => v.topic === 'plugin').length, 4, 'one per stage shape');
  assert.match(all[0]!.text, /^my-se, SE block 256x56x56, batch 8, r = 16: 8\.000 ms; 2\.00x the time of the fastest built-in, wasm-simd \(4\.000 ms\) \[[\d.]+, [\d.]+\], slower; 4\.00x the time of PyTorch, pytorch-eager-cpu \(2\.000 ms\) \[[\d.]+, [\d.]+\], slower\.$/);
  const fastest = all.filter((v) => v.topic === 'fastest');
  assert.match(fastest[0]!.text, /^SE block 256x56x56, batch 8, r = 16: fastest of 3 timed, PyTorch's included, pytorch-eager-cpu at 2\.000 ms; 2\.00x \[[\d.]+, [\d.]+\] faster than the next, wasm-simd\.$/);
  const report = buildSections([{ label: 'h', path: 'results.json', results: res }])[0]!;
  assert.equal(report.table.rows[0]![1], 'How does your implementation compare?');
  // Without the plug-in list the same rows have no plug-in verdict: it rests on results.plugins, not on a name.
  delete res.plugins;
  assert.equal(verdicts(res).filter((v) => v.topic === 'plugin').length, 0);
});

test('implementations: browser ones that name no adapter compute on the CPU; Node WebGPU ones take the recorded adapter', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wgsl-fused', device: 'webgpu' }] });
  res.gpuAdapter = { vendor: 'google', architecture: 'swiftshader', device: 'd', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true, software: true, backend: 'vulkan' };
  res.implementations = [
    { name: 'wgsl-fused', device: 'webgpu', precision: 'fp32', layout: 'NCHW', available: true, expected: false, detail: 'a detail that says nothing about the adapter' },
    { name: 'browser-reference', device: 'browser', precision: 'fp64', layout: 'NCHW', available: true, expected: false, detail: 'Chrome/156 (/usr/bin/chromium), float64 JS in the page' },
    { name: 'browser-tfjs-wasm', device: 'browser', precision: 'fp32', layout: 'NHWC', available: true, expected: false, detail: 'Chrome/156, tfjs 4.22.0, threaded SIMD build, 1 thread' },
    { name: 'browser-tfjs-webgpu', device: 'browser', precision: 'fp32', layout: 'NHWC', available: true, expected: false, detail: 'Chrome/156, tfjs 4.22.0, adapter google swiftshader (software, fallback adapter)' },
  ];
  const kinds = Object.fromEntries(sections(res)('implementations')!.table.rows.map((r) => [r[1], typeof r[3] === 'string' ? r[3] : r[3]!.text]));
  assert.deepEqual(kinds, { 'wgsl-fused': 'software adapter', 'browser-reference': 'CPU (in the page)', 'browser-tfjs-wasm': 'CPU (in the page)', 'browser-tfjs-webgpu': 'software adapter' });
});

test('a share over 100% of a ceiling is marked, with the reason under the table, in the summary and the report', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wasm-simd', device: 'cpu' }] });
  assert.doesNotMatch(benchSummary(res), /over 100% of a ceiling/);
  res.rows[0]!.rooflinePct = 140;
  const text = benchSummary(res);
  assert.match(text, /^se\/stage2-256x56x56\/b8\/r16 +wasm-simd .* 140%! /m);
  assert.match(text, /^! over 100% of a ceiling: that ceiling is too low for the row/m);
  const row = sections(res)('se-blocks')?.table.rows.find((r) => r[0] === 'se/stage2-256x56x56/b8/r16');
  assert.ok(row, 'the report has the row');
  assert.ok(row.includes('140!'), `report row: ${row.join(' | ')}`);
});

test('a run of family blocks only: no "r = undefined" anywhere, and no stage table holding the family rows', () => {
  const res = results({ ratios: [16], impls: [{ name: 'wasm-simd', device: 'cpu' }] });
  res.rows = res.rows.slice(0, 1).map((r) => ({ ...r, workload: 'se/mobilenet_v3_large/72x28x28-h24/b8', shape: [8, 72, 28, 28], ratio: undefined, family: 'mobilenet_v3_large', hidden: 24, gate: 'hardsigmoid', hiddenActivation: 'relu' }));
  const text = benchSummary(res);
  assert.doesNotMatch(text, /^SE blocks, r = /m, text);
  assert.match(text, /^SE blocks of mobilenet_v3_large at 224x224/m);
  const fastest = verdicts(res).find((v) => v.topic === 'fastest')!;
  assert.match(fastest.text, /^SE block 72x28x28, batch 8 \(mobilenet_v3_large\): fastest of 1 timed, wasm-simd at /);
  assert.doesNotMatch(verdicts(res).map((v) => v.text).join('\n'), /undefined/);
});
