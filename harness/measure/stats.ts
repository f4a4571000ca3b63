/**
 * Measurement core: tinybench behind a small adapter (its result shape changes
 * between majors). The first call is timed on its own (compile, upload, JIT);
 * every sample awaits the implementation's own sync point (its promise resolves
 * after the output is read back).
 */
import { Bench } from 'tinybench';

export interface MeasureOptions {
  /** Minimum measuring time per measurement, ms. */
  minTimeMs: number;
  /** Minimum number of samples. */
  minSamples: number;
  /** Warm-up time before sampling, ms. */
  warmupMs: number;
}

export interface Measurement {
  /** The very first call, compile and upload included. */
  coldMs: number;
  medianMs: number;
  meanMs: number;
  p90Ms: number;
  p99Ms: number;
  /** Median absolute deviation (unscaled). */
  madMs: number;
  /** Relative margin of error of the mean, percent (95%). */
  rmePct: number;
  sampleCount: number;
  /** Samples further than 3 scaled MADs from the median. */
  outliers: number;
  /** Set when the spread is too large to trust small differences; says what to do. */
  noiseWarning?: string;
  /** Raw samples, ms. */
  samplesMs: number[];
}

function percentile(sorted: number[], q: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at]!;
}

/**
 * Times `fn` (cold call first, then warm-up, then samples). A synchronous `fn`
 * is timed without promise overhead. Throws what `fn` throws.
 */
export async function measure(fn: () => unknown, opts: MeasureOptions): Promise<Measurement> {
  const t0 = performance.now();
  const first = fn();
  const isAsync = typeof (first as { then?: unknown } | undefined)?.then === 'function';
  await first;
  const coldMs = performance.now() - t0;
  const bench = new Bench({
    time: opts.minTimeMs, iterations: opts.minSamples, warmupTime: opts.warmupMs, warmupIterations: 2,
    retainSamples: true, throws: true,
  });
  // Said explicitly: tinybench's own detection calls a promise-returning arrow once without awaiting it, so two
  // calls overlapped (seen: onnxruntime-web's wasm session, which is not re-entrant, failed and then hung).
  bench.add('m', fn as () => void, { async: isAsync });
  const [task] = await bench.run();
  const r = task!.result;
  if (r.state !== 'completed') throw new Error(`measurement ended in state ${r.state}`);
  return { coldMs, ...sampleStats([...(r.latency.samples ?? [])]) };
}

/**
 * Statistics of raw samples (ms), the one definition used for every row,
 * PyTorch anchors included: median, mean, p90, p99, MAD, rme (95% margin of
 * error of the mean, normal approximation), outliers (> 3 scaled MADs from the
 * median) and a noise warning.
 */
export function sampleStats(samplesMs: number[]): Omit<Measurement, 'coldMs'> {
  if (samplesMs.length === 0) throw new Error('no samples to summarise');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  const mad = n % 2 ? deviations[(n - 1) / 2]! : (deviations[n / 2 - 1]! + deviations[n / 2]!) / 2;
  const m: Omit<Measurement, 'coldMs'> = {
    medianMs: median, meanMs: mean, p90Ms: percentile(sorted, 0.9), p99Ms: percentile(sorted, 0.99), madMs: mad,
    rmePct: mean > 0 ? (100 * 1.96 * sd) / Math.sqrt(n) / mean : 0, sampleCount: n,
    outliers: sorted.filter((v) => Math.abs(v - median) > 3 * 1.4826 * mad).length, samplesMs,
  };
  if (mad / median > 0.1) {
    m.noiseWarning = `noisy: MAD ${(100 * mad / median).toFixed(1)}% of the median (rme ${m.rmePct.toFixed(1)}%); `
      + 'close other programs, or raise --min-time for more samples';
  }
  return m;
}
