import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareTensors, describeComparison, ulpDistance, unravel } from '../harness/check/compare.ts';
import { tensor } from '../harness/data/tensor.ts';

const tol = { atol: 1e-3, rtol: 1e-2 };
const t = (values: number[], shape = [values.length]) => tensor(shape, Float32Array.from(values));

test('element rule |y - ref| <= atol + rtol * |ref|', () => {
  assert.equal(compareTensors(t([100.9]), t([100]), { atol: 0.0001, rtol: 0.01 }).ok, true);
  assert.equal(compareTensors(t([101.2]), t([100]), { atol: 0.0001, rtol: 0.01 }).ok, false);
  const r = compareTensors(t([1, 2, 3]), t([1, 2, 3]), tol);
  assert.equal(r.ok, true);
  assert.equal(r.maxUlp, 0);
  assert.equal(r.relL2, 0);
});

test('shape is checked first', () => {
  const r = compareTensors(t([1, 2, 3, 4], [2, 2]), t([1, 2, 3, 4], [4]), tol);
  assert.equal(r.ok, false);
  assert.equal(r.shapeOk, false);
  assert.match(describeComparison(r), /shape \[2, 2\], expected \[4\]/);
});

test('NaN never equals a number; NaN equals NaN; infinities must match exactly', () => {
  assert.equal(compareTensors(t([NaN]), t([NaN]), tol).ok, true);
  const nan = compareTensors(t([0, NaN, 0]), t([0, 1, 0]), tol);
  assert.equal(nan.ok, false);
  assert.equal(nan.unexpectedNaN, 1);
  assert.equal(nan.firstFail!.actual, 'NaN');
  assert.match(describeComparison(nan), /1 NaN where a number was expected; first at \[1\]: got NaN, expected 1/);
  assert.equal(compareTensors(t([1]), t([NaN]), tol).ok, false);
  assert.equal(compareTensors(t([Infinity]), t([Infinity]), tol).ok, true);
  assert.equal(compareTensors(t([-Infinity]), t([Infinity]), tol).infMismatches, 1);
  assert.equal(compareTensors(t([3e38]), t([Infinity]), { atol: 1e40, rtol: 1 }).ok, false);
});

test('first and last failing index, with neighbours, in tensor coordinates', () => {
  const exp = Array.from({ length: 24 }, (_, i) => i);
  const act = [...exp];
  act[7] = 70;
  act[20] = -1;
  const r = compareTensors(t(act, [2, 3, 4]), t(exp, [2, 3, 4]), tol);
  assert.equal(r.mismatches, 2);
  assert.deepEqual(r.firstFail!.index, [0, 1, 3]);
  assert.deepEqual(r.lastFailIndex, [1, 2, 0]);
  assert.deepEqual(r.firstFail!.neighbours.map((n) => n.index), [[0, 1, 1], [0, 1, 2], [0, 2, 0], [0, 2, 1]]);
  assert.ok(r.worstRatio > 1);
});

test('ULP distance and unravel', () => {
  assert.equal(ulpDistance(1, 1), 0);
  assert.equal(ulpDistance(1, Math.fround(1 + 2 ** -23)), 1);
  assert.equal(ulpDistance(-0, 0), 0);
  assert.equal(ulpDistance(Math.fround(-1e-45), Math.fround(1e-45)), 2);
  assert.deepEqual(unravel(23, [2, 3, 4]), [1, 2, 3]);
});
