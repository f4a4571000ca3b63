/**
 * PyTorch whole-network anchors: the script's network requests through
 * TorchAnchors.timeNetwork (measured, refused with the script's message,
 * over the budget, a dead process) and networkSamples (the rounds' dry run and reuse), and torch network rows in the SE-overhead
 * table and report without leaking into the SE block ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchResults, BenchRow } from '../harness/bench/results.ts';
import { TorchAnchors } from '../harness/measure/anchors.ts';
import { sampleStats } from '../harness/measure/stats.ts';
import { countNetwork } from '../harness/model/count.ts';
import { makeNetwork, makeResNet } from '../harness/model/network.ts';
import { buildSections } from '../harness/report/sections.ts';
import { benchSummary, overheadPairs } from '../harness/report/summary.ts';
import { pythonMissing } from './helpers.ts';

test('PyTorch network anchors: a measured row with its cold run, a script error as the reason, the budget, a dead process', { skip: pythonMissing('torch, torchvision, numpy') }, async () => {
  const started = await TorchAnchors.start({ threads: 1, minTimeMs: 20, device: 'cpu' });
  assert.ok('anchors' in started, started.info.available ? '' : started.info.reason);
  const { anchors } = started;
  try {
    const [plain, ...more] = await anchors.timeNetwork({ model: 'resnet50', batch: 1, resolution: 64, minTimeMs: 20, minSamples: 2 });
    assert.equal(more.length, 0);
    assert.ok(plain?.available, JSON.stringify(plain));
    assert.deepEqual([plain.device, plain.variant, plain.model, plain.shape, plain.ratio], ['cpu', 'eager', 'resnet50', [1, 3, 64, 64], undefined]);
    assert.ok(plain.stats.sampleCount >= 2 && plain.stats.medianMs > 0 && plain.coldMs > 0, JSON.stringify(plain));

    const [se] = await anchors.timeNetwork({ model: 'se-resnet50', se: makeResNet('se-resnet50', { ratio: 8 }).se, batch: 1, resolution: 32, minTimeMs: 20, minSamples: 2 });
    assert.ok(se?.available && se.ratio === 8 && se.model === 'se-resnet50', JSON.stringify(se));

    // Rounds (time-networks.ts): a dry run builds and runs cold only; later requests reuse the built network and its cold time.
    const [dry] = await anchors.networkSamples({ model: 'resnet50', batch: 1, resolution: 48, dryRun: true, device: 'cpu' });
    assert.ok(dry?.available && dry.coldMs! > 0 && dry.samplesMs.length === 0, JSON.stringify(dry));
    const [again] = await anchors.networkSamples({ model: 'resnet50', batch: 1, resolution: 48, minSamples: 3, minTimeMs: 1, warmup: 0, device: 'cpu' });
    assert.ok(again?.available && again.samplesMs.length === 3 && again.coldMs === dry.coldMs, JSON.stringify(again));
    const [negative] = await anchors.networkSamples({ model: 'resnet50', batch: 1, resolution: 48, warmup: -1 });
    assert.match(negative!.reason!, /"warmup" must be a whole number of calls, 0 or more, got -1/);

    const [unknown] = await anchors.timeNetwork({ model: 'resnet51', batch: 1, resolution: 64 });
    assert.ok(unknown && !unknown.available && /unknown model "resnet51"; valid models: resnet50, /.test(unknown.reason), JSON.stringify(unknown));
    const [pointless] = await anchors.timeNetwork({ model: 'resnet50', se: { ratio: 8 }, batch: 1, resolution: 64 });
    assert.ok(pointless && !pointless.available && /no SE blocks/.test(pointless.reason), JSON.stringify(pointless));
    const [slow] = await anchors.timeNetwork({ model: 'resnet50', batch: 1, resolution: 32, budgetS: 0.001 });
    assert.ok(slow && !slow.available && /its first run took .* over the 0\.001 s budget/.test(slow.reason), JSON.stringify(slow));

    const block = await anchors.time([2, 64, 8, 8], 16);
    assert.ok(block.find((x) => x.variant === 'eager')?.available, 'SE block anchors still answer after refused network requests');
    anchors.kill();
    const [dead] = await anchors.timeNetwork({ model: 'resnet50', batch: 1, resolution: 64 });
    assert.ok(dead && !dead.available && /killed \(SIGKILL\)/.test(dead.reason) && dead.model === 'resnet50', JSON.stringify(dead));
  } finally {
    anchors.close();
  }
});

function netRow(impl: string, kind: BenchRow['kind'], model: string, ratio: number | undefined, ms: number): BenchRow {
  const c = countNetwork(ratio === undefined ? makeNetwork(model) : makeNetwork(model, { ratio }), 64);
  return {
    workload: `net/${ratio ? `${model}-r${ratio}` : model}/64/b1`, kind, impl, device: 'cpu', precision: 'fp32', layout: kind === 'torch' ? 'NCHW' : 'NHWC',
    shape: [1, 3, 64, 64], model, ...(ratio ? { ratio } : {}), status: 'ok', params: c.params, macs: c.macs, flops: c.flops,
    measurement: { ...sampleStats([ms, ms * 1.01, ms * 0.99]), coldMs: 2 * ms }, imagesPerS: 1000 / ms,
  };
}

/** One SE block shape and one network pair, each timed by tfjs-wasm and by PyTorch. */
function results(): BenchResults {
  const block = (impl: string, kind: BenchRow['kind'], ms: number): BenchRow => ({
    workload: 'se/stage5-2048x7x7/b2/r16', kind, impl, device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [2, 2048, 7, 7], ratio: 16, status: 'ok',
    measurement: sampleStats([ms, ms]), bytes: 802816, gbPerS: 802816 / (ms * 1e6), imagesPerS: 2000 / ms,
  });
  return {
    schema: 'se-bench/results@1', createdAt: '2026-11-21T09:00:00.000Z', plan: {},
    environment: { host: 'h', cpuModel: 'CPU', cpuCores: 2, memoryBytes: 2 ** 34, os: 'Linux', node: 'v20', v8: '11', gitCommit: 'abc', commandLine: ['bench'], packages: {} } as BenchResults['environment'],
    implementations: [], validation: {}, conformance: [], roofline: [],
    torch: { available: true, torch: '1.13.0', threads: 1, cuda: null, noCuda: 'no CUDA' },
    rows: [
      block('tfjs-wasm', 'se-block', 2), block('pytorch-eager-cpu', 'torch', 1),
      netRow('tfjs-wasm', 'network', 'resnet50', undefined, 20), netRow('pytorch-eager-cpu', 'torch', 'resnet50', undefined, 100),
      netRow('tfjs-wasm', 'network', 'se-resnet50', 16, 22), netRow('pytorch-eager-cpu', 'torch', 'se-resnet50', 16, 110),
    ],
  };
}

test('a PyTorch network pair shows in the SE-overhead table beside ours, and nowhere it does not belong', () => {
  const res = results();
  const pairs = overheadPairs(res.rows);
  assert.deepEqual(pairs.map((p) => [p.se.impl, p.base.impl, p.baseName]), [['tfjs-wasm', 'tfjs-wasm', 'resnet50'], ['pytorch-eager-cpu', 'pytorch-eager-cpu', 'resnet50']]);
  assert.ok(Math.abs(pairs[1]!.latency! - 1.1) < 1e-9 && Math.abs(pairs[1]!.paper! - 167 / 164) < 1e-9);

  const text = benchSummary(res);
  const overhead = text.slice(text.indexOf('SE overhead'));
  assert.match(overhead, /pytorch-\* rows: torch 1\.13\.0 eager, 1 thread\(s\)/);
  assert.match(overhead, /resnet50 -> se-resnet50 b1 @64\s+pytorch-eager-cpu\s+100\.000\s+110\.000\s+1\.100 .* 1\.018/);
  const blocks = text.slice(0, text.indexOf('SE overhead'));
  assert.ok(!blocks.includes('net/'), `network rows leaked into the SE block table:\n${blocks}`);
  assert.match(blocks, /se\/stage5-2048x7x7\/b2\/r16\s+tfjs-wasm\s+2\.000 .* 0\.50x/);

  const sections = buildSections([{ label: 'h', path: 'results.json', results: res }]);
  const section = (id: string) => sections.find((s) => s.id === id)!;
  assert.ok(section('se-blocks').table.rows.every((r) => !String(r[0]).startsWith('net/')), 'the SE block section holds SE block rows only');
  assert.deepEqual(section('overhead').table.rows.map((r) => r[0]), ['tfjs-wasm b1 @64', 'pytorch-eager-cpu b1 @64']);
  assert.equal(section('se-blocks').chart, undefined, 'one workload: a chart of one point is left out, its table stays');
  assert.equal(section('se-blocks').table.rows.length, 2);
});

test('GPU rows are compared with PyTorch eager CUDA on their device-only time, CPU rows with eager CPU', () => {
  const res = results();
  const cpuBlock = res.rows[0]!;
  res.rows.push(
    { ...cpuBlock, impl: 'wgsl-fused', device: 'gpu', measurement: sampleStats([0.5, 0.5]), deviceOnly: { medianMs: 0.05, madMs: 0, gpuMedianMs: 0.04, samples: 2 } },
    { ...cpuBlock, impl: 'pytorch-eager-cuda', kind: 'torch', device: 'gpu', measurement: sampleStats([0.1, 0.1]) },
  );
  res.gpuAdapter = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 550.54.15', isFallbackAdapter: false, software: false, backend: 'vulkan' };
  const text = benchSummary(res);
  assert.match(text, /^WebGPU adapter: NVIDIA: 550\.54\.15 \(hardware; vulkan; nvidia hopper\)$/m);
  assert.match(text, /GPU rows' device-only ms against eager CUDA/);
  assert.match(text, /se\/stage5-2048x7x7\/b2\/r16\s+wgsl-fused\s+0\.500 .* 2\.00x\s+0\.050 \(0\.040\)/);
  assert.match(text, /se\/stage5-2048x7x7\/b2\/r16\s+tfjs-wasm\s+2\.000 .* 0\.50x/);
  assert.match(text, /pytorch-eager-cuda\s+0\.100/);
  const sections = buildSections([{ label: 'h', path: 'results.json', results: res }]);
  assert.ok(sections.find((s) => s.id === 'environment')!.table.rows[0]!.includes('NVIDIA: 550.54.15 (hardware; vulkan; nvidia hopper)'));
  const table = sections.find((s) => s.id === 'se-blocks')!.table;
  const row = (impl: string) => table.rows.find((r) => r[1] === impl)!.map(String);
  assert.ok(row('wgsl-fused').includes('2.00x (pytorch-eager-cuda)') && row('wgsl-fused').includes('0.050 (0.040)'), row('wgsl-fused').join(' | '));
  assert.ok(row('tfjs-wasm').includes('0.50x [0.50, 0.50] (pytorch-eager-cpu)'), row('tfjs-wasm').join(' | '));
});
