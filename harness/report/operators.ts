/**
 * "SE overhead by operator": for each SE network profiled with --profile
 * (bench/profile.ts), its engine's time per operator type set against the
 * plain network's, and the profiled difference set against the measured one
 * (the paired latency ratio's interval, in ms of the plain median). Where
 * the two disagree the table says how much is unaccounted: time between
 * kernels, the profiler's own cost, or kernels its records leave out.
 */
import type { BenchRow } from '../bench/results.ts';
import type { OperatorTimes } from '../contract/implementation.ts';
/** What an account needs of an overhead pair (report/summary.ts OverheadPair). */
export interface ProfiledPair {
  se: BenchRow;
  base: BenchRow;
  baseName: string;
  latency?: number;
  latencyInterval?: { low: number; high: number };
}

export interface OperatorLine {
  part: 'se' | 'trunk';
  op: string;
  plainMs: number;
  seMs: number;
  plainNodes: number;
  seNodes: number;
}

/** The account of one profiled pair: per operator lines (largest difference first), totals and the measured difference with its interval. */
export interface OperatorAccount {
  impl: string;
  profiler: string;
  lines: OperatorLine[];
  plainTotalMs: number;
  seTotalMs: number;
  measuredMs: number;
  measuredLowMs: number;
  measuredHighMs: number;
  /** The profiled difference lies inside the measured difference's interval. */
  accounted: boolean;
}

const times = (r: BenchRow): OperatorTimes | undefined => (r.profile?.available ? r.profile : undefined);

/** The account of pair `o`, or undefined unless both rows hold a profile and the pair a latency interval. */
export function operatorAccount(o: ProfiledPair): OperatorAccount | undefined {
  const [p, s] = [times(o.base), times(o.se)];
  if (!p || !s || o.latency === undefined || !o.latencyInterval) return undefined;
  const lines = new Map<string, OperatorLine>();
  const line = (part: 'se' | 'trunk', op: string) => {
    const k = `${part}|${op}`;
    if (!lines.has(k)) lines.set(k, { part, op, plainMs: 0, seMs: 0, plainNodes: 0, seNodes: 0 });
    return lines.get(k)!;
  };
  for (const x of p.ops) Object.assign(line(x.part, x.op), { plainMs: x.ms, plainNodes: x.nodes });
  for (const x of s.ops) Object.assign(line(x.part, x.op), { seMs: x.ms, seNodes: x.nodes });
  const sum = (xs: OperatorTimes['ops']) => xs.reduce((a, x) => a + x.ms, 0);
  const plainMs = o.base.measurement!.medianMs;
  const [plainTotalMs, seTotalMs] = [sum(p.ops), sum(s.ops)];
  const diff = seTotalMs - plainTotalMs;
  const [measuredLowMs, measuredHighMs] = [plainMs * (o.latencyInterval.low - 1), plainMs * (o.latencyInterval.high - 1)];
  return {
    impl: o.se.impl, profiler: s.profiler, plainTotalMs, seTotalMs,
    lines: [...lines.values()].filter((l) => l.plainMs !== l.seMs || l.plainNodes !== l.seNodes).sort((a, b) => Math.abs(b.seMs - b.plainMs) - Math.abs(a.seMs - a.plainMs)),
    measuredMs: plainMs * (o.latency - 1), measuredLowMs, measuredHighMs, accounted: diff >= measuredLowMs && diff <= measuredHighMs,
  };
}

const f = (x: number) => x.toFixed(3);

/** One sentence: the profiled difference against the measured one. */
export function accountText(a: OperatorAccount): string {
  const diff = a.seTotalMs - a.plainTotalMs;
  const head = `profiled kernels: plain ${f(a.plainTotalMs)} ms, SE ${f(a.seTotalMs)} ms per call, difference ${f(diff)} ms; measured difference ${f(a.measuredMs)} ms [${f(a.measuredLowMs)}, ${f(a.measuredHighMs)}]`;
  const gap = a.measuredMs - diff;
  if (a.accounted) return `${head}: accounted for within its interval`;
  return gap > 0 ? `${head}: ${f(gap)} ms of the measured difference unaccounted (time between kernels, or work the records leave out)`
    : `${head}: the profile shows ${f(-gap)} ms more than was measured (the profiler slows the kernels it records)`;
}

/** Rows for a table of the account: part, operator, nodes plain -> SE, ms plain, SE and the difference. */
export function accountRows(a: OperatorAccount): string[][] {
  return a.lines.map((l) => [l.part, l.op, `${l.plainNodes} -> ${l.seNodes}`, f(l.plainMs), f(l.seMs), `${l.seMs >= l.plainMs ? '+' : ''}${f(l.seMs - l.plainMs)}`]);
}

export const ACCOUNT_HEAD = ['part', 'operator', 'nodes', 'plain ms', 'SE ms', 'difference'];
