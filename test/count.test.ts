import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countNetwork, overhead } from '../harness/model/count.ts';
import { GoldenSet } from '../harness/data/golden.ts';
import { makeNetwork, makeResNet, networkBlocks } from '../harness/model/network.ts';
import { paperRows } from '../harness/model/paper.ts';
import { SpecError } from '../harness/model/spec.ts';

// torchvision 0.14 counts (design.md's reference table): conv + FC multiply-adds at 224x224, batch 1.
const TORCHVISION: [string, Record<string, unknown>, number, number][] = [
  ['resnet50', {}, 25_557_032, 4_089_184_256],
  ['resnet50-v1', {}, 25_557_032, 3_857_973_248],
  ['resnext50_32x4d', {}, 25_028_904, 4_230_479_872],
  ['se-resnet50', {}, 28_088_024, 4_091_699_200],
  ['se-resnext50_32x4d', { bias: false }, 27_543_848, 4_232_994_816],
];

test('params and MACs equal torchvision exactly', () => {
  for (const [model, se, params, macs] of TORCHVISION) {
    const c = countNetwork(makeNetwork(model, se), 224);
    assert.equal(c.params, params, `${model} params`);
    assert.equal(c.macs, macs, `${model} MACs`);
  }
});

test('counts equal PyTorch forward-hook counts for every golden network, at its resolution and at 224', () => {
  const golden = new GoldenSet();
  let n = 0;
  for (const c of golden.manifest.cases) {
    if (c.kind !== 'network') continue;
    const res = c.tensors.input.shape[2]!;
    const at = countNetwork(c.spec, res);
    assert.equal(at.params, c.params, `${c.id} params`);
    assert.equal(at.macs, c.macs, `${c.id} MACs at ${res}`);
    const at224 = countNetwork(c.spec, 224);
    assert.deepEqual({ params: at224.params, macs: at224.macs }, c.cost224, `${c.id} at 224`);
    n++;
  }
  assert.ok(n >= 5, `expected the golden network cases, found ${n}`);
});

test('SE elementwise ops are counted per element and FLOPs = MACs + SE ops', () => {
  const c = countNetwork(makeNetwork('se-resnet50'), 224);
  // sum over blocks of C*H*W: 3*256*56^2 + 4*512*28^2 + 6*1024*14^2 + 3*2048*7^2
  const chw = 3 * 256 * 56 * 56 + 4 * 512 * 28 * 28 + 6 * 1024 * 14 * 14 + 3 * 2048 * 7 * 7;
  assert.equal(c.seOps.squeeze, chw);
  assert.equal(c.seOps.scale, chw);
  assert.equal(c.seOps.gate, 3 * 256 + 4 * 512 + 6 * 1024 + 3 * 2048);
  assert.equal(c.seOps.activation, (3 * 256 + 4 * 512 + 6 * 1024 + 3 * 2048) / 16);
  assert.equal(c.flops, c.macs + c.seOpsTotal);
  assert.equal(c.seMacs, 2_514_944);
  const o = overhead(c, countNetwork(makeNetwork('resnet50'), 224));
  assert.equal(o.params.abs, 2_530_992);
  assert.equal(o.macs.abs, 2_514_944);
  // NoSqueeze: the excitation runs at every position, the paper's 4.27 GFLOPs (v1).
  assert.equal(countNetwork(makeNetwork('se-resnet50-v1', { squeeze: 'none' }), 224).macs, 4_269_015_040);
});

test('the paper: SE-ResNet-50 3.87 GFLOPs needs SE elementwise ops; every params figure is the exact count rounded up', () => {
  const rows = paperRows();
  const get = (name: string) => rows.find((r) => r.row === name)!;
  assert.equal(get('ResNet-50').agrees, true);
  assert.equal(get('SE-ResNet-50').agrees, true);
  assert.match(get('SE-ResNet-50').note, /only when SE elementwise ops are counted/);
  assert.match(get('NoSqueeze GFLOPs').note, /matches MACs only/);
  assert.equal(get('r = 4').agrees, false);
  assert.equal(get('r = 4').agreesRoundedUp, true);
  assert.equal(get('SE_3x3 params').agreesRoundedUp, true);
  for (const r of rows.filter((x) => x.unit === 'M params')) assert.ok(r.agrees || r.agreesRoundedUp, `${r.row}: ${r.ours} vs ${r.paper}`);
  assert.equal(get('SE-ResNet-50 relative GFLOPs increase').agrees, false);
  assert.ok(rows.length >= 20);
});

test('network descriptions: stages, positions, v1 stride and bad input', () => {
  const v1 = networkBlocks(makeResNet('se-resnet50-v1', { stages: [4], position: '3x3' }));
  assert.equal(v1.length, 16);
  assert.deepEqual(v1.filter((b) => b.spec.se).map((b) => b.name), ['layer3.0', 'layer3.1', 'layer3.2', 'layer3.3', 'layer3.4', 'layer3.5']);
  assert.equal(v1[3]!.spec.strideOn, '1x1');
  assert.equal(v1[3]!.spec.stride, 2);
  assert.equal(v1[7]!.spec.se?.channels, 256, 'SE_3x3 sees the bottleneck width');
  assert.equal(networkBlocks(makeResNet('se-resnext50_32x4d'))[0]!.spec.midChannels, 128);
  assert.throws(() => makeNetwork('vgg16'), /unknown model "vgg16"; valid models: resnet50, resnet50-v1, /);
  assert.throws(() => makeNetwork('se-resnet50', { stages: [1] }), /unknown stage 1; valid stages .*2, 3, 4, 5/);
  assert.throws(() => makeNetwork('se-resnet50', { stages: [] }), /stages list is empty/);
  assert.throws(() => makeNetwork('se-resnet50', { position: 'none' as 'pre' }), /valid positions: standard, pre, post, identity, 3x3/);
  assert.throws(() => makeNetwork('resnet50', { ratio: 8 }), SpecError);
  const zero = countNetwork(makeNetwork('se-resnet50', { ratio: 300 }), 224);
  assert.match(zero.warnings[0]!, /hidden width is 0 in 3 block\(s\) \(layer1\.0, layer1\.1, layer1\.2\)/);
  assert.throws(() => countNetwork(makeNetwork('resnet50'), 0), /resolution must be an integer >= 1/);
});
