/**
 * The regression gate: compares this run with a baseline results.json. Per
 * matched measurement, the ratio of medians (this run / baseline) with its
 * 95% bootstrap interval (the two runs resampled independently: they are not
 * pairs). Slower: the whole interval lies above 1 + threshold; faster: the
 * whole interval lies below 1 - threshold; otherwise same (the samples do not
 * resolve a change beyond the threshold). A row with fewer than 2 samples on
 * either side has no interval and reads same. Different hardware is refused
 * rather than compared.
 */
import { readResultsFile } from './results-file.ts';
import type { BenchResults } from './results.ts';
import { ratioInterval } from '../measure/bootstrap.ts';

/** One matched measurement. */
export interface Change {
  workload: string;
  impl: string;
  baselineMs: number;
  currentMs: number;
  changePct: number;
  /** 95% interval of the ratio of medians, as percent changes. */
  lowPct?: number;
  highPct?: number;
  verdict: 'slower' | 'faster' | 'same';
}

/** Reads a baseline results.json, with clear errors for a missing or foreign file. */
export function readBaseline(path: string): BenchResults {
  return readResultsFile(path, '--compare: ');
}

/** Matched changes, or the reason no comparison is meaningful (other hardware). */
export function compareRuns(current: BenchResults, baseline: BenchResults, maxSlowdownPct: number): { changes: Change[] } | { refused: string } {
  const hw = (r: BenchResults) => `${r.environment.cpuModel} x${r.environment.cpuCores}`;
  if (hw(current) !== hw(baseline)) return { refused: `baseline ran on ${hw(baseline)}, this run on ${hw(current)}: timings on different hardware are not compared` };
  const changes: Change[] = [];
  for (const cur of current.rows) {
    const base = baseline.rows.find((b) => b.workload === cur.workload && b.impl === cur.impl);
    if (!base?.measurement || !cur.measurement || base.status !== 'ok' || cur.status !== 'ok') continue;
    const changePct = (100 * (cur.measurement.medianMs - base.measurement.medianMs)) / base.measurement.medianMs;
    const i = ratioInterval(cur.measurement.samplesMs, base.measurement.samplesMs);
    const [lowPct, highPct] = i ? [100 * (i.low - 1), 100 * (i.high - 1)] : [undefined, undefined];
    const verdict = lowPct !== undefined && lowPct > maxSlowdownPct ? 'slower' : highPct !== undefined && highPct < -maxSlowdownPct ? 'faster' : 'same';
    changes.push({ workload: cur.workload, impl: cur.impl, baselineMs: base.measurement.medianMs, currentMs: cur.measurement.medianMs, changePct, ...(i ? { lowPct, highPct } : {}), verdict });
  }
  return { changes };
}

/** The table of changes, slowest first. */
export function formatChanges(changes: Change[], maxSlowdownPct: number): string {
  const sorted = [...changes].sort((a, b) => b.changePct - a.changePct);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const lines = sorted.map((c) => `${c.verdict.padEnd(6)} ${pct(c.changePct).padStart(8)} ${(c.lowPct === undefined ? '' : `[${pct(c.lowPct)}, ${pct(c.highPct!)}]`).padStart(17)}  ${c.baselineMs.toFixed(3).padStart(9)} -> ${c.currentMs.toFixed(3).padStart(9)} ms  ${c.workload} ${c.impl}`);
  const slower = changes.filter((c) => c.verdict === 'slower').length;
  return [`Against the baseline (slower or faster: the 95% interval of the change lies wholly beyond ${maxSlowdownPct}%): ${changes.length} matched, ${slower} slower`, ...lines].join('\n');
}
