import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareTensors, describeComparison } from '../harness/check/compare.ts';
import { checkCase } from '../harness/check/conformance.ts';
import { guard } from '../harness/contract/guard.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { uniform } from '../harness/data/prng.ts';
import { makeSeSpec, seWeightShapes, type SeSpec } from '../harness/model/spec.ts';
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
  const mt = new WasmSimdImplementation({ threads: 3 });
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
