/**
 * Progress of a bench run: on a TTY one live line (workload, implementation,
 * done/total, elapsed, ETA); otherwise one plain log line per measurement, for CI.
 */
import type { BenchRow } from './results.ts';

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** One line describing a finished row. */
export function rowLine(r: BenchRow): string {
  const head = `${r.workload} ${r.impl}`;
  if (!r.measurement) return `${head}: ${r.status}${r.message ? ` (${r.message})` : ''}`;
  const m = r.measurement;
  const extra = [r.gbPerS !== undefined ? `${r.gbPerS.toFixed(2)} GB/s` : '', r.rooflinePct !== undefined ? `${r.rooflinePct.toFixed(0)}% of copy` : ''].filter(Boolean).join(', ');
  return `${head}: median ${m.medianMs.toFixed(3)} ms (p90 ${m.p90Ms.toFixed(3)}, n=${m.sampleCount}), ${r.imagesPerS!.toFixed(1)} img/s${extra ? `, ${extra}` : ''}`
    + (m.noiseWarning ? `\n  warning: ${m.noiseWarning}` : '');
}

/** A progress reporter for `total` measurements. */
export function progressReporter(total: number, log: (line: string) => void, tty = process.stderr.isTTY): {
  start(workload: string, impl: string): void;
  done(row: BenchRow): void;
  finish(): void;
} {
  const t0 = Date.now();
  let done = 0;
  const status = (what: string): string => {
    const elapsed = Date.now() - t0;
    const eta = done ? clock((elapsed / done) * (total - done)) : '?';
    return `[${done}/${total}] ${what}  elapsed ${clock(elapsed)}  ETA ${eta}`;
  };
  return {
    start(workload, impl) {
      if (tty) process.stderr.write(`\r\x1b[K${status(`${workload} ${impl}`)}`);
    },
    done(row) {
      done++;
      if (tty) process.stderr.write('\r\x1b[K');
      log(`${tty ? '' : `[${done}/${total}] `}${rowLine(row)}`);
    },
    finish() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}
