import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCase } from '../harness/check/conformance.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { makeNetwork, networkWeightShapes } from '../harness/model/network.ts';
import { getAsF32, parseSafetensors, serializeSafetensors } from '../harness/data/safetensors.ts';
import type { Tensor } from '../harness/data/tensor.ts';
import { weightsFromStateDict } from '../harness/data/weights-import.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';

const golden = new GoldenSet();

test('the reference passes a whole-network golden case, stage by stage and gate by gate', async () => {
  const cell = await checkCase(new ReferenceImplementation(), golden.load('net-se-resnet50-64'));
  assert.equal(cell.status, 'pass', cell.message);
  assert.deepEqual(Object.keys(cell.parts!).slice(0, 4), ['layer1', 'layer2', 'layer3', 'layer4']);
  assert.equal(Object.keys(cell.parts!).filter((k) => k.startsWith('gate ')).length, 16);
  assert.ok(cell.output!.worstRatio < 0.5, `logits use ${cell.output!.worstRatio} of the tolerance`);
});

test('one changed parameter in layer3 fails the gate and names layer3 as the first failing stage', async () => {
  const loaded = golden.load('net-resnet50-64');
  // One BatchNorm shift of one channel, by 0.01: it reaches the residual sum directly (a single conv weight
  // can be masked when its input channel is all zeros after ReLU at this small resolution).
  const name = 'layer3.2.bn3.bias';
  const w = loaded.weights[name]!;
  const data = Float32Array.from(w.data);
  data[7] = data[7]! + 0.01;
  const perturbed = { ...loaded, weights: { ...loaded.weights, [name]: { shape: w.shape, data } } };
  const cell = await checkCase(new ReferenceImplementation(), perturbed);
  assert.equal(cell.status, 'fail');
  assert.equal(cell.parts!.layer1!.ok, true);
  assert.equal(cell.parts!.layer2!.ok, true);
  assert.equal(cell.parts!.layer3!.ok, false);
  assert.match(cell.message!, /^failing: layer3, layer4, logits/);
});

function fakeStateDict(net: ReturnType<typeof makeNetwork>, edit: (name: string, shape: number[]) => number[] | undefined): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(networkWeightShapes(net))) {
    const s = edit(name, shape);
    if (s) tensors[name] = { shape: s, data: new Float32Array(s.reduce((a, b) => a * b, 1)) };
  }
  return serializeSafetensors(tensors);
}

test('weights import: Linear or 1x1-conv SE weights, module. prefix; the wrong model is named', () => {
  const net = makeNetwork('se-resnet50');
  const linearSe = fakeStateDict(makeNetwork('se-resnet50', { weightLayout: 'linear' }), (_n, s) => s);
  const w = weightsFromStateDict(net, parseSafetensors(linearSe), 'linear.safetensors');
  assert.deepEqual(w['layer1.0.se.fc1.weight']!.shape, [16, 256, 1, 1]);
  const bytes = fakeStateDict(makeNetwork('resnet50'), (_n, s) => s);
  assert.throws(() => weightsFromStateDict(net, parseSafetensors(bytes), 'r50.safetensors'),
    /r50\.safetensors for se-resnet50 weights do not match the spec: missing \(64\): layer1\.0\.se\.fc1\.weight, .*\.\.\. and 44 more\. The file matches --model=resnet50 or --model=resnet50-v1\./);
  const bad = fakeStateDict(makeNetwork('resnet50'), (n, s) => (n === 'fc.bias' ? undefined : n === 'fc.weight' ? [10, 2048] : s));
  assert.throws(() => weightsFromStateDict(makeNetwork('resnet50'), parseSafetensors(bad), 'ten-classes.safetensors'),
    /missing \(1\): fc\.bias \| mis-shaped \(1\): fc\.weight is \[10, 2048\], expected \[1000, 2048\]/);
});

test('getAsF32 converts F16, BF16 and F64 exactly', () => {
  const entries: [string, string, number[]][] = [['h', 'F16', [0x3c00, 0xc000, 0x0001, 0x7c00]], ['b', 'BF16', [0x3f80, 0xc040]], ['d', 'F64', []]];
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, dtype, halves] of entries) {
    const bytes = dtype === 'F64' ? new Uint8Array(new Float64Array([0.1, -2.5]).buffer) : new Uint8Array(new Uint16Array(halves).buffer);
    header[name] = { dtype, shape: [bytes.length / (dtype === 'F64' ? 8 : 2)], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const buf = new Uint8Array(8 + json.length + offset);
  new DataView(buf.buffer).setBigUint64(0, BigInt(json.length), true);
  buf.set(json, 8);
  let at = 8 + json.length;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  const file = parseSafetensors(buf, 'mixed');
  assert.deepEqual([...getAsF32(file, 'h').data], [1, -2, 2 ** -24, Infinity]);
  assert.deepEqual([...getAsF32(file, 'b').data], [1, -3]);
  assert.deepEqual([...getAsF32(file, 'd').data], [Math.fround(0.1), -2.5]);
});
