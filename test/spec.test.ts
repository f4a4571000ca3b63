import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hiddenWidth, makeDivisible, makeSeSpec, seParams, seWeightShapes } from '../harness/model/spec.ts';

test('seed parameter counts', () => {
  assert.equal(seParams(makeSeSpec({ channels: 64, ratio: 16, bias1: false })), 576); // seeds 000/004
  assert.equal(seParams(makeSeSpec({ channels: 64, ratio: 3, squeeze: 'max' })), 2773); // seed 001
  assert.equal(seParams(makeSeSpec({ channels: 512, ratio: 16, bias1: false, bias2: false })), 32768); // seed 003
  assert.equal(seParams(makeSeSpec({ channels: 3, ratio: 16, bias1: false })), 3); // seed 000, hidden width 0: only fc2.bias
});

test('hidden width rules: floor and timm make_divisible', () => {
  assert.equal(hiddenWidth(makeSeSpec({ channels: 3, ratio: 16 })), 0);
  assert.equal(hiddenWidth(makeSeSpec({ channels: 100, ratio: 16 })), 6);
  assert.equal(hiddenWidth(makeSeSpec({ channels: 100, ratio: 16, reduction: 'divisor8' })), 8);
  assert.equal(hiddenWidth(makeSeSpec({ channels: 2048, ratio: 16, reduction: 'divisor8' })), 128);
  assert.equal(makeDivisible(0.5), 8);
  assert.equal(makeDivisible(12), 16); // int(12 + 4) // 8 * 8 = 16
  assert.equal(makeDivisible(19), 24); // 16 < 0.9 * 19 = 17.1 -> bumped by 8
});

test('1x1-conv layout stores [out, in, 1, 1], Linear stores [out, in]', () => {
  assert.deepEqual(seWeightShapes(makeSeSpec({ channels: 64, ratio: 16, weightLayout: 'conv1x1', bias1: false, bias2: false })),
    { 'fc1.weight': [4, 64, 1, 1], 'fc2.weight': [64, 4, 1, 1] });
  assert.deepEqual(Object.keys(seWeightShapes(makeSeSpec({ channels: 64, ratio: 16 }))).sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
});

test('invalid specs get specific messages', () => {
  assert.throws(() => makeSeSpec({ channels: 0, ratio: 16 }), /channels must be an integer > 0, got 0/);
  assert.throws(() => makeSeSpec({ channels: -4, ratio: 16 }), /channels must be an integer > 0, got -4/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: 0 }), /ratio \(r\) must be an integer > 0, got 0/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: 2.5 }), /ratio \(r\) must be an integer > 0, got 2.5/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: '16' }), /got "16"/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: 16, squeeze: 'mean' as never }), /squeeze must be one of avg \| max \| none, got "mean"/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: 16, gate: 'tanh' as never }), /gate must be one of sigmoid/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: 16, bias1: 'yes' as never }), /bias1 must be true or false/);
  assert.throws(() => makeSeSpec({ channels: 64, ratio: 16, reducton: 'floor' } as never), /unknown option "reducton"/);
});
