import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describeComparison } from '../harness/check/compare.ts';
import { checkCase, runConformance } from '../harness/check/conformance.ts';
import { GoldenSet, type LoadedCase } from '../harness/data/golden.ts';
import { toLayout } from '../harness/data/tensor.ts';
import { initialiseBackend, loadBackend, type TfjsBackend } from '../impls/tfjs/backends.ts';
import { foldConv } from '../impls/tfjs/bottleneck-ops.ts';
import { TfjsImplementation, tfjsImplementations } from '../impls/tfjs/index.ts';
import { Registry } from '../harness/contract/registry.ts';

const golden = new GoldenSet();
const loadedCases = new Map<string, LoadedCase>();
function load(id: string): LoadedCase {
  let c = loadedCases.get(id);
  if (!c) loadedCases.set(id, (c = golden.load(id)));
  return c;
}
const blockCases = golden.manifest.cases.filter((c) => c.kind === 'se' || c.kind === 'bottleneck').map((c) => c.id);
/** CI names the implementations that must run (SE_BENCH_EXPECT); elsewhere an unavailable backend skips with its reason. */
const expected = (process.env.SE_BENCH_EXPECT ?? '').split(',').map((s) => s.trim());
const byName = new Map(tfjsImplementations().map((i) => [i.name, i]));
const tfjs = (name: string) => byName.get(name)!;

/**
 * True when `name` can run here. Otherwise the test fails if CI expects it,
 * and else is marked skipped with the reason (a test that returns early
 * without a skip would read as a pass). `note` only records the reason, for a
 * test that goes on with other backends.
 */
async function runnable(t: TestContext, name: string, note = false): Promise<boolean> {
  const a = await tfjs(name).probe();
  if (a.available) return true;
  assert.ok(!expected.includes(name), `${name} is expected (SE_BENCH_EXPECT) but unavailable: ${a.reason}`);
  if (note) t.diagnostic(`${name} unavailable: ${a.reason}`);
  else t.skip(`${name} unavailable: ${a.reason}`);
  return false;
}

for (const name of ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu']) {
  test(`${name} passes every golden SE and bottleneck case`, async (t) => {
    const impl = tfjs(name);
    if (!(await runnable(t, name))) return;
    for (const id of blockCases) {
      const cell = await checkCase(impl, load(id));
      assert.equal(cell.status, 'pass', `${id} x ${name}: ${cell.message ?? describeComparison(cell.output!)}`);
      assert.ok(cell.gate || id === 'bottleneck-none', `${id} x ${name}: the gate was not returned`);
    }
  });
}

test('repeated runs do not grow tf.memory().numTensors, and dispose frees the weights', async (t) => {
  const { tf } = await loadBackend('cpu');
  let ran = 0;
  for (const name of ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu']) {
    const impl = tfjs(name);
    if (!(await runnable(t, name, true))) continue;
    ran++;
    for (const id of ['ablation-nosqueeze', 'bottleneck-resnext-g32-standard']) {
      const c = load(id);
      const before = tf.memory().numTensors;
      const spec = c.case;
      const block = spec.kind === 'se' ? await impl.prepareSe(spec.spec, c.weights)
        : spec.kind === 'bottleneck' ? await impl.prepareBottleneck(spec.spec, c.weights) : assert.fail(`${id} is not a block case`);
      const x = toLayout(c.input, 'NHWC');
      await block.run(x);
      const afterFirst = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await block.run(x);
      assert.equal(tf.memory().numTensors, afterFirst, `${name} ${id}: tensors leak per run`);
      await block.dispose();
      assert.equal(tf.memory().numTensors, before, `${name} ${id}: dispose left tensors behind`);
      await assert.rejects(block.run(x), /run after dispose/);
    }
  }
  if (ran === 0) t.skip('no tfjs backend is available here');
});

test('a whole network on tfjs-wasm: passes golden, repeated runs keep the tensor count, dispose frees every weight', async (t) => {
  const impl = tfjs('tfjs-wasm');
  if (!(await runnable(t, 'tfjs-wasm'))) return;
  const { tf } = await loadBackend('wasm');
  const c = load('net-se-resnet50-64');
  assert.equal((await checkCase(impl, c)).status, 'pass');
  if (c.case.kind !== 'network') assert.fail('not a network case');
  const before = tf.memory().numTensors;
  const net = await impl.prepareNetwork(c.case.spec, c.weights);
  const x = toLayout(c.input, 'NHWC');
  const out = await net.run(x);
  assert.deepEqual(Object.keys(out.stages), ['layer1', 'layer2', 'layer3', 'layer4']);
  assert.equal(Object.keys(out.gates).length, 16);
  const afterFirst = tf.memory().numTensors;
  await net.run(x);
  assert.equal(tf.memory().numTensors, afterFirst, 'tensors leak per network run');
  await net.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose left network tensors behind');
});

test('BatchNorm folding and the grouped-conv filter layout match PyTorch weight order', () => {
  // 2 groups, 2 inputs and 1 output per group, 1x1 kernel: output o reads inputs 2o, 2o+1.
  const weights = {
    'c.weight': { shape: [2, 2, 1, 1], data: Float32Array.of(1, 2, 3, 4) },
    'b.weight': { shape: [2], data: Float32Array.of(2, 1) },
    'b.bias': { shape: [2], data: Float32Array.of(0.5, 0) },
    'b.running_mean': { shape: [2], data: Float32Array.of(1, 0) },
    'b.running_var': { shape: [2], data: Float32Array.of(1 - 1e-5, 4 - 1e-5) },
  };
  const f = foldConv(weights, 'c', 'b', 2, 4, 1, 2);
  assert.deepEqual(f.shape, [1, 1, 4, 1]);
  assert.deepEqual([...f.filter], [2, 4, 1.5, 2]); // depthwise [k, k, cin, m]: input i -> its group's output
  assert.deepEqual([...f.bias], [0.5 - 2, 0]);
});

/** A TfjsImplementation whose backend is the registered factory `factory` under a fresh name. */
function withFactory(name: string, factory: () => unknown): TfjsImplementation {
  const load = async (): Promise<TfjsBackend> => {
    const { tf } = await loadBackend('cpu');
    const backendName = `se-bench-test-${name}`;
    if (!tf.findBackendFactory(backendName)) tf.registerBackend(backendName, factory as never);
    await initialiseBackend(tf, backendName);
    return { tf, name: backendName, detail: 'test double' };
  };
  return new TfjsImplementation({ name, device: 'cpu', backend: 'cpu', description: 'test double', load });
}

test('a tfjs backend that fails to initialise is unavailable with the reason; the others still run', async () => {
  const broken = withFactory('tfjs-broken-init', () => { throw new Error('simulated adapter loss during init'); });
  const registry = new Registry();
  registry.register(broken);
  registry.register(tfjs('tfjs-cpu'));
  const report = await runConformance({ implementations: registry.list(), golden, cases: ['awkward-batch1-c32-r4'], expected: [] });
  const status = report.implementations.find((i) => i.name === 'tfjs-broken-init')!;
  assert.equal(status.available, false);
  assert.match(status.reason!, /could not initialise backend "se-bench-test-tfjs-broken-init": .*simulated adapter loss during init/);
  assert.deepEqual(report.cells.map((c) => c.status), ['skipped', 'pass']);
  assert.equal(report.ok, true);
});

test('a tfjs backend that throws mid-run is an error cell; the next implementation passes', async () => {
  // A cpu backend with no kernels registered under its name: uploads work, the first op throws.
  // firstUse: false skips the cpu backend's advice to install tfjs-node, printed on its first tensor.
  const noKernels = withFactory('tfjs-no-kernels', () => Object.assign(new MathBackendCPU(), { firstUse: false }));
  const registry = new Registry();
  registry.register(noKernels);
  registry.register(tfjs('tfjs-cpu'));
  const { tf } = await loadBackend('cpu');
  const before = tf.memory().numTensors;
  const report = await runConformance({ implementations: registry.list(), golden, cases: ['awkward-batch1-c32-r4', 'bottleneck-none'], expected: [] });
  assert.deepEqual(report.cells.map((c) => `${c.impl} ${c.status}`), [
    'tfjs-no-kernels error', 'tfjs-cpu pass', 'tfjs-no-kernels error', 'tfjs-cpu pass',
  ]);
  assert.match(report.cells[0]!.message!, /not registered for backend 'se-bench-test-tfjs-no-kernels'/);
  assert.equal(tf.memory().numTensors, before, 'a failed run leaked tensors');
  assert.equal(report.ok, false);
});

test('tfjs-node is reported unavailable with the install command when the package is absent', async (t) => {
  const a = await tfjs('tfjs-node').probe();
  if (a.available) {
    t.skip('@tensorflow/tfjs-node is installed here');
    return;
  }
  assert.match(a.reason, /@tensorflow\/tfjs-node is not installed|failed to load/);
  assert.match(a.installHint, /npm install @tensorflow\/tfjs-node/);
});
