import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ceilings } from '../harness/bench/ceilings.ts';
import type { BenchPlan } from '../harness/bench/options.ts';
import { RESULTS_SCHEMA, type BenchResults, type BenchRow } from '../harness/bench/results.ts';
import { floorFields, timeSeBlock, type BlockWorkload } from '../harness/bench/time-blocks.ts';
import { seBlockInputs } from '../harness/bench/workloads.ts';
import { guard } from '../harness/contract/guard.ts';
import { measureRead, measureThreadedCopy } from '../harness/measure/roofline-threads.ts';
import { makeSeSpec } from '../harness/model/spec.ts';
import { ReferenceImplementation } from '../impls/reference/index.ts';
import { WasmSimdImplementation } from '../impls/wasm-simd/index.ts';

test('threaded copy and read: the split covers every byte, with 1 and 2 threads', async () => {
  for (const threads of [1, 2]) {
    const c = await measureThreadedCopy(1_000_064, threads, 20);
    assert.equal(c.threads, threads);
    assert.equal(c.method, 'wasm-memory.copy');
    assert.ok(c.gbPerS > 0 && c.stats.sampleCount >= 10);
    const r = await measureRead(1_000_000, threads, 20);
    assert.equal(r.bytes, 1_000_000);
    assert.ok(r.gbPerS > 0);
  }
});

/** Ceilings that answer fixed times and record what they were asked, so the test sees which roofline a row used. */
class FakeCeilings extends Ceilings {
  readonly asked: string[] = [];
  override async cpuCopyMs(bytes: number, threads = 1): Promise<number> {
    this.asked.push(`copy ${bytes} ${threads}`);
    return threads === 2 ? 0.5 : 1;
  }
  override async cpuReadMs(bytes: number, threads = 1): Promise<number> {
    this.asked.push(`read ${bytes} ${threads}`);
    return 0.01 * threads;
  }
  override knownMacPeak(): number {
    return 10;
  }
}

const results = (): BenchResults => ({ schema: RESULTS_SCHEMA, createdAt: '', plan: {}, environment: { packages: {} } as BenchResults['environment'], implementations: [], validation: {}, conformance: [], roofline: [], rows: [] });

test('a threaded row is set against the copy and floor of its own thread count; a one-thread row against one thread', async () => {
  const w: BlockWorkload = { kind: 'se-block', id: 'se/t', family: 'resnet50', shape: [8, 64, 56, 56], ratio: 16 };
  const inputs = seBlockInputs(w);
  const y = (await (await new ReferenceImplementation().prepareSe(inputs.spec, inputs.weights)).run(inputs.input)).y;
  const plan = { minTimeMs: 20, minSamples: 3 } as BenchPlan;
  for (const [impl, threads] of [[new WasmSimdImplementation({ threads: 2 }), 2], [new WasmSimdImplementation(), 1]] as const) {
    const ceilings = new FakeCeilings(results(), 5);
    const row = { workload: w.id, kind: 'se-block', impl: impl.name, device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [...w.shape], status: 'ok' } as BenchRow;
    await timeSeBlock(guard(impl, { callTimeoutMs: 60_000 }), w, { y, inputs }, plan, ceilings, 60_000, row);
    assert.equal(row.status, 'ok', row.message);
    assert.equal(row.threads, threads, `${impl.name} records its threads`);
    const bytes = 2 * 4 * 8 * 64 * 56 * 56;
    const image = 4 * 64 * 56 * 56;
    assert.deepEqual(ceilings.asked, [`copy ${bytes} ${threads}`, `read ${image * threads} ${threads}`]);
    const copyMs = threads === 2 ? 0.5 : 1;
    const median = row.measurement!.medianMs;
    assert.ok(Math.abs(row.rooflinePct! - (100 * copyMs) / median) < 1e-9);
    // Memory floor: the copy plus 8 / threads re-reads of `threads` images at the read time.
    assert.ok(Math.abs(row.memoryFloorMs! - (copyMs + (0.01 * threads * 8) / threads)) < 1e-12);
    assert.ok(Math.abs(row.computeFloorMs! - (8 * 2 * 64 * 4) / (10 * threads * 1e6)) < 1e-15);
    assert.ok(Math.abs(row.floorPct! - (100 * row.memoryFloorMs!) / median) < 1e-9);
  }
});

test('floorFields: the larger of memory and compute floor binds; nothing without a read', () => {
  const spec = makeSeSpec({ channels: 2048, ratio: 16 });
  const f = floorFields(spec, [8, 2048, 7, 7], { copyMs: 0.07, rereadMs: 0.03, gmacPerS: 27, threads: 1 }, 0.4);
  assert.ok(Math.abs(f.computeFloorMs! - (8 * 2 * 2048 * 128) / 27e6) < 1e-12);
  assert.ok(Math.abs(f.floorPct! - (100 * f.computeFloorMs!) / 0.4) < 1e-9, 'stage 5: the FCs bind');
  assert.deepEqual(floorFields(spec, [8, 2048, 7, 7], { copyMs: 0.07, gmacPerS: 27, threads: 1 }, 0.4), {});
});
