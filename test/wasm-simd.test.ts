import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareTensors, describeComparison } from '../harness/check/compare.ts';
import { checkCase } from '../harness/check/conformance.ts';
import { guard } from '../harness/contract/guard.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { uniform } from '../harness/data/prng.ts';
import { hiddenWidth, makeSeSpec, seWeightShapes, type SeSpec } from '../harness/model/spec.ts';
import type { Tensor } from '../harness/data/tensor.ts';
import { toleranceFor } from '../harness/check/tolerances.ts';
import type { PreparedBlock, Weights } from '../harness/contract/implementation.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';
import { ACTIVATION, instantiate, kernelModule, simdSupported } from '../impls/wasm-simd/assemble.ts';
import { WasmSeBlock } from '../impls/wasm-simd/block.ts';
import { WasmSimdImplementation } from '../impls/wasm-simd/index.ts';

const golden = new GoldenSet();
const impl = new WasmSimdImplementation();
const reference = new ReferenceImplementation();
const tolerance = toleranceFor('se-block', 'fp32');

function randomWeights(spec: SeSpec, seed: number): Weights {
  const weights: Weights = {};
  for (const [name, shape] of Object.entries(seWeightShapes(spec))) {
    weights[name] = { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: name, lo: -0.5, hi: 0.5 }) };
  }
  return weights;
}

function randomInput(shape: number[], seed: number): Tensor {
  return { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: 'x', lo: -3, hi: 3 }) };
}

/** Copies a run's outputs out of the heap (they are views valid until the next run). */
async function runCopy(block: PreparedBlock, x: Tensor): Promise<{ y: Tensor; gate: Tensor }> {
  const out = await block.run(x);
  return { y: { shape: out.y.shape, data: out.y.data.slice() }, gate: { shape: out.gate!.shape, data: out.gate!.data.slice() } };
}

async function assertMatchesReference(spec: SeSpec, weights: Weights, x: Tensor, block: PreparedBlock, what: string): Promise<void> {
  const ref = await (await reference.prepareSe(spec, weights)).run(x);
  const got = await block.run(x);
  const y = compareTensors(got.y, ref.y, tolerance);
  assert.ok(y.ok, `${what} y: ${describeComparison(y)}`);
  const gate = compareTensors(got.gate!, ref.gate!, tolerance);
  assert.ok(gate.ok, `${what} gate: ${describeComparison(gate)}`);
}

test('probe: WebAssembly SIMD is supported and se.wat assembles', async () => {
  assert.equal(simdSupported(), true);
  const a = await impl.probe();
  assert.equal(a.available, true, a.available ? '' : `${a.reason} (fix: ${a.installHint})`);
});

test('SIMD sigmoid and tanh: within 3 float32 ulps of float64 on [-100, 100], NaN stays NaN, infinities saturate', async () => {
  const memory = new WebAssembly.Memory({ initial: 8 });
  const k = instantiate(await kernelModule(), memory);
  const n = 1 << 16;
  const xs = new Float32Array(n).map((_, i) => -100 + (200 * i) / n);
  xs.set([NaN, Infinity, -Infinity, 1e-7, -3e-5, 0.6249, 0.6251, 88.5, -88.5]);
  for (const [kind, f] of [['sigmoid', (x: number) => 1 / (1 + Math.exp(-x))], ['tanh', Math.tanh]] as const) {
    const heap = new Float32Array(memory.buffer, 0, n);
    heap.set(xs);
    k.activate(0, n, ACTIVATION[kind]);
    for (let i = 0; i < n; i++) {
      const want = f(xs[i]!);
      const got = heap[i]!;
      if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `${kind}(NaN)`);
      else assert.ok(Math.abs(got - want) <= 2e-7 * Math.abs(want) + 1e-37, `${kind}(${xs[i]}) = ${got}, want ${want}`);
    }
  }
});

test('wasm-simd passes every golden SE case; bottleneck and network cases are unsupported', async () => {
  let checked = 0;
  for (const id of golden.ids()) {
    const loaded = golden.load(id);
    const cell = await checkCase(impl, loaded);
    if (loaded.case.kind !== 'se') {
      assert.equal(cell.status, 'unsupported', id);
      continue;
    }
    assert.equal(cell.status, 'pass', `${id}: ${cell.message ?? describeComparison(cell.output!)}`);
    assert.ok(cell.gate, `${id}: the gate was compared`);
    checked++;
  }
  assert.ok(checked >= 20, `only ${checked} SE cases were checked; the golden set has more`);
});

test('awkward shapes, every squeeze and hidden activation, hidden width 0: as the reference', async () => {
  const shapes: [number, number, number, number][] = [[1, 1, 1, 1], [3, 17, 1, 1], [2, 5, 3, 3], [1, 33, 7, 13], [3, 20, 9, 9], [2, 48, 4, 5], [1, 3, 17, 1]];
  let seed = 1;
  for (const squeeze of ['avg', 'max', 'none'] as const) {
    for (const hiddenActivation of ['relu', 'tanh', 'sigmoid'] as const) {
      for (const [n, c, h, w] of shapes) {
        for (const ratio of [4, 64]) { // 64 > C: hidden width 0 with the floor rule
          seed++;
          const spec = makeSeSpec({ channels: c, ratio, squeeze, hiddenActivation, bias1: seed % 3 !== 0, bias2: seed % 4 !== 0,
            weightLayout: seed % 2 ? 'linear' : 'conv1x1' });
          const weights = randomWeights(spec, seed);
          const block = await impl.prepareSe(spec, weights);
          await assertMatchesReference(spec, weights, randomInput([n, c, h, w], seed), block, `${JSON.stringify(spec)} on ${n}x${c}x${h}x${w}`);
          block.dispose();
        }
      }
    }
  }
});

test('max squeeze propagates NaN like PyTorch; avg squeeze too', async () => {
  for (const squeeze of ['max', 'avg'] as const) {
    const spec = makeSeSpec({ channels: 8, ratio: 2, squeeze });
    const weights = randomWeights(spec, 5);
    const x = randomInput([2, 8, 5, 5], 5);
    x.data[1 * 200 + 3 * 25 + 17] = NaN; // sample 1, channel 3: pooled NaN spreads through both FCs to all of sample 1
    const out = await (await impl.prepareSe(spec, weights)).run(x);
    assert.ok(Number.isNaN(out.gate!.data[8 + 3]!), `${squeeze}: gate of the NaN channel`);
    assert.ok(out.gate!.data.slice(0, 8).every((g) => Number.isFinite(g)), `${squeeze}: sample 0 is untouched`);
    await assertMatchesReference(spec, weights, x, await impl.prepareSe(spec, weights), `${squeeze} with NaN`);
  }
});

test('stage: run on the staged tensor reads it in place and gives the same result as the copy path', async () => {
  const loaded = golden.load('awkward-nonsquare-c48-r4');
  if (loaded.case.kind !== 'se') throw new Error('expected an SE case');
  const block = await impl.prepareSe(loaded.case.spec, loaded.weights);
  const copied = await runCopy(block, loaded.input);
  const staged = block.stage!(loaded.input);
  assert.notEqual(staged.data.buffer, loaded.input.data.buffer);
  const inPlace = await block.run(staged);
  assert.deepEqual(inPlace.y.data, copied.y.data);
  assert.deepEqual(inPlace.gate!.data, copied.gate.data);
  // Outputs are views of the same heap as the staged input: zero-copy both ways.
  assert.equal(inPlace.y.data.buffer, staged.data.buffer);
  // In place really means in place: a change to the staged view is seen by the next run.
  staged.data[0] = staged.data[0]! + 1;
  const changed = await block.run(staged);
  assert.notEqual(changed.y.data[0], copied.y.data[0]);
  assert.equal(changed.y.data[0], Math.fround(staged.data[0]! * changed.gate!.data[0]!));
  // Another input copied in makes the staged tensor stale: refused, not silently read.
  await block.run(loaded.input);
  await assert.rejects(block.run(staged), /stale .*stage it again/);
  const restaged = block.stage!(loaded.input);
  assert.deepEqual((await block.run(restaged)).y.data, copied.y.data);
  block.dispose();
});

test('memory grows for a bigger input; a staged tensor from before the growth is refused clearly', async () => {
  const spec = makeSeSpec({ channels: 32, ratio: 4 });
  const weights = randomWeights(spec, 11);
  const block = await impl.prepareSe(spec, weights);
  assert.ok(block instanceof WasmSeBlock);
  const small = randomInput([1, 32, 4, 4], 12);
  const large = randomInput([6, 32, 61, 47], 13);
  const stagedSmall = block.stage!(small);
  await assertMatchesReference(spec, weights, small, block, 'small');
  const before = block.memoryBytes;
  await assertMatchesReference(spec, weights, large, block, 'large');
  assert.ok(block.memoryBytes > before + 2 * large.data.byteLength - 65536, `memory grew: ${before} -> ${block.memoryBytes}`);
  await assert.rejects(block.run(stagedSmall), /stage it again/);
  await assertMatchesReference(spec, weights, small, block, 'small after large');
  // Staging the large input and running it in place still works after growth.
  const stagedLarge = block.stage!(large);
  const a = (await block.run(stagedLarge)).y.data.slice();
  const b = (await block.run(large)).y.data;
  assert.deepEqual(a, b);
  block.dispose();
  await assert.rejects(block.run(small), /disposed/);
});

test('bad specs and weights (checked by the guard, before prepareSe) and bad inputs (by the kernel) give clear errors', async () => {
  const guarded = guard(impl, { callTimeoutMs: 30_000 });
  await assert.rejects(guarded.prepareSe({ channels: 0, ratio: 4 } as SeSpec, {}), /channels must be an integer > 0/);
  await assert.rejects(guarded.prepareSe({ channels: 8, ratio: 2, squeeze: 'mean' } as unknown as SeSpec, {}), /squeeze must be one of avg \| max \| none/);
  const spec = makeSeSpec({ channels: 32, ratio: 4 });
  const weights = randomWeights(spec, 3);
  const broken: Weights = { ...weights, 'fc2.weight': { shape: [1, 2], data: new Float32Array(2) } };
  delete broken['fc1.bias'];
  await assert.rejects(guarded.prepareSe(spec, broken), /wasm-simd SE weights do not match the spec: missing \(1\): fc1.bias .*mis-shaped \(1\): fc2.weight is \[1, 2\], expected \[32, 8\]/);
  const block = await impl.prepareSe(spec, weights);
  await assert.rejects(block.run(randomInput([1, 16, 4, 4], 1)), /input has 16 channels, the block expects 32/);
  await assert.rejects(block.run(randomInput([32, 4, 4], 1)), /expected a rank-4 tensor/);
  await assert.rejects(block.run({ shape: [1, 32, 2, 2], data: new Float32Array(5) }), /input data has 5 elements, shape \[1, 32, 2, 2\] needs 128/);
  block.dispose();
});

test('wasm-simd-mt: golden SE cases pass and outputs equal wasm-simd bit for bit (threads own whole samples)', async () => {
  // minUsPerThread 0: every run splits over all 3 threads, however small (the default would give these shapes one).
  const mt = new WasmSimdImplementation({ threads: 3, minUsPerThread: 0 });
  assert.equal(mt.name, 'wasm-simd-mt');
  const a = await mt.probe();
  assert.equal(a.available, true, a.available ? '' : a.reason);
  for (const id of ['seed-maxpool-64-r3', 'stage5-2048x7x7-b2-r16-floor', 'awkward-batch5-c32-r4', 'awkward-batch1-c32-r4', 'ablation-nosqueeze', 'seed-se_block-3-r16-hidden0']) {
    const cell = await checkCase(mt, golden.load(id));
    assert.equal(cell.status, 'pass', `${id}: ${cell.message ?? describeComparison(cell.output!)}`);
  }
  const spec = makeSeSpec({ channels: 40, ratio: 4, squeeze: 'max', hiddenActivation: 'tanh' });
  const weights = randomWeights(spec, 21);
  const single = await impl.prepareSe(spec, weights);
  const multi = await mt.prepareSe(spec, weights);
  for (const shape of [[7, 40, 5, 3], [2, 40, 9, 9], [1, 40, 2, 2], [9, 40, 30, 31]]) {
    const x = randomInput(shape, 22);
    const want = await runCopy(single, x);
    const got = await multi.run(multi.stage!(x)); // growth of the shared memory on the way, seen by the workers
    assert.deepEqual(got.y.data, want.y.data, `y on ${shape.join('x')}`);
    assert.deepEqual(got.gate!.data, want.gate.data, `gate on ${shape.join('x')}`);
  }
  single.dispose();
  await multi.dispose();
  await assert.rejects(multi.run(randomInput([1, 40, 2, 2], 1)), /disposed/);
  assert.throws(() => new WasmSimdImplementation({ threads: 0 }), /threads must be an integer >= 1/);
});

/** PyTorch's float32 hardsigmoid, min(max(x + 3, 0), 6) / 6, each step rounded to float32 (NaN stays NaN). */
function hardsigmoid32(x: number): number {
  const t = Math.fround(x + 3);
  if (Number.isNaN(t)) return NaN;
  return Math.fround(Math.min(Math.max(t, 0), 6) / 6);
}

test('SIMD hardsigmoid is PyTorch\'s bit for bit (saturating at -3 and 3, NaN stays NaN); SiLU within 3 ulps; unknown kinds trap', async () => {
  const memory = new WebAssembly.Memory({ initial: 8 });
  const k = instantiate(await kernelModule(), memory);
  const n = 1 << 16;
  const xs = new Float32Array(n).map((_, i) => -100 + (200 * i) / n);
  xs.set([NaN, Infinity, -Infinity, -3, 3, Math.fround(-3 - 1e-6), Math.fround(3 + 1e-6), Math.fround(-3 + 1e-6), Math.fround(3 - 1e-6), 0, -0, 1e-7, -1e-30, 88.5, -88.5]);
  const heap = new Float32Array(memory.buffer, 0, n);
  heap.set(xs);
  k.activate(0, n, ACTIVATION.hardsigmoid);
  for (let i = 0; i < n; i++) {
    const want = hardsigmoid32(xs[i]!);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(heap[i]!), `hardsigmoid(${xs[i]}) = ${heap[i]}, want NaN`);
    else assert.equal(heap[i], want, `hardsigmoid(${xs[i]})`);
    if (xs[i]! <= -3) assert.equal(heap[i], 0, `hardsigmoid(${xs[i]}) saturates at 0`);
    if (xs[i]! >= 3) assert.equal(heap[i], 1, `hardsigmoid(${xs[i]}) saturates at 1`);
  }
  heap.set(xs);
  k.activate(0, n, ACTIVATION.silu);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const want = x / (1 + Math.exp(-x)); // PyTorch's formula: silu(-inf) = -inf / inf = NaN
    const got = heap[i]!;
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `silu(${x}) = ${got}, want NaN`);
    else if (!Number.isFinite(want)) assert.equal(got, want, `silu(${x})`);
    // Below -88.3 the clamped exp leaves |silu| < 5e-37 instead of ~0: the absolute term.
    else assert.ok(Math.abs(got - want) <= 3e-7 * Math.abs(want) + 1e-36, `silu(${x}) = ${got}, want ${want}`);
  }
  assert.throws(() => k.activate(0, 16, 5), /unreachable/);
});

/** Input whose planes have different means (uniform in [-3, 3] plus an offset per plane in [-2, 2]), so the avg squeeze is not ~0 everywhere. */
function offsetInput(shape: number[], seed: number): Tensor {
  const x = randomInput(shape, seed);
  const hw = shape[2]! * shape[3]!;
  const offsets = uniform(shape[0]! * shape[1]!, { seed, stream: 'offset', lo: -2, hi: 2 });
  for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! + offsets[Math.floor(i / hw)]!;
  return x;
}

test('hardsigmoid gate and SiLU hidden, every squeeze, awkward shapes and hidden width 0: as the reference', async () => {
  const shapes: [number, number, number, number][] = [[1, 1, 1, 1], [3, 17, 1, 1], [2, 5, 3, 3], [1, 33, 7, 13], [2, 48, 4, 5], [1, 3, 17, 1]];
  let seed = 100;
  for (const squeeze of ['avg', 'max', 'none'] as const) {
    for (const [gate, hiddenActivation] of [['hardsigmoid', 'relu'], ['hardsigmoid', 'silu'], ['sigmoid', 'silu'], ['hardsigmoid', 'tanh']] as const) {
      for (const [n, c, h, w] of shapes) {
        for (const hidden of [0, 1, 6, Math.max(1, c >> 2)]) {
          seed++;
          const spec = makeSeSpec({ channels: c, hidden, squeeze, gate, hiddenActivation, bias1: seed % 3 !== 0, bias2: seed % 4 !== 0,
            weightLayout: seed % 2 ? 'linear' : 'conv1x1' });
          const weights = randomWeights(spec, seed);
          const block = await impl.prepareSe(spec, weights);
          await assertMatchesReference(spec, weights, offsetInput([n, c, h, w], seed), block, `${JSON.stringify(spec)} on ${n}x${c}x${h}x${w}`);
          block.dispose();
        }
      }
    }
  }
});

/**
 * Weights as PyTorch initialises Linear / 1x1 conv: uniform in +-1/sqrt(fan_in)
 * (biases too; +-1 for hidden width 0). With +-0.5 at C = 960 the pre-gate
 * values reach ~30, where float32 summation alone exceeds the fp32 tolerance.
 */
function initWeights(spec: SeSpec, seed: number): Weights {
  const weights: Weights = {};
  for (const [name, shape] of Object.entries(seWeightShapes(spec))) {
    const fanIn = name.startsWith('fc1') ? spec.channels : hiddenWidth(spec);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 1;
    weights[name] = { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: name, lo: -bound, hi: bound }) };
  }
  return weights;
}

/** MobileNetV3 / EfficientNet SE shapes: small C, large plane, hidden widths that are not multiples of 8 or 16. */
const SMALL_C: { c: number; hw: number; hidden: number; gate: 'sigmoid' | 'hardsigmoid'; hiddenActivation: 'relu' | 'silu' }[] = [
  { c: 72, hw: 28, hidden: 24, gate: 'hardsigmoid', hiddenActivation: 'relu' }, // MobileNetV3-Large
  { c: 144, hw: 28, hidden: 6, gate: 'sigmoid', hiddenActivation: 'silu' }, // EfficientNet-B0
  { c: 144, hw: 28, hidden: 6, gate: 'hardsigmoid', hiddenActivation: 'silu' },
  { c: 960, hw: 7, hidden: 240, gate: 'hardsigmoid', hiddenActivation: 'relu' }, // MobileNetV3-Large last SE
  { c: 960, hw: 7, hidden: 240, gate: 'hardsigmoid', hiddenActivation: 'silu' },
  { c: 120, hw: 28, hidden: 32, gate: 'hardsigmoid', hiddenActivation: 'relu' },
  { c: 72, hw: 28, hidden: 0, gate: 'hardsigmoid', hiddenActivation: 'relu' }, // hidden 0: a constant gate, hardsigmoid(bias2)
];

test('small-C large-plane shapes (72x28x28 hidden 24, 144x28x28 hidden 6, 960x7x7 hidden 240, hidden 0): as the reference, single and multi-threaded', async () => {
  const mt = new WasmSimdImplementation({ threads: 2, minUsPerThread: 0 }); // always 2 threads, however small the run
  let seed = 300;
  for (const { c, hw, hidden, gate, hiddenActivation } of SMALL_C) {
    for (const squeeze of ['avg', 'max'] as const) {
      seed++;
      const spec = makeSeSpec({ channels: c, hidden, gate, hiddenActivation, squeeze, weightLayout: seed % 2 ? 'linear' : 'conv1x1' });
      const weights = initWeights(spec, seed);
      const x = offsetInput([3, c, hw, hw], seed);
      const what = `${c}x${hw}x${hw} hidden ${hidden} ${hiddenActivation}/${gate} ${squeeze}`;
      const single = await impl.prepareSe(spec, weights);
      await assertMatchesReference(spec, weights, x, single, what);
      const want = await runCopy(single, x);
      const multi = await mt.prepareSe(spec, weights);
      const got = await multi.run(x);
      assert.deepEqual(got.y.data, want.y.data, `${what}: wasm-simd-mt y equals wasm-simd`);
      assert.deepEqual(got.gate!.data, want.gate.data, `${what}: wasm-simd-mt gate equals wasm-simd`);
      if (hidden === 0) {
        // The gate is hardsigmoid(bias2) for every sample.
        const b2 = weights['fc2.bias']!.data;
        for (let i = 0; i < 3 * c; i++) assert.equal(want.gate.data[i], hardsigmoid32(b2[i % c]!), `${what}: constant gate ${i}`);
      }
      single.dispose();
      await multi.dispose();
    }
  }
  // NoSqueeze (the mt block runs it on the main thread) on a small-C shape.
  const spec = makeSeSpec({ channels: 72, hidden: 24, gate: 'hardsigmoid', hiddenActivation: 'silu', squeeze: 'none' });
  const weights = initWeights(spec, 399);
  const x = offsetInput([2, 72, 14, 14], 399);
  const multi = await mt.prepareSe(spec, weights);
  await assertMatchesReference(spec, weights, x, multi, 'NoSqueeze 72x14x14 hidden 24 silu/hardsigmoid, wasm-simd-mt');
  await multi.dispose();
});

/** Weights whose fc2 biases spread over [-6, 6], so pre-gate values reach past both of hardsigmoid's knees (-3 and 3). */
function saturatingWeights(spec: SeSpec, seed: number): Weights {
  const w = initWeights(spec, seed);
  const b2 = w['fc2.bias']!.data;
  for (let i = 0; i < b2.length; i++) b2[i] = -6 + (12 * i) / (b2.length - 1);
  return w;
}

test('hardsigmoid gate saturates at both ends (gate exactly 0 and 1, y = 0 and y = x there), single and multi-threaded, NoSqueeze too', async () => {
  const mt = new WasmSimdImplementation({ threads: 2 });
  for (const squeeze of ['avg', 'max', 'none'] as const) {
    const spec = makeSeSpec({ channels: 72, hidden: 24, gate: 'hardsigmoid', hiddenActivation: 'silu', squeeze });
    const weights = saturatingWeights(spec, 41);
    const x = offsetInput([2, 72, squeeze === 'none' ? 6 : 28, squeeze === 'none' ? 6 : 28], 41);
    const ref = await (await reference.prepareSe(spec, weights)).run(x);
    for (const block of [await impl.prepareSe(spec, weights), await mt.prepareSe(spec, weights)]) {
      await assertMatchesReference(spec, weights, x, block, `saturating ${squeeze}`);
      const got = await block.run(x);
      const g = got.gate!.data;
      const hw = squeeze === 'none' ? 1 : 28 * 28;
      let low = 0;
      let high = 0;
      for (let i = 0; i < g.length; i++) {
        const r = ref.gate!.data[i]!;
        if (r !== 0 && r !== 1) continue;
        assert.equal(g[i], r, `${squeeze}: saturated gate ${i}`);
        if (r === 0) low++; else high++;
        for (let p = i * hw; p < (i + 1) * hw; p++) assert.equal(got.y.data[p], x.data[p]! * r, `${squeeze}: y at saturated gate ${i}`);
      }
      assert.ok(low >= 10 && high >= 10, `${squeeze}: both knees reached (${low} gates at 0, ${high} at 1 of ${g.length})`);
      await block.dispose();
    }
  }
});

test('hardsigmoid and SiLU: NaN in the input propagates like the reference (avg and max squeeze, NoSqueeze)', async () => {
  for (const squeeze of ['max', 'avg', 'none'] as const) {
    for (const [gate, hiddenActivation] of [['hardsigmoid', 'relu'], ['hardsigmoid', 'silu'], ['sigmoid', 'silu']] as const) {
      const spec = makeSeSpec({ channels: 8, ratio: 2, squeeze, gate, hiddenActivation });
      const weights = randomWeights(spec, 5);
      const x = randomInput([2, 8, 5, 5], 5);
      x.data[1 * 200 + 3 * 25 + 17] = NaN;
      const block = await impl.prepareSe(spec, weights);
      const out = await block.run(x);
      const what = `${squeeze} ${hiddenActivation}/${gate}`;
      if (squeeze === 'none') {
        // Only that pixel's channel vector is NaN: its gate for every channel.
        for (let ch = 0; ch < 8; ch++) assert.ok(Number.isNaN(out.gate!.data[(8 + ch) * 25 + 17]!), `${what}: gate of the NaN pixel, channel ${ch}`);
      } else {
        assert.ok(Number.isNaN(out.gate!.data[8 + 3]!), `${what}: gate of the NaN channel`);
        assert.ok(out.gate!.data.slice(0, 8).every((v) => Number.isFinite(v)), `${what}: sample 0 is untouched`);
      }
      await assertMatchesReference(spec, weights, x, block, `${what} with NaN`);
      block.dispose();
    }
  }
});

test('mutation check: a sigmoid gate instead of hardsigmoid (or ReLU instead of SiLU) fails these comparisons by far', async () => {
  for (const { c, hw, hidden, hiddenActivation } of SMALL_C.filter((s) => s.gate === 'hardsigmoid' && s.hidden > 0)) {
    const spec = makeSeSpec({ channels: c, hidden, gate: 'hardsigmoid', hiddenActivation });
    const weights = initWeights(spec, 51);
    const x = offsetInput([2, c, hw, hw], 51);
    const block = await impl.prepareSe(spec, weights);
    const got = await runCopy(block, x);
    const what = `${c}x${hw}x${hw} hidden ${hidden} ${hiddenActivation}`;
    // The hardsigmoid output is far from a sigmoid-gated reference ...
    const sigmoidSpec = { ...spec, gate: 'sigmoid' as const };
    const sigmoidRef = await (await reference.prepareSe(sigmoidSpec, weights)).run(x);
    const vsSigmoid = compareTensors(got.gate, sigmoidRef.gate!, tolerance);
    assert.ok(!vsSigmoid.ok && vsSigmoid.maxAbsErr > 1e-2, `${what}: hardsigmoid gate vs sigmoid reference differs by only ${vsSigmoid.maxAbsErr}`);
    // ... and a kernel that ran sigmoid would fail the check the tests above use.
    const mutant = await impl.prepareSe(sigmoidSpec, weights);
    await assert.rejects(assertMatchesReference(spec, weights, x, mutant, `${what} sigmoid mutant`), /gate:|y:/);
    mutant.dispose();
    if (hiddenActivation === 'silu') {
      const reluMutant = await impl.prepareSe({ ...spec, hiddenActivation: 'relu' }, weights);
      await assert.rejects(assertMatchesReference(spec, weights, x, reluMutant, `${what} relu mutant`), /gate:|y:/);
      reluMutant.dispose();
    }
    block.dispose();
  }
});

test('an unsupported gate or hidden activation is refused by name, single and multi-threaded, never run as another', async () => {
  const spec = makeSeSpec({ channels: 16, ratio: 4 });
  const weights = randomWeights(spec, 7);
  const mt = new WasmSimdImplementation({ threads: 2 });
  for (const i of [impl, mt]) {
    await assert.rejects(i.prepareSe({ ...spec, gate: 'hardswish' } as unknown as SeSpec, weights),
      /wasm-simd(-mt)?: unsupported gate "hardswish"; this kernel implements gate sigmoid \| hardsigmoid/);
    await assert.rejects(i.prepareSe({ ...spec, hiddenActivation: 'gelu' } as unknown as SeSpec, weights),
      /wasm-simd(-mt)?: unsupported hiddenActivation "gelu"; this kernel implements hiddenActivation relu \| tanh \| sigmoid \| silu/);
  }
});
