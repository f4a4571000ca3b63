// The avg/max-squeeze SE pipeline, written once for one thread and for many.
// Plain JavaScript (types in pipeline.d.mts) because worker threads load it
// directly: Node 20 workers do not inherit tsx's TypeScript loader.
//
// Control block (an Int32Array over a SharedArrayBuffer, see CTL): the main
// thread writes the job's parameters, bumps JOB and wakes the workers; every
// thread then runs squeezeJob on its share and meets the others at one barrier.

/** Slots of the control block. */
export const CTL = Object.freeze({ JOB: 0, COUNT: 1, GEN: 2, STOP: 3, ERROR: 4, PARAMS: 16 });

/** Job parameters in the order they sit in the control block (from CTL.PARAMS, as uint32). */
export const PARAM_KEYS = Object.freeze([
  'n', 'c', 'hw', 'group', 'rd', 'rdPad', 'cPad', 'max', 'act', 'gateAct',
  'x', 'y', 'gate', 's', 'z', 'o', 'sStride', 'zStride', 'oStride', 'w1', 'b1', 'w2', 'b2', 'threads',
]);

/** Control block length in int32 slots. */
export const CTL_SLOTS = CTL.PARAMS + PARAM_KEYS.length;

/**
 * Busy-wait iterations (~12 ns each here) before sleeping in Atomics.wait. A
 * futex wake-up costs 4-8 us on a loaded VM; stage 5 at batch 8, 2 threads:
 * 300 spins 0.20 ms, 2,000 0.15 ms, 20,000 0.15 ms (1 thread: 0.27 ms).
 * Bounded, so a thread whose peer lost its core stops burning that core soon.
 */
export const SPIN = 2000;
/** A thread that waits this long at a barrier reports a stalled peer instead of hanging. */
const STALL_MS = 10000;

/** Writes a job's parameters into the control block. */
export function writeParams(ctl, params) {
  const u = new Uint32Array(ctl.buffer, ctl.byteOffset + CTL.PARAMS * 4, PARAM_KEYS.length);
  PARAM_KEYS.forEach((key, i) => { u[i] = params[key]; });
}

/** Reads a job's parameters from the control block. */
export function readParams(ctl) {
  const u = new Uint32Array(ctl.buffer, ctl.byteOffset + CTL.PARAMS * 4, PARAM_KEYS.length);
  return Object.fromEntries(PARAM_KEYS.map((key, i) => [key, u[i]]));
}

/** Waits until slot `at` differs from `value`: spins first, then sleeps; throws after STALL_MS. */
export function waitChange(ctl, at, value) {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(ctl, at) !== value) return;
  const deadline = Date.now() + STALL_MS;
  while (Atomics.load(ctl, at) === value) {
    if (Atomics.load(ctl, CTL.ERROR) !== 0) throw new Error('wasm-simd-mt: a worker thread failed during the job');
    if (Date.now() > deadline) throw new Error(`wasm-simd-mt: a thread waited ${STALL_MS} ms at a barrier; a worker stalled or died`);
    Atomics.wait(ctl, at, value, 100);
  }
}

/** A reusable barrier for `threads` threads (generation counting: the last to arrive opens it). */
export function makeBarrier(ctl, threads) {
  if (threads === 1) return () => {};
  return () => {
    const gen = Atomics.load(ctl, CTL.GEN);
    if (Atomics.add(ctl, CTL.COUNT, 1) === threads - 1) {
      Atomics.store(ctl, CTL.COUNT, 0);
      Atomics.add(ctl, CTL.GEN, 1);
      Atomics.notify(ctl, CTL.GEN);
      return;
    }
    waitChange(ctl, CTL.GEN, gen);
  };
}

/** [from, to) of `total` items for thread t of `threads`, in contiguous even shares. */
function share(total, t, threads) {
  return [Math.floor((total * t) / threads), Math.floor((total * (t + 1)) / threads)];
}

/**
 * Runs thread t's share of an avg/max-squeeze SE block: whole samples
 * [n*t/threads, n*(t+1)/threads), in groups of `group` samples. Per group:
 * fc1 + hidden activation and fc2 as GEMMs over the group's rows (each
 * weight read once per group), the gate (sigmoid or hardsigmoid, p.gateAct)
 * into the compact gate, then the scale of every plane. The squeeze is
 * software-pipelined: the first group is pooled alone; every later group is
 * pooled (avg) inside the previous group's scale loop (scale_pool), so the
 * input is read from memory once, by the squeeze, and again by the scale
 * while it is still in cache (block.ts sizes groups for that). Max squeeze
 * pools each group alone, before its FCs. Threads own disjoint samples and
 * their own scratch (s, z, o + t * stride), so a job needs no barrier inside,
 * only the caller's one at the end: on a loaded machine every wake-up costs
 * microseconds, which a split of each phase (4 barriers) paid 4 times.
 * Offsets are bytes, counts float32 elements.
 */
export function squeezeJob(k, p, t, threads) {
  const { c, hw, rd, rdPad, cPad, act, gateAct } = p;
  const sampleBytes = c * hw * 4;
  const s = p.s + t * p.sStride;
  const z = p.z + t * p.zStride;
  const o = p.o + t * p.oStride;
  const [first, end] = share(p.n, t, threads);
  const piped = !p.max;
  if (piped && first < end) k.pool_avg(p.x + first * sampleBytes, s, Math.min(p.group, end - first) * c, hw);
  for (let n0 = first; n0 < end; n0 += p.group) {
    const rows = Math.min(p.group, end - n0);
    const x = p.x + n0 * sampleBytes;
    const y = p.y + n0 * sampleBytes;
    const gate = p.gate + n0 * c * 4;
    if (!piped) k.pool_max(x, s, rows * c, hw);
    k.gemm(s, c, rows, p.w1, c, rdPad, p.b1, z, 0, rdPad >> 4);
    k.activate(z, rows * rdPad, act);
    k.gemm(z, rdPad, rows, p.w2, rd, cPad, p.b2, o, 0, cPad >> 4);
    k.activate(o, rows * cPad, gateAct);
    k.compact(gate, o, rows, c, cPad);
    // Only the last group can be shorter, so the next group never has more planes than this one.
    const next = piped ? Math.min(p.group, end - n0 - rows) : 0;
    if (next > 0) k.scale_pool(x, y, gate, x + rows * sampleBytes, s, next * c, hw);
    if (next < rows) k.scale(x + next * sampleBytes, y + next * sampleBytes, gate + next * c * 4, (rows - next) * c, hw);
  }
}
