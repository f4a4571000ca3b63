/**
 * ONNX export (harness/data/onnx, `se-bench export`): exported golden cases run
 * on onnxruntime-node's CPU provider reproduce the golden tensors; paths the
 * golden set does not reach (hidden width 0 with NoSqueeze or max, NoSqueeze
 * in a strided bottleneck) match the reference; Debian's onnx checker accepts
 * the models; the command refuses bad input with one line before building.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { drawWeights } from '../harness/bench/workloads.ts';
import { compareTensors, type Tolerance } from '../harness/check/compare.ts';
import { toleranceFor } from '../harness/check/tolerances.ts';
import { exportCommand, type ExportValues } from '../harness/cli/commands/export.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import {
  bottleneckOnnx, exportOnnx, networkOnnx, ONNX_IR_VERSION, ONNX_OPSET, onnxOutputNames, onnxSignature, seOnnx,
} from '../harness/data/onnx/index.ts';
import { uniform } from '../harness/data/prng.ts';
import { writeSafetensors } from '../harness/data/safetensors.ts';
import { UsageError } from '../harness/data/select.ts';
import { sizeOf, type Tensor } from '../harness/data/tensor.ts';
import { WeightsError } from '../harness/data/weights.ts';
import { bottleneckWeightShapes, type BottleneckSpec } from '../harness/model/bottleneck.ts';
import { makeNetwork, makeResNet, networkBlocks, networkWeightShapes } from '../harness/model/network.ts';
import { makeSeSpec, seWeightShapes } from '../harness/model/spec.ts';
import { PYTHON } from '../harness/host/python.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';
import { pythonOnnxMissing } from './helpers.ts';

const golden = new GoldenSet();

/** Runs ONNX bytes on onnxruntime-node's CPU provider; every output, as plain tensors. */
async function runOrt(bytes: Uint8Array, x: Tensor): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x.data, [...x.shape]) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: [...t.dims], data: Float32Array.from(t.data as Float32Array) }]));
  } finally {
    await session.release();
  }
}

/** Compares every expected tensor (and only those) and returns the worst error ratio. */
function assertClose(what: string, got: Record<string, Tensor>, want: Record<string, Tensor>, tol: Tolerance): number {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: output names`);
  let worst = 0;
  for (const [name, w] of Object.entries(want)) {
    const c = compareTensors(got[name]!, w, tol);
    assert.ok(c.ok, `${what} ${name}: shape ${c.actualShape} vs ${c.expectedShape}, ${c.mismatches} mismatches, worst ratio ${c.worstRatio}, `
      + `first ${JSON.stringify(c.firstFail)}`);
    worst = Math.max(worst, c.worstRatio);
  }
  return worst;
}

const SE_CASES = [
  'seed-se_block-64-r16', 'seed-se_block-3-r16-hidden0', 'seed-maxpool-64-r3', 'seed-conv1x1-nobias-128-r16', 'ablation-nosqueeze',
  'ablation-nosqueeze-linear', 'ablation-hidden-tanh', 'ablation-hidden-sigmoid', 'awkward-nonsquare-c48-r4', 'stage5-2048x7x7-b2-r16-divisor8',
];
const BOTTLENECK_CASES = golden.ids().filter((id) => id.startsWith('bottleneck-'));
const NETWORK_CASES = ['net-se-resnet50-64', 'net-se-resnext50_32x4d-64-nobias', 'net-se-resnet50-v1-pre-s345-r8-div8-64'];

for (const id of [...SE_CASES, ...BOTTLENECK_CASES, ...NETWORK_CASES]) {
  test(`ONNX export of ${id} on onnxruntime-node (CPU) matches the golden tensors`, async (t) => {
    const loaded = golden.load(id);
    const bytes = exportOnnx(loaded.case, loaded.weights);
    const sig = onnxSignature(bytes);
    assert.equal(sig.opset, ONNX_OPSET);
    assert.equal(sig.irVersion, ONNX_IR_VERSION);
    assert.deepEqual(sig.outputs.map((o) => o.name), onnxOutputNames(loaded.case));
    const want: Record<string, Tensor> = loaded.case.kind === 'network'
      ? {
        logits: loaded.output,
        ...Object.fromEntries(Object.entries(loaded.stages!).map(([k, v]) => [`stage.${k}`, v])),
        ...Object.fromEntries(Object.entries(loaded.gates!).map(([k, v]) => [`gate.${k}`, v])),
      }
      : { y: loaded.output, ...(loaded.gate ? { gate: loaded.gate } : {}) };
    const worst = assertClose(id, await runOrt(bytes, loaded.input), want, toleranceFor(loaded.case.tolerance, 'fp32'));
    t.diagnostic(`${loaded.case.kind}: worst error ratio ${worst.toFixed(4)} (fp32 tolerance)`);
  });
}

/** An input for `shape` from the PRNG. */
function input(shape: number[], stream: string): Tensor {
  return { shape, data: uniform(sizeOf(shape), { seed: 7, stream, lo: -1, hi: 3 }) };
}

test('hidden width 0 gives the constant gate sigmoid(fc2.bias or 0) for every squeeze, as the reference', async () => {
  const reference = new ReferenceImplementation();
  const x = input([2, 3, 5, 4], 'hidden0');
  for (const squeeze of ['avg', 'max', 'none'] as const) {
    for (const bias2 of [true, false]) {
      const spec = makeSeSpec({ channels: 3, ratio: 16, squeeze, bias2 });
      const weights = drawWeights(seWeightShapes(spec));
      const want = await (await reference.prepareSe(spec, weights)).run(x);
      assertClose(`hidden 0, squeeze ${squeeze}, bias2 ${bias2}`, await runOrt(seOnnx(spec, weights), x),
        { y: want.y, gate: want.gate! }, toleranceFor('se-block', 'fp32'));
    }
  }
});

test('NoSqueeze SE in strided bottlenecks (pre, 3x3, identity; stride on either conv) matches the reference, gate shape included', async () => {
  const reference = new ReferenceImplementation();
  const x = input([2, 64, 9, 7], 'bottleneck');
  for (const [position, strideOn] of [['pre', '3x3'], ['3x3', '1x1'], ['3x3', '3x3'], ['identity', '3x3']] as const) {
    const seChannels = position === 'pre' ? 64 : position === '3x3' ? 32 : 128;
    const spec: BottleneckSpec = {
      inChannels: 64, midChannels: 32, outChannels: 128, stride: 2, groups: 4, strideOn, position,
      se: makeSeSpec({ channels: seChannels, ratio: 4, squeeze: 'none', weightLayout: 'conv1x1', hiddenActivation: 'tanh' }),
    };
    const weights = drawWeights(bottleneckWeightShapes(spec));
    const want = await (await reference.prepareBottleneck(spec, weights)).run(x);
    assertClose(`bottleneck ${position}, stride on ${strideOn}`, await runOrt(bottleneckOnnx(spec, weights), x),
      { y: want.y, gate: want.gate! }, toleranceFor('bottleneck', 'fp32'));
  }
});

test('an exported model owns its bytes: a plain Uint8Array, not a view into protobufjs\'s shared Buffer slab', () => {
  const spec = makeSeSpec({ channels: 32, ratio: 4 });
  const a = seOnnx(spec, drawWeights(seWeightShapes(spec)));
  const b = seOnnx(spec, drawWeights(seWeightShapes(spec)));
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, a.byteLength);
  const before = b.slice();
  a.slice().fill(0xff);
  a.fill(0);
  assert.deepEqual(b, before, 'editing one model changed another');
});

test('the exporters validate spec and weights before building, with the harness\'s messages', () => {
  const spec = makeSeSpec({ channels: 64, ratio: 4 });
  const weights = drawWeights(seWeightShapes(spec));
  delete weights['fc2.bias'];
  assert.throws(() => seOnnx(spec, weights), (e: Error) => e instanceof WeightsError && /SE block weights do not match the spec: missing \(1\): fc2\.bias/.test(e.message));
  assert.throws(() => seOnnx({ ...spec, squeeze: 'median' as 'avg' }, weights), /squeeze must be one of avg \| max \| none, got "median"/);
  const net = makeNetwork('se-resnet50');
  assert.throws(() => networkOnnx(net, drawWeights(networkWeightShapes(makeNetwork('resnet50')))), /missing \(64\): layer1\.0\.se\.fc1\.weight/);
});

test('Debian\'s onnx checker (full_check) accepts an SE block, a strided bottleneck and a whole se-resnet50', { skip: pythonOnnxMissing() }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-onnx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const se = makeSeSpec({ channels: 256, ratio: 16 });
  const seHidden0 = makeSeSpec({ channels: 3, ratio: 16, squeeze: 'none', bias2: false });
  const net = makeResNet('se-resnet50');
  const block = networkBlocks(net).find((b) => b.name === 'layer2.0')!.spec; // stride 2, projection
  const models: Record<string, Uint8Array> = {
    'se.onnx': seOnnx(se, drawWeights(seWeightShapes(se))),
    'se-hidden0-nosqueeze.onnx': seOnnx(seHidden0, drawWeights(seWeightShapes(seHidden0))),
    'bottleneck.onnx': bottleneckOnnx(block, drawWeights(bottleneckWeightShapes(block))),
    'se-resnet50.onnx': networkOnnx(net, drawWeights(networkWeightShapes(net))),
  };
  for (const [name, bytes] of Object.entries(models)) writeFileSync(join(dir, name), bytes);
  const script = 'import onnx, sys\n'
    + 'for path in sys.argv[1:]:\n'
    + '    m = onnx.load(path)\n'
    + '    onnx.checker.check_model(m, full_check=True)\n'
    + '    print(path.rsplit("/", 1)[-1], m.ir_version, [o.version for o in m.opset_import if o.domain == ""][0], len(m.graph.output))\n';
  const r = spawnSync(PYTHON, ['-c', script, ...Object.keys(models).map((n) => join(dir, n))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    `se.onnx ${ONNX_IR_VERSION} ${ONNX_OPSET} 2`,
    `se-hidden0-nosqueeze.onnx ${ONNX_IR_VERSION} ${ONNX_OPSET} 2`,
    `bottleneck.onnx ${ONNX_IR_VERSION} ${ONNX_OPSET} 2`,
    `se-resnet50.onnx ${ONNX_IR_VERSION} ${ONNX_OPSET} ${1 + 4 + 16}`,
  ]);
});

/** Runs the command with stdout captured. */
async function exportCapturing(values: ExportValues): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await exportCommand(values), stdout };
  } finally {
    process.stdout.write = write;
  }
}

test('export refuses bad input with a UsageError one-liner, --out first, and writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-export-'));
  t.after(() => {
    if (existsSync(join(dir, 'ro'))) chmodSync(join(dir, 'ro'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  const out = join(dir, 'model.onnx');
  const refuses = async (values: ExportValues, message: RegExp): Promise<void> => {
    await assert.rejects(exportCommand(values), (e: Error) => {
      assert.ok(e instanceof UsageError, `${JSON.stringify(values)}: ${e.stack}`);
      assert.match(e.message, message);
      assert.ok(!e.message.includes('\n'), e.message);
      return true;
    });
  };
  // --out is checked before anything else is even parsed (an unknown case would otherwise be the error).
  await refuses({ case: 'nope' }, /^--out=FILE is required/);
  await refuses({ se: '64', out: join(dir, 'missing', 'a.onnx') }, /^--out: folder .*missing does not exist$/);
  await refuses({ se: '64', out: dir }, /^--out: .* is a folder; give a file name such as .*model\.onnx$/);
  // Permission bits do not stop root, so root gets a place no one can create files in.
  const root = process.getuid?.() === 0;
  const readOnly = root ? '/proc/se-bench-export-test.onnx' : join(dir, 'ro', 'a.onnx');
  if (!root) {
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o555);
  }
  await refuses({ se: '64', out: readOnly }, /^--out: cannot write .*(se-bench-export-test|a)\.onnx \(E[A-Z]+\)$/);
  await refuses({ format: 'tflite', se: '64', out }, /^--format must be one of: onnx; got "tflite"$/);
  await refuses({ out }, /^say what to export: --model=NAME .*--se=C .*--case=ID/);
  await refuses({ model: 'se-resnet50', se: '64', out }, /^--model and --se are exclusive/);
  await refuses({ case: 'nope', out }, /^unknown golden case "nope"; valid ids: seed-se_block-64-r16, /);
  await refuses({ case: 'bottleneck-pre', ratio: '4', out }, /^--ratio does not apply to --case: the golden case fixes the spec and weights$/);
  await refuses({ se: '64', position: 'pre', stages: '2', out }, /^--stages, --position do not apply to --se/);
  await refuses({ se: '64', rule: 'nearest', out }, /^--rule must be one of floor \| divisor8, got "nearest"$/);
  await refuses({ se: '0', out }, /^--se must be a positive integer, got "0"$/);
  await refuses({ model: 'resnet50', ratio: '8', out }, /^model resnet50 has no SE blocks, so ratio would do nothing/);
  await refuses({ model: 'se-resnet50', weights: join(dir, 'none.safetensors'), out }, /^--weights: file .*none\.safetensors does not exist$/);
  // A state dict of another model: infer's message, naming the model it fits.
  const resnext = golden.load('net-se-resnext50_32x4d-64-nobias');
  writeSafetensors(join(dir, 'resnext.safetensors'), resnext.weights);
  await refuses({ model: 'se-resnet50', weights: join(dir, 'resnext.safetensors'), out },
    /mis-shaped \(176\): .*layer1\.0\.conv2\.weight is \[128, 4, 3, 3\], expected \[64, 64, 3, 3\].*The file matches --model=se-resnext50_32x4d --bias=off\.$/);
  assert.ok(!existsSync(out), 'nothing is written, not even the writability probe');
});

test('export writes a user state dict, a golden case and a PRNG SE block; ONNX Runtime reproduces the golden logits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const loaded = golden.load('net-se-resnext50_32x4d-64-nobias');
  writeSafetensors(join(dir, 'weights.safetensors'), loaded.weights);
  const out = join(dir, 'net.onnx');
  writeFileSync(out, 'an older file: an explicitly named --out is overwritten');
  const r = await exportCapturing({ model: 'se-resnext50_32x4d', bias: 'off', weights: join(dir, 'weights.safetensors'), out, resolution: '64' });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^wrote .*net\.onnx: 110\.\d MB ONNX \(opset 17, IR 8\), se-resnext50_32x4d with weights from .*weights\.safetensors; input x \[N, 3, H, W\]; outputs logits \[N, 1000\], stage\.layer1 \[N, 256, \?, \?\], .*stage\.layer4 \[N, 2048, \?, \?\], 16 SE gates gate\.layer1\.0 \.\. gate\.layer4\.2\n$/);
  const got = await runOrt(readFileSync(out), loaded.input);
  const c = compareTensors(got.logits!, loaded.output, toleranceFor('network', 'fp32'));
  assert.ok(c.ok, `logits: worst ratio ${c.worstRatio}`);

  const bottleneck = await exportCapturing({ case: 'bottleneck-v1-stride1x1-identity', out: join(dir, 'b.onnx') });
  assert.match(bottleneck.stdout, /golden case bottleneck-v1-stride1x1-identity \(bottleneck\) with its golden weights; input x \[N, 128, H, W\]; outputs y \[N, 256, \?, \?\], gate \[N, 256\]\n$/);
  const se = await exportCapturing({ se: '3', squeeze: 'none', out: join(dir, 'se.onnx') });
  assert.match(se.stdout, /SE block C=3 r=16 with PRNG weights .*; input x \[N, 3, H, W\]; outputs y \[N, 3, H, W\], gate \[N, 3, H, W\]\n$/);
});
