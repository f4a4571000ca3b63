/**
 * torchvision's SE networks as data (harness/model/layers.ts,
 * torchvision-nets.ts) and the SeSpec fields they need: exact counts against
 * torchvision 0.14, SE options refused, the twins, the new spec fields'
 * validation, a state dict of one network named when given as another, an
 * implementation that declines a spec, and the ONNX HardSigmoid trap.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { benchPlan } from '../harness/bench/options.ts';
import { drawWeights } from '../harness/bench/workloads.ts';
import { checkCase } from '../harness/check/conformance.ts';
import { UnsupportedError, type SeImplementation } from '../harness/contract/implementation.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { seOnnx } from '../harness/data/onnx/index.ts';
import { uniform } from '../harness/data/prng.ts';
import { parseSafetensors, serializeSafetensors } from '../harness/data/safetensors.ts';
import { WeightsError } from '../harness/data/weights.ts';
import { weightsFromStateDict } from '../harness/data/weights-import.ts';
import { countNetwork } from '../harness/model/count.ts';
import { layerNetSes, layerNetSeShapes, type LayerNetSpec } from '../harness/model/layers.ts';
import { isLayerNet, makeNetwork, networkWeightShapes } from '../harness/model/network.ts';
import { hiddenWidth, makeSeSpec, seWeightShapes, SpecError } from '../harness/model/spec.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';

// torchvision 0.14, default arguments, 224x224, batch 1: sum(p.numel()) and Conv2d + Linear multiply-adds by forward hooks.
const TORCHVISION: [string, number, number][] = [
  ['mobilenet_v3_large', 5_483_032, 216_589_760],
  ['mobilenet_v3_large-no-se', 3_970_752, 215_082_560],
  ['mobilenet_v3_small', 2_542_856, 56_510_400],
  ['mobilenet_v3_small-no-se', 2_081_216, 56_051_648],
  ['efficientnet_b0', 5_288_548, 385_814_752],
  ['efficientnet_b0-no-se', 4_652_008, 385_187_552],
  ['regnet_y_400mf', 4_344_144, 401_842_848],
  ['regnet_y_400mf-no-se', 3_676_120, 401_180_032],
];

const layerNet = (name: string): LayerNetSpec => {
  const n = makeNetwork(name);
  assert.ok(isLayerNet(n));
  return n;
};

test('params and MACs of torchvision\'s SE networks and their twins equal torchvision\'s exactly', () => {
  for (const [model, params, macs] of TORCHVISION) {
    const c = countNetwork(makeNetwork(model), 224);
    assert.equal(c.params, params, `${model} params`);
    assert.equal(c.macs, macs, `${model} MACs`);
    assert.equal(Object.values(networkWeightShapes(makeNetwork(model))).filter((s) => s.length > 0).length > 0, true);
  }
  // A twin is its network with SE removed: same trunk names, no SE weights, itself as baseline.
  const twin = layerNet('mobilenet_v3_large-no-se');
  assert.equal(twin.baseline, twin.name);
  assert.equal(layerNetSes(twin).length, 0);
  assert.equal(makeNetwork('mobilenet_v3_large').baseline, 'mobilenet_v3_large-no-se');
  assert.equal(Object.keys(networkWeightShapes(twin)).some((k) => k.includes('fc1')), false);
});

test('each family\'s SE blocks are torchvision\'s: hidden widths from their own rules, gates and activations', () => {
  const mb = layerNetSeShapes(layerNet('mobilenet_v3_large'), 224);
  assert.deepEqual(mb.map((s) => [s.name, s.shape.join('x'), hiddenWidth(s.se)]).slice(0, 2),
    [['features.4.block.2', '72x28x28', 24], ['features.5.block.2', '120x28x28', 32]]);
  assert.ok(mb.every((s) => s.se.gate === 'hardsigmoid' && s.se.hiddenActivation === 'relu'));
  assert.deepEqual(mb.at(-1)!.shape, [960, 7, 7]);
  // EfficientNet: the hidden width comes from the block input (16 // 4 = 4), not from the 96 expanded channels; SE follows the strided depthwise conv.
  const eff = layerNetSeShapes(layerNet('efficientnet_b0'), 224);
  assert.deepEqual([eff[1]!.name, eff[1]!.shape.join('x'), hiddenWidth(eff[1]!.se)], ['features.2.0.block.2', '96x56x56', 4]);
  assert.ok(eff.every((s) => s.se.gate === 'sigmoid' && s.se.hiddenActivation === 'silu'));
  // RegNetY: round(0.25 * block input): 0.25 * 48 = 12 on the first block of stage 2, whose SE sees 104 channels.
  const reg = layerNetSeShapes(layerNet('regnet_y_400mf'), 224);
  assert.deepEqual([reg[1]!.name, reg[1]!.shape.join('x'), hiddenWidth(reg[1]!.se)], ['trunk_output.block2.block2-0.f.se', '104x28x28', 12]);
});

test('SE options on a torchvision network are refused; unknown models list the new names', () => {
  assert.throws(() => makeNetwork('mobilenet_v3_large', { ratio: 8 }), (e: Error) => e instanceof SpecError && /torchvision's own SE blocks .* so ratio would do nothing/.test(e.message));
  assert.throws(() => makeNetwork('mobilenet_v3_largee'), /unknown model "mobilenet_v3_largee"; valid models: .*mobilenet_v3_large, mobilenet_v3_large-no-se/);
});

test('SeSpec: hardsigmoid gate, SiLU, an explicit hidden width, and their bad values', () => {
  const s = makeSeSpec({ channels: 72, hidden: 24, gate: 'hardsigmoid', weightLayout: 'conv1x1' });
  assert.equal(hiddenWidth(s), 24);
  assert.equal(s.ratio, 3); // a label: C / hidden
  assert.deepEqual(seWeightShapes(s)['fc1.weight'], [24, 72, 1, 1]);
  assert.deepEqual(makeSeSpec(JSON.parse(JSON.stringify(s))), s); // normalised specs round-trip (the browser, golden JSON)
  assert.equal(hiddenWidth(makeSeSpec({ channels: 40, hidden: 0, gate: 'hardsigmoid' })), 0); // legal, as in PyTorch
  assert.equal(makeSeSpec({ channels: 144, hidden: 6, hiddenActivation: 'silu' }).hiddenActivation, 'silu');
  assert.throws(() => makeSeSpec({ channels: 72, hidden: -1 }), /hidden \(the explicit hidden width\) must be an integer >= 0, got -1/);
  assert.throws(() => makeSeSpec({ channels: 72, hidden: 2.5 }), /must be an integer >= 0, got 2.5/);
  assert.throws(() => makeSeSpec({ channels: 72, hidden: 24, ratio: 4 }), /give ratio or hidden, not both \(hidden 24 on 72 channels is ratio 3, ratio says 4\)/);
  assert.throws(() => makeSeSpec({ channels: 72, ratio: 4, gate: 'hard_sigmoid' as never }), /gate must be one of sigmoid \| hardsigmoid, got "hard_sigmoid"/);
  assert.throws(() => makeSeSpec({ channels: 72, ratio: 4, hiddenActivation: 'swish' as never }), /hiddenActivation must be one of relu \| tanh \| sigmoid \| silu, got "swish"/);
  assert.throws(() => makeSeSpec({ channels: 72 }), /ratio \(r\) must be an integer > 0, got undefined/);
});

test('a MobileNetV3-Small state dict given as MobileNetV3-Large is refused, naming the model it matches', () => {
  const small = makeNetwork('mobilenet_v3_small');
  const weights = drawWeights(networkWeightShapes(small));
  const file = parseSafetensors(serializeSafetensors(weights));
  assert.throws(() => weightsFromStateDict(makeNetwork('mobilenet_v3_large'), file, 'small.safetensors'),
    (e: Error) => e instanceof WeightsError && /The file matches --model=mobilenet_v3_small\./.test(e.message) && /missing/.test(e.message));
  assert.doesNotThrow(() => weightsFromStateDict(small, file, 'small.safetensors'));
});

test('an implementation that declines a spec with UnsupportedError gets an unsupported cell with its reason', async () => {
  const golden = new GoldenSet();
  const ref = new ReferenceImplementation();
  const declining: SeImplementation = {
    name: 'sigmoid-only', device: 'cpu', layout: 'NCHW', precision: 'fp64', description: 'declines the hard sigmoid',
    probe: async () => ({ available: true }),
    prepareSe: async (spec, weights) => {
      if (spec.gate !== 'sigmoid') throw new UnsupportedError(`gate ${spec.gate}: sigmoid only`);
      return ref.prepareSe(spec, weights);
    },
  };
  const hard = golden.manifest.cases.find((c) => c.kind === 'se' && c.spec.gate === 'hardsigmoid');
  assert.ok(hard, 'the golden set has a hard-sigmoid SE case');
  const cell = await checkCase(declining, golden.load(hard.id));
  assert.equal(cell.status, 'unsupported');
  assert.equal(cell.message, 'gate hardsigmoid: sigmoid only');
  assert.equal((await checkCase(declining, golden.load('awkward-batch1-c32-r4'))).status, 'pass');
});

test('ONNX HardSigmoid carries alpha 1/6 and beta 0.5 (ONNX\'s default alpha is 0.2), SiLU is x * Sigmoid(x); ONNX Runtime matches the reference', async () => {
  const ref = new ReferenceImplementation();
  // NoSqueeze for the hard sigmoid: a gate per position, so its pre-activations (fc2 scaled up) reach both saturation ends and the slope between.
  for (const spec of [makeSeSpec({ channels: 24, hidden: 8, gate: 'hardsigmoid', squeeze: 'none', weightLayout: 'conv1x1' }), makeSeSpec({ channels: 24, hidden: 6, hiddenActivation: 'silu' })]) {
    const weights = drawWeights(seWeightShapes(spec), 11);
    weights['fc2.weight']!.data.forEach((v, i, a) => { a[i] = 4 * v; });
    const x = { shape: [2, 24, 5, 5], data: uniform(2 * 24 * 25, { seed: 12, stream: 'x', lo: -8, hi: 8 }) };
    const bytes = seOnnx(spec, weights);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', x.data, x.shape) });
      const want = await (await ref.prepareSe(spec, weights)).run(x);
      const gate = out.gate!.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < gate.length; i++) worst = Math.max(worst, Math.abs(gate[i]! - want.gate!.data[i]!));
      assert.ok(worst < 1e-5, `${spec.gate}/${spec.hiddenActivation}: gate differs from the reference by ${worst}`);
      if (spec.gate === 'hardsigmoid') {
        assert.ok([...gate].some((v) => v === 0) && [...gate].some((v) => v === 1) && [...gate].some((v) => v > 0 && v < 1), 'both saturation ends and the slope are exercised');
      }
    } finally {
      await session.release();
    }
    const text = Buffer.from(bytes).toString('latin1');
    if (spec.gate === 'hardsigmoid') {
      assert.ok(text.includes('HardSigmoid'));
      const alpha = Buffer.alloc(4);
      alpha.writeFloatLE(1 / 6);
      assert.ok(Buffer.from(bytes).includes(alpha), 'alpha = 1/6 is written explicitly');
    } else assert.ok(!text.includes('SiLU') && !text.includes('Swish'), 'SiLU is composed of Sigmoid and Mul at opset 17');
  }
});

test('bench --blocks: families at their networks\' shapes, the default adds MobileNetV3-Large and its twin, bad families refused', () => {
  const p = benchPlan({});
  const mb = p.workloads.filter((w) => w.kind === 'se-block' && w.family === 'mobilenet_v3_large').map((w) => w.id);
  assert.deepEqual(mb, ['se/mobilenet_v3_large/72x28x28-h24/b8', 'se/mobilenet_v3_large/120x28x28-h32/b8', 'se/mobilenet_v3_large/480x14x14-h120/b8',
    'se/mobilenet_v3_large/672x14x14-h168/b8', 'se/mobilenet_v3_large/672x7x7-h168/b8', 'se/mobilenet_v3_large/960x7x7-h240/b8']);
  assert.deepEqual(p.workloads.filter((w) => w.kind === 'network').map((w) => w.id),
    ['net/resnet50/224/b1', 'net/se-resnet50-r16/224/b1', 'net/mobilenet_v3_large-no-se/224/b1', 'net/mobilenet_v3_large/224/b1']);
  assert.equal(benchPlan({ blocks: 'none' }).workloads.some((w) => w.kind === 'se-block'), false);
  assert.ok(benchPlan({ blocks: 'efficientnet_b0' }).workloads.every((w) => w.kind !== 'se-block' || w.id.startsWith('se/efficientnet_b0/')));
  assert.throws(() => benchPlan({ blocks: 'mobilenet' }), /--blocks: unknown SE block family "mobilenet"; valid: resnet50, mobilenet_v3_large, mobilenet_v3_small, efficientnet_b0, regnet_y_400mf, none/);
  assert.throws(() => benchPlan({ blocks: ',' }), /--blocks is empty/);
});
