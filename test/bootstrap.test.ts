import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdsOne, medianInterval, ratioInterval } from '../harness/measure/bootstrap.ts';

/** n samples around m with a deterministic +-5% spread. */
const around = (m: number, n: number) => Array.from({ length: n }, (_, i) => m * (1 + 0.05 * Math.sin(i * 12.9898)));

test('the median interval holds the sample median, narrows with more samples, and is the same every time', () => {
  const small = medianInterval(around(10, 15))!;
  const large = medianInterval(around(10, 400))!;
  for (const i of [small, large]) assert.ok(i.low <= 10.05 && i.high >= 9.95, JSON.stringify(i));
  assert.ok(large.high - large.low < (small.high - small.low) / 2, `${JSON.stringify(small)} vs ${JSON.stringify(large)}`);
  assert.deepEqual(medianInterval(around(10, 15)), small);
  assert.equal(medianInterval([3]), undefined);
});

test('a ratio of medians: a 10% difference is measurable, a 0.5% one within 5% noise is not', () => {
  const clear = ratioInterval(around(11, 30), around(10, 30))!;
  assert.ok(clear.low > 1.05 && clear.high < 1.15 && !holdsOne(clear), JSON.stringify(clear));
  const none = ratioInterval(around(10.05, 30), around(10, 30))!;
  assert.ok(holdsOne(none), JSON.stringify(none));
  assert.equal(ratioInterval([1], around(1, 10)), undefined);
});
