/**
 * Timing one SE block workload on one implementation: prepared, checked
 * against the float64 reference on the very input it is timed on (wrong there:
 * `invalid`, never timed), timed, and set against its ceilings.
 */
import { isUnsupported, type PreparedBlock, type SeImplementation } from '../contract/implementation.ts';
import { unguarded } from '../contract/guard.ts';
import { compareTensors } from '../check/compare.ts';
import { toleranceFor } from '../check/tolerances.ts';
import { fromLayout, toLayout, type Tensor } from '../data/tensor.ts';
import { measure, sampleStats } from '../measure/stats.ts';
import { hiddenWidth, type SeSpec } from '../model/spec.ts';
import type { Ceilings } from './ceilings.ts';
import type { BenchPlan, Workload } from './options.ts';
import type { BenchRow } from './results.ts';
import { timeRuns } from './timing-loop.ts';
import type { seBlockInputs } from './workloads.ts';

export type BlockWorkload = Extract<Workload, { kind: 'se-block' }>;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** FC multiply-adds of an SE block on `shape` [N, C, H, W]: N * (C * hidden + hidden * C). */
function fcMacs(spec: SeSpec, shape: readonly number[]): number {
  return shape[0]! * 2 * spec.channels * hiddenWidth(spec);
}

/** Bytes an SE block on `shape` moves: its fp32 input read once, its output written once. */
export function blockBytes(shape: readonly number[]): number {
  return 2 * 4 * shape.reduce((a, b) => a * b, 1);
}

/**
 * A CPU row's floors on `threads` threads: the cache-aware memory floor (copy
 * of the tensor, plus a re-read of its images at the bandwidth of one image
 * per thread read again and again), the compute floor (the FCs' multiply-adds
 * at `gmacPerS` per thread) and the row's % of the larger; nothing when the
 * copy, the read or the MAC rate is unknown.
 */
export function floorFields(spec: SeSpec, shape: readonly number[], c: { copyMs?: number; rereadMs?: number; gmacPerS?: number; threads: number }, medianMs: number): Partial<BenchRow> {
  if (c.copyMs === undefined || c.rereadMs === undefined || c.gmacPerS === undefined) return {};
  const memoryFloorMs = c.copyMs + c.rereadMs;
  const computeFloorMs = fcMacs(spec, shape) / (c.gmacPerS * c.threads * 1e6);
  return { memoryFloorMs, computeFloorMs, floorPct: (100 * Math.max(memoryFloorMs, computeFloorMs)) / medianMs };
}

/**
 * Time to read the whole input a second time out of cache on `threads`
 * threads: a read of one image per thread (all of the input when smaller),
 * measured repeated so it sits where a buffer of that size sits, times the
 * number of such slices in the input.
 */
async function rereadMs(shape: readonly number[], threads: number, ceilings: Ceilings): Promise<number | undefined> {
  const total = 4 * shape.reduce((a, b) => a * b, 1);
  const image = total / shape[0]!;
  const slice = Math.min(total, image * threads);
  const ms = await ceilings.cpuReadMs(slice, threads);
  return ms === undefined ? undefined : (ms * total) / slice;
}

/** The CPU floor fields of a row run on `threads` threads (see floorFields). */
export async function cpuFloorFields(spec: SeSpec, shape: readonly number[], copyMs: number, threads: number, ceilings: Ceilings, medianMs: number): Promise<Partial<BenchRow>> {
  return floorFields(spec, shape, { copyMs, rereadMs: await rereadMs(shape, threads, ceilings), gmacPerS: ceilings.knownMacPeak(), threads }, medianMs);
}

/** The row's roofline fields against the copy of its own device (and, on the CPU, its own thread count), or a note of why there is none. */
async function ceilingFields(row: BenchRow, spec: SeSpec, onGpu: boolean, ceilings: Ceilings): Promise<void> {
  const basis = row.deviceOnly?.medianMs ?? row.measurement!.medianMs; // GPU rows: the kernels alone, when the implementation can time them so
  const threads = onGpu ? 1 : row.threads ?? 1;
  const copyMs = onGpu ? await ceilings.gpuCopyMs(row.bytes!) : await ceilings.cpuCopyMs(row.bytes!, threads);
  if (copyMs === undefined) {
    row.message = `no roofline: ${ceilings.whyMissing(onGpu ? 'gpu' : 'cpu', row.bytes!, threads) ?? 'not measured'}`;
    return;
  }
  row.rooflinePct = (100 * copyMs) / basis;
  if (!onGpu) Object.assign(row, await cpuFloorFields(spec, row.shape, copyMs, threads, ceilings, row.measurement!.medianMs));
}

/** Times SE block workload `w` on `impl` into `row`; `ref` is the float64 reference's output on the same inputs. */
export async function timeSeBlock(impl: SeImplementation, w: BlockWorkload, ref: { y: Tensor; inputs: ReturnType<typeof seBlockInputs> }, plan: BenchPlan, ceilings: Ceilings, callTimeoutMs: number, row: BenchRow): Promise<void> {
  let prepared: PreparedBlock | undefined;
  try {
    const p0 = performance.now();
    prepared = await impl.prepareSe(ref.inputs.spec, ref.inputs.weights);
    row.prepareMs = performance.now() - p0;
    const block = prepared;
    const x = toLayout(ref.inputs.input, impl.layout);
    const staged = block.stage ? block.stage(x) : x;
    const t0 = performance.now();
    const first = await block.run(staged);
    const firstRunMs = performance.now() - t0;
    const check = compareTensors(fromLayout(first.y, impl.layout), ref.y, toleranceFor('se-block', impl.precision));
    row.checkRatio = check.worstRatio;
    if (!check.ok) {
      Object.assign(row, { status: 'invalid', message: `output differs from the float64 reference on this input (max abs error ${check.maxAbsErr}); not timed` });
      return;
    }
    const opts = { minTimeMs: plan.minTimeMs, minSamples: plan.minSamples, warmupMs: plan.minTimeMs / 5 };
    const firstBuffer = first.y.data.buffer;
    const m = await timeRuns(block, staged, opts, firstRunMs, callTimeoutMs);
    const inPage = Boolean(unguarded(block).measureInPage);
    const onGpu = impl.device === 'webgpu' || impl.device === 'gpu';
    // On the CPU, one more call after timing shows whether run() hands back the same memory every time (a view) or a new array.
    const view = !inPage && !onGpu && (await block.run(staged)).y.data.buffer === firstBuffer;
    row.timedRegion = { input: block.stage ? 'staged' : 'in-run', output: inPage ? 'page' : onGpu ? 'read-back' : view ? 'view' : 'fresh', clock: inPage ? 'page' : 'node' };
    row.bytes = blockBytes(w.shape);
    if (!onGpu && block.threadsFor) row.threads = block.threadsFor(w.shape);
    Object.assign(row, { measurement: m, imagesPerS: (w.shape[0] * 1000) / m.medianMs, gbPerS: row.bytes / (m.medianMs * 1e6) });
    if (block.runDeviceOnly) {
      const device = block.runDeviceOnly.bind(block);
      const gpu: number[] = [];
      const d = await measure(async () => { gpu.push(await device()); }, opts);
      const timed = gpu.filter(Number.isFinite);
      row.deviceOnly = { medianMs: d.medianMs, madMs: d.madMs, gpuMedianMs: timed.length ? sampleStats(timed).medianMs : Number.NaN, samples: d.sampleCount };
    }
    await ceilingFields(row, ref.inputs.spec, onGpu, ceilings);
  } catch (e) {
    Object.assign(row, isUnsupported(e) ? { status: 'skipped', message: `unsupported: ${errorText(e)}` } : { status: 'failed', message: errorText(e) });
  } finally {
    try {
      await prepared?.dispose();
    } catch (e) {
      row.message = `${row.message ?? ''} dispose failed: ${errorText(e)}`.trim();
    }
  }
}
