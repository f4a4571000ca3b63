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

/** Times `fn` (cold call first, then warm-up, then samples). Throws what `fn` throws. */
export async function measure(fn: () => Promise<unknown>, opts: MeasureOptions): Promise<Measurement> {
  const t0 = performance.now();
  await fn();
  const coldMs = performance.now() - t0;
  const bench = new Bench({
    time: opts.minTimeMs, iterations: opts.minSamples, warmupTime: opts.warmupMs, warmupIterations: 2,
    retainSamples: true, throws: true,
  });
  bench.add('m', async () => { await fn(); });
  const [task] = await bench.run();
  const r = task!.result;
  if (r.state !== 'completed') throw new Error(`measurement ended in state ${r.state}`);
  const samples = [...(r.latency.samples ?? [])];
  const sorted = [...samples].sort((a, b) => a - b);
  const median = r.latency.p50;
  const mad = r.latency.mad;
  const outliers = sorted.filter((s) => Math.abs(s - median) > 3 * 1.4826 * mad).length;
  const m: Measurement = {
    coldMs, medianMs: median, meanMs: r.latency.mean, p90Ms: percentile(sorted, 0.9), p99Ms: r.latency.p99,
    madMs: mad, rmePct: r.latency.rme, sampleCount: r.latency.samplesCount, outliers, samplesMs: samples,
  };
  if (m.rmePct > 5 || mad / median > 0.1) {
    m.noiseWarning = `noisy: rme ${m.rmePct.toFixed(1)}%, MAD ${(100 * mad / median).toFixed(1)}% of the median; `
      + 'close other programs, or raise --min-time for more samples';
  }
  return m;
}
