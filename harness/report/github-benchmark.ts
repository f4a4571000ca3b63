/**
 * `report --format=github-benchmark`: results files as the JSON that
 * benchmark-action/github-action-benchmark reads with `tool:
 * customSmallerIsBetter`: an array of { name, unit, value, range, extra }, one
 * entry per measured row (failed, invalid and skipped rows have no number and
 * are left out). `value` is the row's median ms per call, the statistic every
 * table and verdict of se-bench uses; `range` is the half-width of the
 * median's 95% bootstrap interval (measure/bootstrap.ts, the one the reports
 * print), as "± 0.012"; `extra` (the chart's tooltip) says what was timed.
 * Names are `<workload> (<implementation>)`, stable across runs, so the action
 * charts one series per row from commit to commit.
 */
import { measured, runState, runWarning, timedRegionText, type BenchRow } from '../bench/results.ts';
import { medianInterval } from '../measure/bootstrap.ts';
import type { LoadedRun } from './load.ts';
import { commitLabel } from '../host/environment.ts';

/** One entry of customSmallerIsBetter's input. */
export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  /** The spread, free text shown beside the value: here "± <half-width of the 95% interval of the median>". */
  range?: string;
  /** Tooltip text, one fact a line. */
  extra?: string;
}

/** Two significant digits, enough for a spread: "0.0024", "2.0", "130" (toPrecision alone writes 130 as "1.3e+2"). */
const spread = (v: number) => (v >= 10 ? String(Number(v.toPrecision(2))) : v.toPrecision(2));
/** Six significant digits: sub-nanosecond digits of a median in ms are noise. */
const tidy = (v: number) => Number(v.toPrecision(6));

function entry(row: BenchRow, run: LoadedRun, label: string | undefined): BenchmarkEntry {
  const m = row.measurement!;
  const interval = medianInterval(m.samplesMs);
  const extra = [
    `${row.device} ${row.precision} ${row.layout}, shape ${row.shape.join('x')}${row.kind === 'torch' ? ', PyTorch anchor' : ''}`,
    interval ? `median ${m.medianMs.toFixed(4)} ms, 95% interval [${interval.low.toFixed(4)}, ${interval.high.toFixed(4)}] ms, ${m.sampleCount} samples` : `median ${m.medianMs.toFixed(4)} ms, ${m.sampleCount} sample(s): no interval`,
    row.timedRegion ? `timed (input/output/clock): ${timedRegionText(row.timedRegion)}` : '',
    row.imagesPerS !== undefined ? `images/s ${row.imagesPerS.toFixed(1)}` : '',
    row.gbPerS !== undefined ? `GB/s ${row.gbPerS.toFixed(2)}${row.rooflinePct !== undefined ? ` (${row.rooflinePct.toFixed(0)}% of the copy roofline)` : ''}` : '',
    row.deviceOnly ? `device-only median ${row.deviceOnly.medianMs.toFixed(4)} ms` : '',
    row.pairing?.ratio !== undefined ? `SE / plain ${row.pairing.ratio.toFixed(3)}` : '',
    m.noiseWarning ? `noise: ${m.noiseWarning}` : '',
    `run ${run.label}, ${run.results.createdAt}, commit: ${commitLabel(run.results.environment.gitCommit)}`,
    runWarning(runState(run.results)) ?? '',
  ].filter(Boolean).join('\n');
  return {
    name: `${row.workload} (${row.impl})${label ? ` @ ${label}` : ''}`,
    unit: 'ms',
    value: tidy(m.medianMs),
    ...(interval ? { range: `± ${spread((interval.high - interval.low) / 2)}` } : {}),
    extra,
  };
}

/** The entries of every measured row of `runs`; with several runs each name ends with ` @ <run label>`, so names stay unique. */
export function githubBenchmark(runs: readonly LoadedRun[]): BenchmarkEntry[] {
  const out: BenchmarkEntry[] = [];
  const seen = new Map<string, number>();
  for (const run of runs) {
    for (const row of run.results.rows.filter(measured)) {
      const e = entry(row, run, runs.length > 1 ? run.label : undefined);
      // A name twice would merge two series in the action's chart: number the repeats.
      const n = (seen.get(e.name) ?? 0) + 1;
      seen.set(e.name, n);
      out.push(n === 1 ? e : { ...e, name: `${e.name} #${n}` });
    }
  }
  return out;
}
