import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PYTHON } from '../harness/host/python.ts';
import { bitsAt, fillUniform, fnv1a32, mix32, streamKeys, uniform } from '../harness/data/prng.ts';
import { pythonMissing } from './helpers.ts';

test('known vectors (same numbers as scripts/test_prng.py)', () => {
  assert.deepEqual([fnv1a32(''), fnv1a32('input'), fnv1a32('fc1.weight')], [2166136261, 4191711099, 1364330157]);
  assert.deepEqual([mix32(0), mix32(1), mix32(0xffffffff)], [0, 2261973619, 2578835075]);
  assert.deepEqual([0, 1, 2, 3].map((i) => bitsAt(0, 'input', i)), [2397201851, 1101334796, 3397964113, 2999151813]);
  assert.deepEqual([4294967294, 4294967295].map((i) => bitsAt(4294967295, 'é✓', i)), [900059891, 1091177349]);
  assert.deepEqual(Array.from(uniform(4, { seed: 1, stream: 'input', lo: -1, hi: 3 })),
    [1.2601041793823242, 2.2890121936798096, 1.2636809349060059, 2.741652250289917]);
});

test('the inlined fast path equals bitsAt, and chunked fills equal one fill', () => {
  const draw = { seed: 99, stream: 'w', lo: 0, hi: 1 };
  const whole = uniform(1000, draw);
  for (const i of [0, 1, 500, 999]) assert.equal(whole[i], Math.fround((bitsAt(99, 'w', i) >>> 8) / 16777216));
  const a = fillUniform(new Float32Array(400), draw, 0);
  const b = fillUniform(new Float32Array(600), draw, 400);
  assert.deepEqual([...a, ...b], [...whole]);
});

test('values stay in [lo, hi) and streams differ', () => {
  const v = uniform(100000, { seed: 3, stream: 'x', lo: -2, hi: 2 });
  assert.ok(v.every((x) => x >= -2 && x < 2));
  const w = uniform(100000, { seed: 3, stream: 'y', lo: -2, hi: 2 });
  assert.notDeepEqual(v.subarray(0, 8), w.subarray(0, 8));
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean} of a uniform(-2, 2) sample is far from 0`);
});

test('bad seeds and bounds are rejected with the value', () => {
  assert.throws(() => streamKeys(-1, 'x'), /seed must be an integer in \[0, 2\^32\), got -1/);
  assert.throws(() => streamKeys(1.5, 'x'), /got 1.5/);
  assert.throws(() => uniform(3, { seed: 0, stream: 'x', lo: 1, hi: 0 }), /hi >= lo/);
});

test('Python known vectors pass and Python equals TypeScript bit for bit', (t) => {
  const missing = pythonMissing('numpy');
  if (missing) return t.skip(missing);
  const unit = spawnSync(PYTHON, ['scripts/test_prng.py'], { encoding: 'utf8' });
  assert.equal(unit.status, 0, unit.stderr);
  const code = 'import sys; sys.path.insert(0, "scripts"); import sebench_prng as p; '
    + 'print(p.uniform(5000, 12345, "conv2.weight", -0.25, 0.75).tobytes().hex())';
  const py = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(py.status, 0, py.stderr);
  const ts = uniform(5000, { seed: 12345, stream: 'conv2.weight', lo: -0.25, hi: 0.75 });
  assert.equal(Buffer.from(ts.buffer).toString('hex'), py.stdout.trim());
});
