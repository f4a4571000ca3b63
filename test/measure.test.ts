import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TorchAnchors } from '../harness/measure/anchors.ts';
import { measure, sampleStats } from '../harness/measure/stats.ts';
import { measureTypedArrayCopy, measureWasmCopy } from '../harness/measure/roofline.ts';
import { pythonMissing } from './helpers.ts';

test('sampleStats: median, MAD, percentiles, outliers and the noise warning', () => {
  const s = sampleStats([5, 1, 2, 3, 4, 100]);
  assert.equal(s.medianMs, 3.5);
  assert.equal(s.madMs, 1.5);
  assert.equal(s.p90Ms, 100);
  assert.equal(s.outliers, 1);
  assert.equal(s.sampleCount, 6);
  assert.match(s.noiseWarning!, /MAD 42\.9% of the median/);
  assert.equal(sampleStats([2, 2, 2, 2]).noiseWarning, undefined);
  assert.throws(() => sampleStats([]), /no samples/);
});

test('measure times synchronous and asynchronous functions and reports the cold call', async () => {
  let calls = 0;
  const m = await measure(() => { calls++; }, { minTimeMs: 5, minSamples: 5, warmupMs: 1 });
  assert.ok(m.sampleCount >= 5 && calls > m.sampleCount);
  assert.ok(m.coldMs >= 0 && m.medianMs >= 0);
  const a = await measure(() => new Promise((r) => setTimeout(r, 2)), { minTimeMs: 10, minSamples: 3, warmupMs: 1 });
  assert.ok(a.medianMs >= 1.5, `a 2 ms timer measured ${a.medianMs} ms`);
});

test('roofline copies report bytes and bandwidth', async () => {
  for (const m of [await measureTypedArrayCopy(1 << 20, 20), await measureWasmCopy(1 << 20, 20)]) {
    assert.equal(m.bytes, 1 << 20);
    assert.ok(m.gbPerS > 0.1, `${m.method}: ${m.gbPerS} GB/s`);
  }
});

test('PyTorch anchors come back with the same statistics, or a reason', { skip: pythonMissing('torch') }, async () => {
  const started = await TorchAnchors.start({ threads: 1, minTimeMs: 20, device: 'all' });
  assert.ok('anchors' in started, started.info.available ? '' : started.info.reason);
  const { anchors, info } = started;
  try {
    assert.equal(info.threads, 1);
    for (const ratio of [16, 4]) {
      const rows = await anchors.time([2, 64, 8, 8], ratio);
      const eager = rows.find((x) => x.device === 'cpu' && x.variant === 'eager');
      assert.ok(eager?.available && eager.ratio === ratio && eager.stats.sampleCount >= 10, JSON.stringify(eager));
      const compile = rows.find((x) => x.device === 'cpu' && x.variant === 'compile');
      assert.ok(compile, 'a torch.compile row, measured or unavailable');
      if (!compile.available) assert.match(compile.reason, /torch\.compile/);
      if (!info.cuda) assert.ok(/cuda/.test(info.noCuda ?? '') && rows.every((x) => x.device === 'cpu'), `${info.noCuda} ${JSON.stringify(rows)}`);
    }
    const bad = await anchors.time([2, 64, 8, 8], 100);
    assert.ok(!bad[0]!.available && /"ratio" must be an integer from 1 to C = 64/.test(bad[0]!.reason), JSON.stringify(bad));
    anchors.kill();
    const dead = await anchors.time([2, 64, 8, 8], 16);
    assert.ok(!dead[0]!.available && /killed \(SIGKILL\)/.test(dead[0]!.reason), JSON.stringify(dead));
  } finally {
    anchors.close();
  }
});

test('measure: an async run is awaited before the next one starts (no overlapping calls, which non-re-entrant runtimes such as onnxruntime-web break on)', async () => {
  let inFlight = 0;
  let most = 0;
  const m = await measure(() => {
    inFlight++;
    most = Math.max(most, inFlight);
    return new Promise<void>((resolve) => setTimeout(() => { inFlight--; resolve(); }, 3));
  }, { minTimeMs: 30, minSamples: 5, warmupMs: 5 });
  assert.equal(most, 1);
  assert.ok(m.medianMs >= 2.5, `each sample waits for its run (median ${m.medianMs} ms)`);
});
