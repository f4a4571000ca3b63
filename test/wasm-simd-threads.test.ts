import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareTensors, describeComparison } from '../harness/check/compare.ts';
import { toleranceFor } from '../harness/check/tolerances.ts';
import type { Tensor } from '../harness/data/tensor.ts';
import { uniform } from '../harness/data/prng.ts';
import { hiddenWidth, makeSeSpec, seWeightShapes, type SeSpec } from '../harness/model/spec.ts';
import type { Weights } from '../harness/contract/implementation.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';
import { kernelModule } from '../impls/wasm-simd/assemble.ts';
import { WasmSeBlock } from '../impls/wasm-simd/block.ts';
import { WasmSimdImplementation } from '../impls/wasm-simd/index.ts';
import { chooseThreads, estimateUs, MIN_US_PER_THREAD, parseWasmThreads, type RunWork } from '../impls/wasm-simd/thread-plan.ts';

const work = (n: number, c: number, hw: number, r = 16): RunWork => ({ n, sampleBytes: c * hw * 4, fcMacsPerSample: 2 * c * Math.floor(c / r) });

test('thread choice: one thread under MIN_US_PER_THREAD of estimated work each, never more threads than samples or the cap', () => {
  // The cost model: bytes read twice and written once at BYTES_PER_US, FC MACs at MACS_PER_US.
  assert.ok(Math.abs(estimateUs(work(8, 256, 56 * 56)) - 8 * (3 * 256 * 3136 * 4 / 40_000 + 2 * 256 * 16 / 27_000)) < 1e-9);
  // The default run's shapes on 2 cores: the ResNet-50 stages at batch 8 split, small blocks do not.
  for (const [c, hw] of [[256, 3136], [512, 784], [1024, 196], [2048, 49]] as const) assert.equal(chooseThreads(2, work(8, c, hw)), 2, `8x${c}x${hw}`);
  assert.equal(chooseThreads(2, work(8, 72, 784, 3)), 1, 'mobilenet 72x28x28 at batch 8: ~136 us, under 2 x 100');
  assert.equal(chooseThreads(2, work(2, 2048, 49)), 1, '2x2048x7x7: ~100 us, under 2 x 100');
  assert.equal(chooseThreads(2, work(2, 64, 196)), 1, 'tiny work stays on one thread');
  // Caps: the cores given, and one thread per sample (threads own whole samples).
  assert.equal(chooseThreads(16, work(3, 256, 3136)), 3);
  assert.equal(chooseThreads(1, work(8, 256, 3136)), 1);
  assert.equal(chooseThreads(4, work(1, 2048, 49, 2)), 1, 'batch 1 is one thread whatever its work');
  // The boundary: exactly 2 x MIN_US_PER_THREAD of work gives 2 threads; just under gives 1.
  const sampleBytes = Math.ceil((MIN_US_PER_THREAD * 40_000) / 3);
  assert.equal(chooseThreads(2, { n: 2, sampleBytes, fcMacsPerSample: 0 }), 2);
  assert.equal(chooseThreads(2, { n: 2, sampleBytes: sampleBytes - 8, fcMacsPerSample: 0 }), 1);
  assert.equal(chooseThreads(2, work(2, 8, 4), 0), 2, 'minUsPerThread 0 always splits');
});

test('SE_BENCH_WASM_THREADS: unset or empty is the core count; 1..cores taken; 0, negative, above the cores, not a number refused in one line', () => {
  assert.equal(parseWasmThreads(undefined, 4), 4);
  assert.equal(parseWasmThreads(' ', 4), 4);
  assert.equal(parseWasmThreads('1', 4), 1);
  assert.equal(parseWasmThreads(' 4 ', 4), 4);
  for (const bad of ['0', '-1', '5', 'abc', '2.5', '1e1', '0x2']) {
    const r = parseWasmThreads(bad, 4);
    assert.equal(typeof r, 'object', bad);
    const line = (r as { error: string }).error;
    assert.match(line, new RegExp(`^SE_BENCH_WASM_THREADS must be an integer from 1 to 4 \\(the cores here\\), got "${bad.replace(/[.+]/g, '\\$&')}"`));
    assert.ok(!line.includes('\n'), 'one line');
  }
});

test('wasm-simd-mt threadsFor: the choice per shape, 1 for NoSqueeze; wasm-simd is always 1', async () => {
  const spec = makeSeSpec({ channels: 64, ratio: 16 });
  const weights = seWeights(spec, 1);
  const mt = await new WasmSimdImplementation({ threads: 2 }).prepareSe(spec, weights) as WasmSeBlock;
  const one = await new WasmSimdImplementation().prepareSe(spec, weights) as WasmSeBlock;
  try {
    assert.equal(mt.threadsFor([8, 64, 56, 56]), 2, '8x64x56x56: ~2.4 ms of estimated work');
    assert.equal(mt.threadsFor([2, 64, 7, 7]), 1);
    assert.equal(mt.threadsFor([1, 64, 56, 56]), 1);
    assert.equal(one.threadsFor([8, 64, 56, 56]), 1);
    // A one-thread choice runs on the calling thread, with the same bits as wasm-simd.
    const x = input([2, 64, 7, 7], 2);
    const a = await mt.run(x);
    const b = await one.run(x);
    assert.deepEqual(a.y.data, b.y.data);
  } finally {
    await mt.dispose();
    one.dispose();
  }
  const ns = makeSeSpec({ channels: 64, ratio: 16, squeeze: 'none' });
  const nsBlock = await new WasmSimdImplementation({ threads: 2 }).prepareSe(ns, seWeights(ns, 3)) as WasmSeBlock;
  assert.equal(nsBlock.threadsFor([8, 64, 56, 56]), 1, 'NoSqueeze runs on the calling thread');
  await nsBlock.dispose();
});

function seWeights(spec: SeSpec, seed: number): Weights {
  const w: Weights = {};
  for (const [name, shape] of Object.entries(seWeightShapes(spec))) w[name] = { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: name, lo: -0.3, hi: 0.3 }) };
  return w;
}

function input(shape: number[], seed: number): Tensor {
  return { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: 'x', lo: -2, hi: 2 }) };
}

test('pipelined squeeze: groups of 1, 3 (a shorter last group) and the whole batch match the reference, avg and max, with equal bits whatever the grouping', async () => {
  const module = await kernelModule();
  const reference = new ReferenceImplementation();
  const tolerance = toleranceFor('se-block', 'fp32');
  for (const squeeze of ['avg', 'max'] as const) {
    const spec = makeSeSpec({ channels: 24, ratio: 4, squeeze });
    assert.equal(hiddenWidth(spec), 6);
    const weights = seWeights(spec, 5);
    const x = input([8, 24, 9, 11], 6); // hw 99: the 16-wide, 4-wide and scalar tails of scale_pool all run
    const ref = await (await reference.prepareSe(spec, weights)).run(x);
    const sampleBytes = 24 * 99 * 4;
    let first: Float32Array | undefined;
    for (const group of [1, 3, 8]) {
      const block = new WasmSeBlock('wasm-simd', spec, weights, module, { groupBytes: group * sampleBytes });
      const out = await block.run(x);
      const cmp = compareTensors(out.y, ref.y, tolerance);
      assert.ok(cmp.ok, `${squeeze}, groups of ${group}: ${describeComparison(cmp)}`);
      if (first) assert.deepEqual(out.y.data, first, `${squeeze}, groups of ${group}: same bits as groups of 1`);
      else first = Float32Array.from(out.y.data);
      block.dispose();
    }
  }
});
