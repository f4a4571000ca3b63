import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeComparison } from '../harness/check/compare.ts';
import { checkCase, runConformance } from '../harness/check/conformance.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { toJson } from '../harness/data/json.ts';
import type { Availability, SeImplementation } from '../harness/contract/implementation.ts';
import { loadImplementations } from '../harness/cli/implementations.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';
import { SeReferenceMath } from '../impls/reference/se-math.ts';
import { Registry } from '../harness/contract/registry.ts';

const golden = new GoldenSet();

/** Mutants of the reference: each drops or swaps one step of the SE block. */
class NoSigmoidGate extends SeReferenceMath {
  protected override gateActivation(v: number): number {
    return v;
  }
}
class MaxInsteadOfMean extends SeReferenceMath {
  protected override squeezePlane(x: ArrayLike<number>, offset: number, count: number): number {
    let m = -Infinity;
    for (let i = 0; i < count; i++) m = Math.max(m, x[offset + i]!);
    return m;
  }
}
/** The deployed-SE traps: a sigmoid where MobileNetV3 has its hard sigmoid, ONNX's default HardSigmoid slope (0.2, not 1/6), ReLU for SiLU. */
class SigmoidForHardsigmoid extends SeReferenceMath {
  protected override gateActivation(v: number): number {
    return 1 / (1 + Math.exp(-v));
  }
}
class OnnxDefaultHardsigmoid extends SeReferenceMath {
  protected override gateActivation(v: number): number {
    return this.spec.gate === 'hardsigmoid' ? Math.max(0, Math.min(1, 0.2 * v + 0.5)) : super.gateActivation(v);
  }
}
class ReluForSilu extends SeReferenceMath {
  protected override hiddenActivation(v: number): number {
    return this.spec.hiddenActivation === 'silu' ? Math.max(0, v) : super.hiddenActivation(v);
  }
}
class TanhHidden extends SeReferenceMath {
  protected override hiddenActivation(v: number): number {
    return Math.tanh(v);
  }
}

test('the reference passes every golden case', async () => {
  const impl = new ReferenceImplementation();
  for (const id of golden.ids()) {
    const cell = await checkCase(impl, golden.load(id));
    assert.equal(cell.status, 'pass', `${id}: ${cell.message ?? describeComparison(cell.output!)}`);
  }
});

for (const [Mutant, cases] of [
  [NoSigmoidGate, ['seed-se_block-64-r16', 'stage3-512x28x28-b2-r16-floor', 'ablation-nosqueeze', 'bottleneck-standard', 'bottleneck-identity']],
  [MaxInsteadOfMean, ['seed-se_block-64-r16', 'stage5-2048x7x7-b2-r16-floor', 'bottleneck-pre', 'bottleneck-3x3']],
  [TanhHidden, ['seed-resnext-512-r16-nobias', 'awkward-c100-r16-floor']],
  [SigmoidForHardsigmoid, ['mbv3-se-72x28x28-hardsigmoid', 'hardsigmoid-saturation-960x1x1-h240', 'hardsigmoid-hidden0-c40', 'net-mobilenet_v3_large-64']],
  [OnnxDefaultHardsigmoid, ['mbv3-se-72x28x28-hardsigmoid', 'hardsigmoid-saturation-960x1x1-h240', 'net-mobilenet_v3_small-64-b2']],
  [ReluForSilu, ['effnet-se-144x28x28-silu', 'net-efficientnet_b0-64']],
] as const) {
  test(`a broken reference (${Mutant.name}) fails the gate`, async () => {
    const mutant = new ReferenceImplementation(`mutant-${Mutant.name}`, Mutant);
    for (const id of cases) {
      const cell = await checkCase(mutant, golden.load(id));
      assert.equal(cell.status, 'fail', `${id} should fail with ${Mutant.name}`);
      assert.ok(cell.output!.maxAbsErr > 1e-3, `${id}: error ${cell.output!.maxAbsErr} is too close to the tolerance to be a convincing catch`);
      // Every fail cell says where in one line: a block its first failing comparison, a network its failing parts and the first one's.
      const pattern = cell.parts ? /^failing: [^;]+; [\w. ]+: \d+\/\d+ elements out of tolerance; first at (NCHW|NC) \[/ : /^(output|gate): \d+\/\d+ elements out of tolerance; .*first at (NCHW|NC) \[/;
      assert.match(cell.message ?? '', pattern, id);
      assert.doesNotMatch(cell.message!, /\n/);
    }
  });
}

test('a spec/weights mismatch is an error cell that names the weights, and the run goes on', async () => {
  const impl = new ReferenceImplementation();
  const loaded = golden.load('awkward-batch1-c32-r4');
  delete loaded.weights['fc1.bias'];
  loaded.weights['fc2.weight'] = { shape: [1, 2], data: new Float32Array(2) };
  const cell = await checkCase(impl, loaded);
  assert.equal(cell.status, 'error');
  assert.match(cell.message!, /missing \(1\): fc1.bias .*mis-shaped \(1\): fc2.weight is \[1, 2\], expected \[32, 8\]/);
});

const unavailable: SeImplementation = {
  name: 'fake-gpu', device: 'gpu', layout: 'NHWC', precision: 'fp32', description: 'test double',
  probe: async (): Promise<Availability> => ({ available: false, reason: 'no GPU adapter', installHint: 'install a GPU driver' }),
  prepareSe: async () => { throw new Error('not reachable'); },
};
const throwing: SeImplementation = {
  name: 'throws', device: 'cpu', layout: 'NHWC', precision: 'fp32', description: 'test double',
  probe: async (): Promise<Availability> => ({ available: true }),
  prepareSe: async () => ({ run: async () => { throw new Error('device lost'); }, dispose: () => {} }),
};

test('unavailable implementations are skipped with the reason; an expected one fails the run', async () => {
  const registry = new Registry();
  registry.register(new ReferenceImplementation());
  registry.register(unavailable);
  registry.register(throwing);
  const cases = ['awkward-batch1-c32-r4', 'bottleneck-none'];
  const base = { implementations: registry.list(), golden, cases };
  const relaxed = await runConformance({ ...base, expected: [] });
  const cell = (impl: string, id: string) => relaxed.cells.find((c) => c.impl === impl && c.caseId === id)!;
  assert.equal(cell('fake-gpu', cases[0]!).status, 'skipped');
  assert.equal(cell('fake-gpu', cases[0]!).message, 'no GPU adapter');
  assert.equal(cell('throws', cases[0]!).status, 'error');
  assert.equal(cell('throws', cases[0]!).message, 'device lost');
  assert.equal(cell('throws', 'bottleneck-none').status, 'unsupported');
  assert.equal(cell('reference', cases[0]!).status, 'pass');
  assert.deepEqual(relaxed.failures, [`${cases[0]} x throws: error`]);
  const strict = await runConformance({ ...base, implementations: [registry.get('reference'), unavailable], expected: ['fake-gpu'] });
  assert.equal(strict.ok, false);
  assert.match(strict.failures[0]!, /fake-gpu: expected to run here but unavailable: no GPU adapter \(fix: install a GPU driver\)/);
});

test('a run in which no cell was checked fails, naming why, unless allowEmpty; one checked cell is enough', async () => {
  const allSkipped = await runConformance({ implementations: [unavailable], golden, cases: ['awkward-batch1-c32-r4'] });
  assert.equal(allSkipped.ok, false);
  assert.deepEqual(allSkipped.failures, ['no check ran, so nothing was proved: fake-gpu is unavailable here (reasons and fixes above); pass --allow-empty to accept an empty run']);
  const allUnsupported = await runConformance({ implementations: [throwing, unavailable], golden, cases: ['bottleneck-none'] });
  assert.match(allUnsupported.failures.join('\n'), /fake-gpu is unavailable here .*; throws supports none of the selected cases;/);
  const allowed = await runConformance({ implementations: [unavailable], golden, cases: ['awkward-batch1-c32-r4'], allowEmpty: true });
  assert.equal(allowed.ok, true);
  const one = await runConformance({ implementations: [new ReferenceImplementation(), unavailable], golden, cases: ['awkward-batch1-c32-r4'] });
  assert.equal(one.ok, true, one.failures.join('; '));
});

test('NaN in an output is reported as NaN, in text and in JSON', async () => {
  const nanOut: SeImplementation = {
    ...throwing, name: 'nan', layout: 'NCHW',
    prepareSe: async () => ({
      run: async (x) => ({ y: { shape: x.shape, data: new Float32Array(x.data.length).fill(NaN) } }),
      dispose: () => {},
    }),
  };
  const cell = await checkCase(nanOut, golden.load('awkward-batch1-c32-r4'));
  assert.equal(cell.status, 'fail');
  assert.equal(cell.output!.unexpectedNaN, 32 * 6 * 6);
  assert.match(describeComparison(cell.output!), /1152 NaN where a number was expected; first at NCHW \[0, 0, 0, 0\]: got NaN/);
  assert.match(toJson(cell), /"actual": "NaN"/);
});

test('a failing SE cell names its first failing element in NCHW, also for an NHWC implementation', async () => {
  const loaded = golden.load('awkward-batch1-c32-r4'); // [1, 32, 6, 6]
  const [, c, h, w] = loaded.output.shape as [number, number, number, number];
  const at = [0, 3, 1, 2];
  const nhwc: SeImplementation = {
    ...throwing, name: 'one-bad-element-nhwc', layout: 'NHWC',
    prepareSe: async () => ({
      run: async () => {
        const y = { shape: [1, h, w, c], data: new Float32Array(loaded.output.data.length) };
        for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) y.data[i * c + ci] = loaded.output.data[ci * h * w + i]!;
        y.data[(at[2]! * w + at[3]!) * c + at[1]!]! += 1; // NHWC [0, 1, 2, 3] is NCHW [0, 3, 1, 2]
        return { y };
      },
      dispose: () => {},
    }),
  };
  const cell = await checkCase(nhwc, loaded);
  assert.equal(cell.status, 'fail');
  assert.match(cell.message ?? '', /^output: 1\/1152 elements out of tolerance; first at NCHW \[0, 3, 1, 2\]: got [-\d.e]+, expected [-\d.e]+; .*last at NCHW \[0, 3, 1, 2\]; max abs 1\.00e\+0/);
  assert.doesNotMatch(cell.message!, /\n/);
});

test('registry: duplicate names throw, unknown names list the valid ones', async () => {
  const { registry } = await loadImplementations({});
  assert.throws(() => registry.register(new ReferenceImplementation()), /"reference" is already registered/);
  assert.throws(() => registry.get('tfjs-tpu'), /unknown implementation "tfjs-tpu"; valid names: reference/);
});
