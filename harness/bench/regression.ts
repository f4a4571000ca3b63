/**
 * The regression gate: compares this run with a baseline results.json. A
 * measurement counts as slower only when its median grew by more than the
 * threshold and the two medians' noise bands (median +- 2 scaled MADs) do not
 * overlap; different hardware is refused rather than compared.
 */
import { readResultsFile } from './results-file.ts';
import type { BenchResults, BenchRow } from './results.ts';

/** One matched measurement. */
export interface Change {
  workload: string;
  impl: string;
  baselineMs: number;
  currentMs: number;
  changePct: number;
  verdict: 'slower' | 'faster' | 'same';
}

/** Reads a baseline results.json, with clear errors for a missing or foreign file. */
export function readBaseline(path: string): BenchResults {
  return readResultsFile(path, '--compare: ');
}

const band = (r: BenchRow): [number, number] => {
  const m = r.measurement!;
  return [m.medianMs - 2 * 1.4826 * m.madMs, m.medianMs + 2 * 1.4826 * m.madMs];
};

/** Matched changes, or the reason no comparison is meaningful (other hardware). */
export function compareRuns(current: BenchResults, baseline: BenchResults, maxSlowdownPct: number): { changes: Change[] } | { refused: string } {
  const hw = (r: BenchResults) => `${r.environment.cpuModel} x${r.environment.cpuCores}`;
  if (hw(current) !== hw(baseline)) return { refused: `baseline ran on ${hw(baseline)}, this run on ${hw(current)}: timings on different hardware are not compared` };
  const changes: Change[] = [];
  for (const cur of current.rows) {
    const base = baseline.rows.find((b) => b.workload === cur.workload && b.impl === cur.impl);
    if (!base?.measurement || !cur.measurement || base.status !== 'ok' || cur.status !== 'ok') continue;
    const changePct = (100 * (cur.measurement.medianMs - base.measurement.medianMs)) / base.measurement.medianMs;
    const separated = band(cur)[0] > band(base)[1] || band(cur)[1] < band(base)[0];
    const verdict = separated && changePct > maxSlowdownPct ? 'slower' : separated && changePct < -maxSlowdownPct ? 'faster' : 'same';
    changes.push({ workload: cur.workload, impl: cur.impl, baselineMs: base.measurement.medianMs, currentMs: cur.measurement.medianMs, changePct, verdict });
  }
  return { changes };
}

/** The table of changes, slowest first. */
export function formatChanges(changes: Change[], maxSlowdownPct: number): string {
  const sorted = [...changes].sort((a, b) => b.changePct - a.changePct);
  const lines = sorted.map((c) => `${c.verdict.padEnd(6)} ${`${c.changePct >= 0 ? '+' : ''}${c.changePct.toFixed(1)}%`.padStart(8)}  ${c.baselineMs.toFixed(3).padStart(9)} -> ${c.currentMs.toFixed(3).padStart(9)} ms  ${c.workload} ${c.impl}`);
  const slower = changes.filter((c) => c.verdict === 'slower').length;
  return [`Against the baseline (threshold ${maxSlowdownPct}% beyond noise): ${changes.length} matched, ${slower} slower`, ...lines].join('\n');
}
