/**
 * Paired, adaptive sampling of networks compared with each other (a plain
 * ResNet-50 and its SE variants). One cycle calls every network once, back to
 * back, in an order that reverses from cycle to cycle (A B, B A, A B...), so
 * neither always runs right after the other and the two calls of a pair meet
 * the same moment of the machine. Sample i of every network belongs to cycle
 * i: for any two of them, sample i is a pair. The overhead is the median of
 * the per-pair ratios with a bootstrap over pairs (measure/bootstrap.ts).
 *
 * Cycles go on until every comparison's interval is within the precision
 * asked for (half-width at most P% of the ratio), after a minimum, or until
 * the time budget runs out; each comparison then records how it stopped.
 */
import { pairedEstimate } from '../measure/bootstrap.ts';

/** One call's times: wall clock, and the process's CPU time (user + system) where recorded. */
export interface CallTimes {
  wallMs: number;
  cpuMs?: number;
}

/** What `k` cycles gave: per network (in the order asked), its k calls' times, or why it failed (its samples are then dropped). */
export type CycleBatch = ({ times: CallTimes[] } | { failed: string })[];

/**
 * Takes `k` cycles of the networks `live` (indices into the series),
 * starting at cycle `first`: cycle c runs them in the given order when c is
 * even, reversed when odd.
 */
export type CycleTaker = (live: number[], first: number, k: number) => Promise<CycleBatch>;

/** One comparison: series `other` over series `base` (SE over plain). */
export interface Comparison {
  base: number;
  other: number;
}

/** How a comparison's pairing ended, as results record it beside the SE row. */
export interface PairingRecord {
  /** Workload id of the row this one is paired with (its plain network). */
  baseline: string;
  /** Pairs taken. */
  pairs: number;
  /** The precision asked for: half-width at most this percentage of the ratio. */
  precisionPct: number;
  /** `resolved`: within the precision; `budget`: the time budget (or the pair limit) ran out first; `failed`: a network failed, no ratio. */
  stop: 'resolved' | 'budget' | 'failed';
  /** Median of per-pair wall-time ratios, its 95% bootstrap interval over pairs, and the half-width in percent of the ratio. */
  ratio?: number;
  low?: number;
  high?: number;
  halfWidthPct?: number;
  /** The same on CPU time, where each call's CPU time was recorded. */
  cpu?: { ratio: number; low: number; high: number; halfWidthPct: number };
}

export interface PairPlan {
  minPairs: number;
  maxPairs: number;
  precisionPct: number;
  /** Time for the whole pairing, ms (budget per comparison times comparisons). */
  budgetMs: number;
  /** Cycles asked for at a time once past the minimum (1 for ours; a few for PyTorch's, one request each). */
  chunk: number;
}

export interface PairedSeries {
  samplesMs: number[];
  cpuMs: number[];
  failed?: string;
}

const resolved = (s: PairedSeries[], c: Comparison, p: PairPlan): boolean => {
  const e = pairedEstimate(s[c.other]!.samplesMs, s[c.base]!.samplesMs);
  return e !== undefined && e.halfWidthPct <= p.precisionPct;
};

/**
 * Samples `n` networks in cycles until each comparison is resolved or the
 * budget or pair limit is reached (never fewer than minPairs cycles while a
 * network is live). A network that fails keeps failing: it leaves the cycles,
 * its comparisons stop as `failed`, its partners keep their samples.
 */
export async function samplePaired(n: number, comparisons: Comparison[], take: CycleTaker, plan: PairPlan, now = () => performance.now()): Promise<PairedSeries[]> {
  const series: PairedSeries[] = Array.from({ length: n }, () => ({ samplesMs: [], cpuMs: [] }));
  const t0 = now();
  let cycles = 0;
  const open = () => comparisons.filter((c) => !series[c.base]!.failed && !series[c.other]!.failed);
  for (;;) {
    const live = series.flatMap((s, i) => (s.failed ? [] : [i]));
    if (live.length === 0) break;
    if (cycles >= plan.minPairs) {
      const pending = open();
      if (pending.every((c) => resolved(series, c, plan)) || now() - t0 >= plan.budgetMs || cycles >= plan.maxPairs) break;
    }
    const k = Math.max(1, Math.min(cycles < plan.minPairs ? plan.minPairs - cycles : plan.chunk, plan.maxPairs - cycles));
    const batch = await take(live, cycles, k);
    live.forEach((idx, j) => {
      const got = batch[j];
      const s = series[idx]!;
      if (!got || 'failed' in got) s.failed = got ? got.failed : 'no samples in the reply';
      else {
        s.samplesMs.push(...got.times.map((t) => t.wallMs));
        if (got.times.every((t) => t.cpuMs !== undefined)) s.cpuMs.push(...got.times.map((t) => t.cpuMs!));
      }
    });
    cycles += k;
  }
  return series;
}

/** The record of comparison `c` after sampling: its pairs, estimate and how it stopped. */
export function pairingRecord(series: PairedSeries[], c: Comparison, baseline: string, plan: PairPlan): PairingRecord {
  const [a, b] = [series[c.other]!, series[c.base]!];
  if (a.failed || b.failed) return { baseline, pairs: Math.min(a.samplesMs.length, b.samplesMs.length), precisionPct: plan.precisionPct, stop: 'failed' };
  const wall = pairedEstimate(a.samplesMs, b.samplesMs);
  const cpu = a.cpuMs.length === a.samplesMs.length && b.cpuMs.length === b.samplesMs.length ? pairedEstimate(a.cpuMs, b.cpuMs) : undefined;
  return {
    baseline, pairs: a.samplesMs.length, precisionPct: plan.precisionPct,
    stop: wall && wall.halfWidthPct <= plan.precisionPct ? 'resolved' : 'budget',
    ...(wall ?? {}), ...(cpu ? { cpu } : {}),
  };
}
