import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { compareTensors, describeComparison } from '../harness/check/compare.ts';
import { checkCase, runConformance, worstRatio } from '../harness/check/conformance.ts';
import { GoldenSet, type LoadedCase } from '../harness/data/golden.ts';
import { uniform } from '../harness/data/prng.ts';
import { gpuCopyBandwidth } from '../harness/measure/roofline-gpu.ts';
import { makeSeSpec, seWeightShapes, type SeSpec } from '../harness/model/spec.ts';
import type { Tensor } from '../harness/data/tensor.ts';
import type { SeImplementation, Weights } from '../harness/contract/implementation.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';
import { Registry } from '../harness/contract/registry.ts';
import { WgslImplementation, type PathOption } from '../impls/wgsl/index.ts';

const golden = new GoldenSet();
const loaded = new Map<string, LoadedCase>();
function load(id: string): LoadedCase {
  let c = loaded.get(id);
  if (!c) loaded.set(id, (c = golden.load(id)));
  return c;
}
const seCases = golden.manifest.cases.filter((c) => c.kind === 'se').map((c) => c.id);
/** CI names the implementations that must run (SE_BENCH_EXPECT); elsewhere no adapter skips with the reason. */
const expected = (process.env.SE_BENCH_EXPECT ?? '').split(',').map((s) => s.trim());
const auto = new WgslImplementation();

async function usable(t: TestContext, impl: SeImplementation): Promise<boolean> {
  const a = await impl.probe();
  if (a.available) return true;
  assert.ok(!expected.includes(impl.name), `${impl.name} is expected (SE_BENCH_EXPECT) but unavailable: ${a.reason}`);
  t.skip(`${impl.name} unavailable: ${a.reason}`);
  return false;
}

function weightsFor(spec: SeSpec, seed: number): Weights {
  const w: Weights = {};
  for (const [name, shape] of Object.entries(seWeightShapes(spec))) {
    w[name] = { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: `wgsl.${name}`, lo: -0.5, hi: 0.5 }) };
  }
  return w;
}

function input(shape: number[], seed: number): Tensor {
  return { shape, data: uniform(shape.reduce((a, b) => a * b, 1), { seed, stream: 'wgsl.x', lo: -2, hi: 2 }) };
}

const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: t.data.slice() });
const tol = { atol: 1e-5, rtol: 1e-5 };

/** Every golden SE case on `impl`; returns the worst share of tolerance per case. */
async function passesGolden(impl: SeImplementation): Promise<Map<string, number>> {
  const worst = new Map<string, number>();
  for (const id of seCases) {
    const cell = await checkCase(impl, load(id));
    assert.equal(cell.status, 'pass', `${id} x ${impl.name}: ${cell.message ?? describeComparison(cell.output!)}`);
    assert.ok(cell.gate, `${id} x ${impl.name}: the gate was not returned`);
    worst.set(id, worstRatio(cell));
  }
  return worst;
}

test('wgsl-fused passes every golden SE case and returns the gate', async (t) => {
  if (!(await usable(t, auto))) return;
  const worst = await passesGolden(auto);
  const [id, ratio] = [...worst].reduce((a, b) => (b[1] > a[1] ? b : a));
  t.diagnostic(`worst: ${id} at ${(100 * ratio).toFixed(1)}% of tolerance`);
});

for (const path of ['fused', 'split'] as const) {
  test(`the ${path} path, forced, passes every golden SE case`, async (t) => {
    // On auto's device: the kernels auto compiled (most of this test's time on SwiftShader) are reused.
    const impl = new WgslImplementation({ path, name: `wgsl-${path}`, sameDeviceAs: auto });
    if (!(await usable(t, impl))) return;
    await passesGolden(impl);
  });
}

test('auto picks fused for 7x7 and split for 56x56; chunked batches give the same result', async (t) => {
  if (!(await usable(t, auto))) return;
  for (const [id, path] of [['stage5-2048x7x7-b2-r16-floor', 'fused'], ['stage2-256x56x56-b2-r16-floor', 'split'], ['ablation-nosqueeze', 'nosqueeze']] as const) {
    const c = load(id);
    if (c.case.kind !== 'se') assert.fail(`${id} is not an SE case`);
    const block = await auto.prepareSe(c.case.spec, c.weights);
    await block.run(c.input);
    assert.equal(block.lastPath, path, id);
    await block.dispose();
  }
  // Chunks of one sample: squeeze, fc1, fc2 and scale once per sample, each at a batch offset.
  const chunked = new WgslImplementation({ path: 'split', chunkBytes: 1, name: 'wgsl-chunked', sameDeviceAs: auto });
  for (const id of ['stage3-512x28x28-b2-r16-floor', 'awkward-batch5-c32-r4', 'ablation-squeeze-max']) {
    const cell = await checkCase(chunked, load(id));
    assert.equal(cell.status, 'pass', `${id} chunked: ${cell.message ?? describeComparison(cell.output!)}`);
  }
});

test('one pipeline per compile-time key: shapes are uniforms; growing and shrinking inputs stay correct', async (t) => {
  const impl = new WgslImplementation({ path: 'split', name: 'wgsl-cache' });
  if (!(await usable(t, impl))) return;
  const spec = makeSeSpec({ channels: 32, ratio: 4 });
  const weights = weightsFor(spec, 3);
  const block = await impl.prepareSe(spec, weights);
  const ref = await new ReferenceImplementation().prepareSe(spec, weights);
  // vec4 planes (16, 64, 36) and scalar planes (25, 9, 1), batch 1..4, bigger then smaller.
  const shapes = [[1, 32, 4, 4], [3, 32, 8, 8], [2, 32, 5, 5], [1, 32, 3, 3], [4, 32, 6, 6], [2, 32, 1, 1], [1, 32, 4, 4]];
  for (const [i, shape] of shapes.entries()) {
    const x = input(shape, 10 + i);
    const got = await block.run(x);
    const want = await ref.run(x);
    const r = compareTensors(got.y, want.y, tol);
    assert.ok(r.ok, `[${shape.join(', ')}]: ${describeComparison(r)}`);
    assert.ok(compareTensors(got.gate!, want.gate!, tol).ok, `[${shape.join(', ')}] gate`);
  }
  // squeeze avg vec4 + f32, fc relu + bias (fc1), fc sigmoid + bias (fc2), scale vec4 + f32.
  assert.equal(impl.pipelinesCreated, 6);
  const second = await impl.prepareSe(spec, weightsFor(spec, 4));
  await second.run(input([5, 32, 12, 12], 30));
  assert.equal(impl.pipelinesCreated, 6, 'a second block with the same compile-time facts compiled again');
  await Promise.all([block.dispose(), second.dispose()]);
  await assert.rejects(block.run(input([1, 32, 4, 4], 1)), /run after dispose/);
});

test('stage(): run(staged) reads the uploaded input; a displaced staged tensor is uploaded again; runDeviceOnly times the kernels', async (t) => {
  if (!(await usable(t, auto))) return;
  const spec = makeSeSpec({ channels: 16, ratio: 4, squeeze: 'max', hiddenActivation: 'tanh' });
  const weights = weightsFor(spec, 5);
  const block = await auto.prepareSe(spec, weights);
  const ref = await new ReferenceImplementation().prepareSe(spec, weights);
  const a = input([2, 16, 6, 6], 1);
  const b = input([3, 16, 9, 9], 2);
  const want = { a: (await ref.run(a)).y, b: (await ref.run(b)).y };
  const stagedA = block.stage(a);
  assert.deepEqual(stagedA.shape, a.shape);
  assert.ok(compareTensors(copy((await block.run(stagedA)).y), want.a, tol).ok, 'staged a');
  assert.ok(compareTensors(copy((await block.run(b)).y), want.b, tol).ok, 'b over staged a');
  // b replaced a in the input buffer; the staged tensor keeps a's data and is uploaded again.
  assert.ok(compareTensors(copy((await block.run(stagedA)).y), want.a, tol).ok, 'staged a after b');
  const gpuMs = await block.runDeviceOnly();
  assert.ok(Number.isNaN(gpuMs) || gpuMs >= 0, `runDeviceOnly returned ${gpuMs}`);
  assert.ok(compareTensors(copy((await block.run(stagedA)).y), want.a, tol).ok, 'staged a after a device-only run');
  await block.dispose();
});

test('max squeeze propagates NaN as PyTorch does, on both paths', async (t) => {
  if (!(await usable(t, auto))) return;
  const spec = makeSeSpec({ channels: 8, ratio: 2, squeeze: 'max' });
  const weights = weightsFor(spec, 6);
  const x = input([2, 8, 5, 5], 7);
  x.data[1 * 8 * 25 + 3 * 25 + 7] = Number.NaN; // sample 1, channel 3
  const want = await (await new ReferenceImplementation().prepareSe(spec, weights)).run(x);
  for (const path of ['fused', 'split'] as PathOption[]) {
    const block = await new WgslImplementation({ path, sameDeviceAs: auto }).prepareSe(spec, weights);
    const got = await block.run(x);
    assert.ok(Number.isNaN(got.gate!.data[8]!), `${path}: the NaN did not reach sample 1's gate`);
    assert.ok(!Number.isNaN(got.gate!.data[0]!), `${path}: sample 0 has no NaN`);
    const r = compareTensors(got.y, want.y, tol);
    assert.ok(r.ok, `${path}: ${describeComparison(r)}`);
    await block.dispose();
  }
});

test('hardsigmoid gate and SiLU hidden on the fused, split and NoSqueeze paths: as the reference; hidden 0 saturates exactly', async (t) => {
  if (!(await usable(t, auto))) return;
  const ref = new ReferenceImplementation();
  const variants = [
    { gate: 'hardsigmoid', hiddenActivation: 'relu' }, { gate: 'hardsigmoid', hiddenActivation: 'silu' }, { gate: 'sigmoid', hiddenActivation: 'silu' },
  ] as const;
  let seed = 40;
  for (const v of variants) {
    for (const [squeeze, path] of [['avg', 'fused'], ['avg', 'split'], ['max', 'split'], ['none', 'auto']] as const) {
      const spec = makeSeSpec({ channels: 24, hidden: 6, squeeze, ...v });
      const weights = weightsFor(spec, ++seed);
      // Scaled so that pre-gate values cross hardsigmoid's -3 and 3 knees.
      for (const w of Object.values(weights)) w.data.forEach((x, i) => { w.data[i] = x * 6; });
      const x = input([2, 24, 5, 4], seed);
      const block = await new WgslImplementation({ path, sameDeviceAs: auto }).prepareSe(spec, weights);
      const got = await block.run(x);
      const want = await (await ref.prepareSe(spec, weights)).run(x);
      const label = `${v.gate}/${v.hiddenActivation}, squeeze ${squeeze}, path ${path}`;
      assert.ok(compareTensors(got.y, want.y, tol).ok, `${label}: ${describeComparison(compareTensors(got.y, want.y, tol))}`);
      assert.ok(compareTensors(got.gate!, want.gate!, tol).ok, `${label}: gate`);
      await block.dispose();
    }
  }
  // Hidden width 0: the gate is hardsigmoid(b2), a constant; at and beyond the knees it is exactly 0 or 1.
  const spec = makeSeSpec({ channels: 8, hidden: 0, gate: 'hardsigmoid' });
  const weights = weightsFor(spec, 60);
  weights['fc2.bias']!.data.set([-7, -3, -1.5, 0, 1.5, 3, 7, Number.NaN]);
  for (const path of ['fused', 'split'] as PathOption[]) {
    const block = await new WgslImplementation({ path, sameDeviceAs: auto }).prepareSe(spec, weights);
    const g = (await block.run(input([1, 8, 3, 3], 61))).gate!.data;
    assert.deepEqual([...g.subarray(0, 7)], [0, 0, 0.25, 0.5, 0.75, 1, 1], `${path}: hardsigmoid(b2)`);
    assert.ok(Number.isNaN(g[7]!), `${path}: hardsigmoid(NaN) = ${g[7]}, want NaN`);
    await block.dispose();
  }
});

test('a WGSL compile error and a lost device become error cells; the others still run, and the implementation recovers', async (t) => {
  if (!(await usable(t, auto))) return;
  const broken = new WgslImplementation({ name: 'wgsl-broken', shaderTransform: (k) => k.code.replace('fn main', 'fn main(oops') });
  const registry = new Registry();
  registry.register(broken);
  registry.register(new ReferenceImplementation());
  const report = await runConformance({ implementations: registry.list(), golden, cases: ['awkward-batch1-c32-r4'], expected: [] });
  assert.deepEqual(report.cells.map((c) => `${c.impl} ${c.status}`), ['wgsl-broken error', 'reference pass']);
  assert.match(report.cells[0]!.message!, /wgsl kernel fused:avg.*(error|invalid)/i);

  const lost = new WgslImplementation({ name: 'wgsl-lost' });
  assert.ok((await lost.probe()).available);
  const c = load('awkward-nonsquare-c48-r4');
  if (c.case.kind !== 'se') assert.fail('not an SE case');
  const block = await lost.prepareSe(c.case.spec, c.weights);
  (await lost.gpuDevice()).destroy();
  await assert.rejects(block.run(c.input), /device was lost/);
  await block.dispose();
  const cell = await checkCase(lost, c);
  assert.equal(cell.status, 'pass', `a new device should replace the lost one: ${cell.message ?? ''}`);
});

test('probe: no adapter, or an adapter that throws, is unavailable with the reason and a hint', async () => {
  const none = await new WgslImplementation({ requestAdapter: async () => null }).probe();
  assert.equal(none.available, false);
  if (!none.available) {
    assert.match(none.reason, /^no WebGPU adapter was found$/);
    assert.ok(none.installHint.length > 0);
  }
  const throwing = await new WgslImplementation({ requestAdapter: async () => { throw new Error('simulated driver crash'); } }).probe();
  assert.equal(throwing.available, false);
  if (!throwing.available) assert.match(throwing.reason, /simulated driver crash/);
});

test('gpuCopyBandwidth: median of awaited copies; a buffer beyond the device limit is an Error with the reason', async (t) => {
  if (!(await usable(t, auto))) return;
  const device = await auto.gpuDevice();
  const m = await gpuCopyBandwidth(device, 1_000_001, 20);
  assert.equal(m.bytes, 1_000_004);
  assert.ok(m.samplesMs.length >= 10 && m.medianMs > 0 && m.gbPerS > 0, JSON.stringify({ ...m, samplesMs: m.samplesMs.length }));
  await assert.rejects(gpuCopyBandwidth(device, device.limits.maxBufferSize + 4, 20), /gpuCopyBandwidth\(\d+ bytes\): (validation error|out of memory)/);
  // The device still works afterwards (the error scopes were popped).
  assert.equal((await checkCase(auto, load('awkward-batch1-c32-r4'))).status, 'pass');
});
