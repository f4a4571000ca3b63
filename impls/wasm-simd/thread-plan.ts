/**
 * How many threads wasm-simd-mt gives one run. A second thread pays a wake-up
 * and a barrier (microseconds on a loaded VM), splits the batch by whole
 * samples (so the FC weights are read once per thread, not once per run) and
 * shares the memory bandwidth; below some work per thread it loses time. The
 * work is this kernel's one-thread cost model (estimateUs) and the threshold
 * MIN_US_PER_THREAD; both were measured on the 2-core AMD EPYC VM
 * (scripts/bench-wasm-simd.ts --threads=2) and are deterministic, so the same
 * workload always gets the same count.
 */

/** Bytes per microsecond one thread of this kernel streams (read twice, written once: 3 x input bytes), measured ~40 GB/s. */
export const BYTES_PER_US = 40_000;
/** FC multiply-adds per microsecond on one thread (the SIMD128 MAC peak here, ~27 GMAC/s). */
export const MACS_PER_US = 27_000;
/**
 * Estimated one-thread microseconds each thread must have before a run is
 * split at all. Measured here (2 threads against 1, interleaved, 10 rounds,
 * the VM quiet and then shared with another job): at 8-30 us of work 2 threads
 * lost every time (1.2x to 3.3x slower: the wake-up and barrier outweigh the
 * work); at 60-100 us they won on a quiet machine (0.6-0.8x) and lost on a
 * loaded one (1.2-1.6x); from about 130 us on they won quiet (0.5-0.6x). So
 * 100 us per thread: a 2-thread run needs 200 us of estimated work.
 */
export const MIN_US_PER_THREAD = 100;

/** The workload of one run: samples, bytes of one sample's input, FC multiply-adds per sample. */
export interface RunWork {
  n: number;
  sampleBytes: number;
  fcMacsPerSample: number;
}

/** One-thread microseconds of `w` by the cost model above. */
export function estimateUs(w: RunWork): number {
  return w.n * ((3 * w.sampleBytes) / BYTES_PER_US + w.fcMacsPerSample / MACS_PER_US);
}

/**
 * Threads for one run: as many as keep MIN_US_PER_THREAD (or `minUsPerThread`)
 * of estimated work each, at most `maxThreads` and at most one per sample
 * (threads own whole samples); at least 1.
 */
export function chooseThreads(maxThreads: number, w: RunWork, minUsPerThread = MIN_US_PER_THREAD): number {
  const byWork = minUsPerThread <= 0 ? maxThreads : Math.floor(estimateUs(w) / minUsPerThread);
  return Math.max(1, Math.min(maxThreads, w.n, byWork));
}

/**
 * The thread cap from SE_BENCH_WASM_THREADS: unset or empty means `cores`;
 * otherwise an integer from 1 to `cores`. Returns the number, or the one-line
 * reason it is refused.
 */
export function parseWasmThreads(value: string | undefined, cores: number): number | { error: string } {
  if (value === undefined || value.trim() === '') return cores;
  const v = value.trim();
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= cores) return Number(v);
  return { error: `SE_BENCH_WASM_THREADS must be an integer from 1 to ${cores} (the cores here), got "${value}"; unset it to let wasm-simd-mt use up to ${cores}` };
}
