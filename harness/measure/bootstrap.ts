/**
 * Percentile-bootstrap confidence intervals for a median and for a ratio of
 * two medians (SE overhead, speed-up over PyTorch): each resample draws every
 * sample set with replacement, independently, and takes the statistic; the
 * interval is the 2.5th..97.5th percentile of those. Resampling uses the
 * project's counter-based PRNG with a fixed seed, so a results file always
 * gives the same interval.
 *
 * Written here rather than taken from a library: the JavaScript ones we found
 * (compute-bootstrap, unmaintained since 2015) give a standard error and a
 * bias, not percentile intervals, and none takes a ratio of two samples.
 */
import { mix32, streamKeys } from '../data/prng.ts';

export interface Interval {
  low: number;
  high: number;
  /** Coverage, e.g. 0.95. */
  level: number;
}

const RESAMPLES = 1000;
const SEED = 0x5eb007;

/** k-th smallest of a[0..n) (0-based), reordering a: Hoare's quickselect. */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function median(a: Float64Array, n: number): number {
  const upper = select(a, n, n >> 1);
  if (n % 2) return upper;
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lower) lower = a[i]!; // after select, a[0..n/2) are the smaller half
  return (lower + upper) / 2;
}

/**
 * Resampled medians already drawn, by sample array and stream: the summary, the report's tables, its verdicts and
 * the Markdown export ask for intervals of the same rows, and a draw is deterministic, so each is drawn once.
 */
const drawn = new WeakMap<readonly number[], Map<string, Float64Array>>();

/** Medians of RESAMPLES bootstrap resamples of `samples`, stream `name` of the PRNG (drawn once per array and stream). */
function resampledMedians(samples: readonly number[], name: string): Float64Array {
  let byName = drawn.get(samples);
  if (!byName) drawn.set(samples, (byName = new Map()));
  const known = byName.get(name);
  if (known) return known;
  const out = drawMedians(samples, name);
  byName.set(name, out);
  return out;
}

function drawMedians(samples: readonly number[], name: string): Float64Array {
  const n = samples.length;
  const scratch = new Float64Array(n);
  const out = new Float64Array(RESAMPLES);
  const [k0, k1] = streamKeys(SEED, name); // bitsAt(SEED, name, index), without re-deriving the keys per draw
  for (let b = 0; b < RESAMPLES; b++) {
    for (let i = 0; i < n; i++) scratch[i] = samples[mix32((mix32((b * n + i + k0) >>> 0) ^ k1) >>> 0) % n]!;
    out[b] = median(scratch, n);
  }
  return out;
}

function percentiles(values: Float64Array, level: number): Interval {
  const sorted = values.slice().sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
  return { low: at((1 - level) / 2), high: at((1 + level) / 2), level };
}

/** A 95% interval for the median of `samples`; undefined with fewer than 2 samples. */
export function medianInterval(samples: readonly number[], level = 0.95): Interval | undefined {
  if (samples.length < 2) return undefined;
  return percentiles(resampledMedians(samples, 'median'), level);
}

/** A 95% interval for median(num) / median(den), each resampled on its own; undefined with fewer than 2 samples in either. */
export function ratioInterval(num: readonly number[], den: readonly number[], level = 0.95): Interval | undefined {
  if (num.length < 2 || den.length < 2) return undefined;
  const a = resampledMedians(num, 'ratio-numerator');
  const b = resampledMedians(den, 'ratio-denominator');
  return percentiles(a.map((x, i) => x / b[i]!), level);
}

/** True when the interval holds 1: the two medians show no measurable difference. */
export function holdsOne(i: Interval): boolean {
  return i.low <= 1 && i.high >= 1;
}

/** `[low, high]` with `digits` decimals. */
export function intervalText(i: Interval | undefined, digits = 3): string {
  return i ? `[${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]` : '';
}

/** Per-pair ratios num[i] / den[i] of two equal-length sample series taken as pairs (pair i: the two calls of one pair). */
export function pairRatios(num: readonly number[], den: readonly number[]): number[] {
  if (num.length !== den.length) throw new RangeError(`paired samples must have equal lengths, got ${num.length} and ${den.length}`);
  return num.map((x, i) => x / den[i]!);
}

/** Median of the per-pair ratios num[i] / den[i]: the paired ratio's point estimate. */
export function pairedRatio(num: readonly number[], den: readonly number[]): number {
  const r = Float64Array.from(pairRatios(num, den));
  return median(r, r.length);
}

/**
 * A 95% interval for the median of the per-pair ratios num[i] / den[i]: a
 * percentile bootstrap over pairs. Each resample draws whole pairs with
 * replacement, so what the two calls of a pair share (the machine's state in
 * that fraction of a second) stays inside its ratio and drift between pairs
 * drops out, unlike ratioInterval, which resamples the two series
 * independently. Percentile rather than BCa: the median's jackknife, which
 * BCa's acceleration needs, is unreliable, and the percentile interval of a
 * median holds its coverage for the 10-1000 pairs a run takes. Undefined
 * with fewer than 2 pairs.
 */
export function pairedRatioInterval(num: readonly number[], den: readonly number[], level = 0.95): Interval | undefined {
  if (num.length < 2) return undefined;
  return percentiles(drawMedians(pairRatios(num, den), 'paired-ratio'), level);
}

/** Half the interval's width as a percentage of `value`: how far either way the ratio is resolved. */
export function halfWidthPct(i: Interval, value: number): number {
  return (50 * (i.high - i.low)) / value;
}

/** Ratio, interval and half-width of `num` over `den` as pairs; undefined with fewer than 2 pairs. */
export function pairedEstimate(num: readonly number[], den: readonly number[]): { ratio: number; low: number; high: number; halfWidthPct: number } | undefined {
  const i = pairedRatioInterval(num, den);
  if (!i) return undefined;
  const ratio = pairedRatio(num, den);
  return { ratio, low: i.low, high: i.high, halfWidthPct: halfWidthPct(i, ratio) };
}

