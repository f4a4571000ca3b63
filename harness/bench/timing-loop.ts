/**
 * The timed loop around a prepared block or network: run where the
 * implementation executes when it can (a browser page), else from Node, with
 * the same statistics either way.
 */
import { unguarded, withTimeout } from '../contract/guard.ts';
import type { PreparedBlock, PreparedNetwork } from '../contract/implementation.ts';
import type { Tensor } from '../data/tensor.ts';
import { measure, sampleStats, type Measurement, type MeasureOptions } from '../measure/stats.ts';

/**
 * The loop limit: the per-call limit plus four times the loop's expected
 * length (from `firstRunMs`), so a run that hangs mid-loop fails its row.
 */
export function loopLimitMs(opts: MeasureOptions, firstRunMs: number, callTimeoutMs: number): number {
  return Math.ceil(callTimeoutMs + 4 * (opts.minTimeMs + opts.warmupMs) + 4 * (opts.minSamples + 2) * firstRunMs);
}

/**
 * Times `p.run(x)`. The loop calls the implementation directly (unguarded: no
 * per-call timer in the samples); the whole loop is limited instead (loopLimitMs).
 */
export async function timeRuns(p: PreparedBlock | PreparedNetwork, x: Tensor, opts: MeasureOptions, firstRunMs: number, callTimeoutMs: number): Promise<Measurement> {
  const raw = unguarded(p);
  const loop = async (): Promise<Measurement> => {
    if (raw.measureInPage) {
      const r = await raw.measureInPage(x, opts);
      return { coldMs: r.coldMs, ...sampleStats(r.samplesMs) };
    }
    return measure(() => raw.run(x), opts);
  };
  return withTimeout(loop(), loopLimitMs(opts, firstRunMs, callTimeoutMs), 'timing loop');
}
