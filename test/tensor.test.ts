import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromLayout, nchwToNhwc, nhwcToNchw, nonFinite, tensor, toLayout } from '../harness/data/tensor.ts';

test('NCHW <-> NHWC moves element (n, c, h, w) to (n, h, w, c) and back', () => {
  const [n, c, h, w] = [2, 3, 4, 5];
  const t = tensor([n, c, h, w], Float32Array.from({ length: n * c * h * w }, (_, i) => i));
  const x = nchwToNhwc(t);
  assert.deepEqual(x.shape, [n, h, w, c]);
  // element (1, 2, 3, 4)
  assert.equal(x.data[((1 * h + 3) * w + 4) * c + 2], t.data[((1 * c + 2) * h + 3) * w + 4]);
  assert.deepEqual(nhwcToNchw(x), t);
  assert.equal(toLayout(t, 'NCHW'), t);
  assert.deepEqual(fromLayout(toLayout(t, 'NHWC'), 'NHWC'), t);
});

test('shape checks say what is wrong', () => {
  assert.throws(() => tensor([2, 3], new Float32Array(5)), /shape \[2, 3\] needs 6 elements, data has 5/);
  assert.throws(() => tensor([2, -1]), /invalid dimension -1/);
  assert.throws(() => nchwToNhwc(tensor([2, 3])), /expected a rank-4 tensor, got shape \[2, 3\]/);
});

test('nonFinite counts NaN and infinities and gives the first one\'s coordinates', () => {
  const t = tensor([2, 3, 4]);
  assert.equal(nonFinite(t), undefined);
  t.data[13] = Number.POSITIVE_INFINITY;
  t.data[20] = Number.NaN;
  assert.deepEqual(nonFinite(t), { count: 2, first: [1, 0, 1] });
});
