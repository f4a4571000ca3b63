/**
 * Memory ceilings with T threads: a WebAssembly memory.copy of `bytes`, and a
 * SIMD128 read (sum) of `bytes`, each split in T contiguous slices of one
 * shared memory, one per thread (the calling thread and T - 1 workers). Threads
 * spin briefly and then sleep in Atomics.wait, as wasm-simd-mt's barrier does,
 * so a call pays what a threaded kernel's run pays: a wake-up and a join.
 * With T = 1 no worker starts.
 *
 * The read is the floor's "one read": the squeeze must read the input once
 * and the scale must read it again; copy (one read + one write) plus read at
 * the right sizes is what an SE block's data movement requires (see
 * bench/ceilings.ts for how the floor uses them).
 */
import { Worker } from 'node:worker_threads';
import { assembleWat } from '../host/wat.ts';
import { measure, type Measurement } from './stats.ts';

/** One threaded memory measurement: `bytes` in all, split over `threads`. */
export interface ThreadedMeasurement {
  method: 'wasm-memory.copy' | 'wasm-simd128-read';
  bytes: number;
  threads: number;
  stats: Measurement;
  /** Traffic per second in GB/s (1e9): copies count read + write (2 x bytes), reads count bytes. */
  gbPerS: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

// copy(dst, src, n): memory.copy. read(src, n): sum of n bytes (a multiple of
// 16) as f32x4, eight loads per step added pairwise into four accumulators
// (TurboFan spills a fifth accumulator; this is the fastest read loop we found).
const WAT = `(module
  (import "env" "memory" (memory 1 ${MAX_PAGES} shared))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "read") (param $p i32) (param $n i32) (result f32)
    (local $end i32) (local $end128 i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (local.set $end128 (i32.add (local.get $p) (i32.and (local.get $n) (i32.const -128))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $end128)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add (v128.load offset=0 (local.get $p)) (v128.load offset=64 (local.get $p)))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add (v128.load offset=16 (local.get $p)) (v128.load offset=80 (local.get $p)))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add (v128.load offset=32 (local.get $p)) (v128.load offset=96 (local.get $p)))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add (v128.load offset=48 (local.get $p)) (v128.load offset=112 (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 128)))
      (br $l)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $l1)))
    (f32x4.extract_lane 0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))))`;

/** Control slots: generation (bumped per call), threads done, operation (0 copy, 1 read), stop. */
const GEN = 0;
const DONE = 1;
const OP = 2;
const STOP = 3;
/** Slots 8.. hold the call's dst, src, bytes. */
const ARGS = 8;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, t, threads } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(control);
let seen = Atomics.load(ctl, ${GEN});
let sink = 0;
parentPort.postMessage('ready');
for (;;) {
  for (let i = 0; Atomics.load(ctl, ${GEN}) === seen; i++) if (i > 2000) Atomics.wait(ctl, ${GEN}, seen, 50);
  seen = Atomics.load(ctl, ${GEN});
  if (Atomics.load(ctl, ${STOP})) break;
  const [dst, src, bytes] = [ctl[${ARGS}] >>> 0, ctl[${ARGS + 1}] >>> 0, ctl[${ARGS + 2}] >>> 0];
  const a = Math.floor(bytes * t / threads / 64) * 64, b = t + 1 === threads ? bytes : Math.floor(bytes * (t + 1) / threads / 64) * 64;
  if (Atomics.load(ctl, ${OP}) === 0) k.copy(dst + a, src + a, b - a); else sink += k.read(src + a, b - a);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
parentPort.postMessage(sink);
`;

/** The calling thread's slice [0, bytes/threads), cut at a cache line as the workers cut theirs. */
const firstSlice = (bytes: number, threads: number): number => (threads === 1 ? bytes : Math.floor(bytes / threads / 64) * 64);

/** A shared memory of 2 x bytes with T threads attached; `call` runs one split operation, `close` stops the workers. */
async function team(bytes: number, threads: number): Promise<{ call: (op: 0 | 1) => void; close: () => Promise<void> }> {
  const module = await assembleWat('harness/measure/roofline-threads.ts (WAT)', WAT, { simd: true, bulk_memory: true, threads: true });
  const size = Math.ceil(bytes / PAGE) * PAGE;
  const pages = (2 * size) / PAGE;
  if (pages > MAX_PAGES) throw new RangeError(`a ${bytes}-byte copy needs more than wasm32's 4 GiB`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
  new Float32Array(memory.buffer).fill(1);
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as { copy(d: number, s: number, n: number): void; read(p: number, n: number): number };
  const ctl = new Int32Array(new SharedArrayBuffer(64));
  ctl[ARGS] = size; ctl[ARGS + 1] = 0; ctl[ARGS + 2] = bytes;
  const workers: Worker[] = [];
  await Promise.all(Array.from({ length: threads - 1 }, (_, i) => new Promise<void>((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { module, memory, control: ctl.buffer, t: i + 1, threads } });
    w.unref();
    workers.push(w);
    w.once('message', () => resolve());
    w.once('error', reject);
  })));
  const mine = firstSlice(bytes, threads);
  let sink = 0;
  const call = (op: 0 | 1): void => {
    ctl[OP] = op;
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN); // a worker that slept between samples (GC, the timer's own work) wakes now
    if (op === 0) k.copy(size, 0, mine); else sink += k.read(0, mine);
    // Spin briefly, then sleep: on a machine whose other cores are busy, a spinning
    // caller would hold the core a descheduled worker needs (as the SE kernel's barrier does).
    for (let i = 0, d = Atomics.load(ctl, DONE); d !== threads - 1; d = Atomics.load(ctl, DONE)) if (++i > 2000) Atomics.wait(ctl, DONE, d, 1);
  };
  const close = async (): Promise<void> => {
    Atomics.store(ctl, STOP, 1);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    await Promise.all(workers.map((w) => w.terminate()));
    if (!Number.isFinite(sink)) throw new Error('read ceiling: the sum overflowed');
  };
  return { call, close };
}

/** memory.copy of `bytes` (read `bytes`, write `bytes`) split over `threads` threads. */
export async function measureThreadedCopy(bytes: number, threads: number, minTimeMs = 200): Promise<ThreadedMeasurement> {
  const t = await team(bytes, threads);
  try {
    const stats = await measure(() => t.call(0), { minTimeMs, minSamples: 10, warmupMs: Math.min(50, minTimeMs / 4) });
    return { method: 'wasm-memory.copy', bytes, threads, stats, gbPerS: (2 * bytes) / (stats.medianMs * 1e6) };
  } finally {
    await t.close();
  }
}

/** A SIMD128 read of `bytes` (a multiple of 16) split over `threads` threads, the buffer re-read each call (so it lives where a buffer of its size lives). */
export async function measureRead(bytes: number, threads: number, minTimeMs = 200): Promise<ThreadedMeasurement> {
  const n = Math.ceil(bytes / 16) * 16;
  const t = await team(n, threads);
  try {
    const stats = await measure(() => t.call(1), { minTimeMs, minSamples: 10, warmupMs: Math.min(50, minTimeMs / 4) });
    return { method: 'wasm-simd128-read', bytes: n, threads, stats, gbPerS: n / (stats.medianMs * 1e6) };
  } finally {
    await t.close();
  }
}
