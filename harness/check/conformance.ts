/**
 * The conformance gate: every selected implementation against every selected
 * golden case, compared in Node by the one comparison in compare.ts.
 * A failing or throwing implementation is recorded and the run goes on.
 */
import { DEFAULT_CALL_TIMEOUT_MS, guard } from '../contract/guard.ts';
import { isUnsupported, type PreparedBlock, type PreparedNetwork, type SeImplementation } from '../contract/implementation.ts';
import { selectByGlobs } from '../data/select.ts';
import { compareTensors, describeComparison, type CompareResult, type Tolerance } from './compare.ts';
import { GoldenSet, type LoadedCase } from '../data/golden.ts';
import { fromLayout, toLayout, type Layout, type Tensor } from '../data/tensor.ts';
import { toleranceFor } from './tolerances.ts';

export type CellStatus = 'pass' | 'fail' | 'error' | 'skipped' | 'unsupported';

/** One (case, implementation) outcome. */
export interface ConformanceCell {
  caseId: string;
  impl: string;
  status: CellStatus;
  tolerance?: Tolerance;
  output?: CompareResult;
  /** Absent when the implementation does not expose the gate. */
  gate?: CompareResult;
  /** Network cases: each stage output (`layer1`..`layer4`) and SE gate (`gate layer1.0`), in network order. */
  parts?: Record<string, CompareResult>;
  /**
   * One line: the error text for status "error", the reason for "skipped" / "unsupported"; for "fail" the first
   * failing comparison's description (describeComparison, indices in NCHW), led for networks by the failing parts.
   */
  message?: string;
  /** Wall time of the cell (prepare, run, compare, dispose), ms: each JUnit testcase's time (report/junit.ts). */
  elapsedMs?: number;
}

/** An implementation as seen by this run. */
export interface ImplStatus {
  name: string;
  device: string;
  precision: string;
  layout: string;
  available: boolean;
  /** Listed in --expect / SE_BENCH_EXPECT: a skip counts as a failure. */
  expected: boolean;
  detail?: string;
  /** Threads it computes on, as its probe said (absent: not said). */
  threads?: number;
  reason?: string;
  installHint?: string;
}

export interface ConformanceReport {
  schema: 1;
  cases: string[];
  implementations: ImplStatus[];
  cells: ConformanceCell[];
  /** One line per failure (failed or erroring cell, expected implementation skipped). */
  failures: string[];
  ok: boolean;
}

/** What to check; everything but `implementations` has a default. */
export interface ConformanceOptions {
  /** Implementations to check, in column order (guarded here if they are not already). */
  implementations: readonly SeImplementation[];
  /** Golden case ids or globs (`se-*`); default: every case. A glob matching nothing throws, listing the ids. */
  cases?: readonly string[];
  /** Names whose skip (unavailable here) is a failure, not a silent pass. */
  expected?: readonly string[];
  /** Per-call limit for the guard, ms (default DEFAULT_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /** The golden data (default: the package's golden/). */
  golden?: GoldenSet;
  /** Called once every implementation is probed, before any case runs, e.g. to say at once which are unavailable and why. */
  onProbed?: (implementations: readonly ImplStatus[]) => void;
  /** Called after each cell, e.g. for progress. */
  onCell?: (cell: ConformanceCell) => void;
  /** Accept a run in which no cell was checked (every implementation unavailable or unsupported); default false: that is a failure. */
  allowEmpty?: boolean;
}

/** Why no cell was checked: the implementations that are unavailable (their reasons are in the report) or support no selected case. */
function nothingChecked(implementations: readonly ImplStatus[], cells: readonly ConformanceCell[]): string {
  const why: string[] = [];
  const unavailable = implementations.filter((s) => !s.available).map((s) => s.name);
  if (unavailable.length) why.push(`${unavailable.join(', ')} ${unavailable.length === 1 ? 'is' : 'are'} unavailable here (reasons and fixes above)`);
  const unsupported = [...new Set(cells.filter((c) => c.status === 'unsupported').map((c) => c.impl))];
  if (unsupported.length) why.push(`${unsupported.join(', ')} support${unsupported.length === 1 ? 's' : ''} none of the selected cases`);
  if (implementations.length === 0) why.push('no implementation was selected');
  return `no check ran, so nothing was proved: ${why.join('; ')}; pass --allow-empty to accept an empty run`;
}

/** Largest share of the tolerance used by any compared tensor of a cell (output, gate, network parts). */
export function worstRatio(cell: ConformanceCell): number {
  const all = [cell.output, cell.gate, ...Object.values(cell.parts ?? {})].filter((c): c is CompareResult => c !== undefined);
  return Math.max(0, ...all.map((c) => c.worstRatio));
}

function to4d(t: Tensor, layout: Layout): Tensor {
  return t.shape.length === 4 ? fromLayout(t, layout) : t;
}

/** `output: <description>` of the first failing comparison, naming any other that failed: a fail cell's one line. */
function firstFailure(compared: Record<string, CompareResult | undefined>): string {
  const [first, ...more] = Object.entries(compared).filter(([, r]) => r && !r.ok);
  if (!first) return '';
  return `${first[0]}: ${describeComparison(first[1]!)}${more.length ? ` (+${more.length} more failing: ${more.map(([n]) => n).join(', ')})` : ''}`;
}

/** Compares a network run part by part; names the failing parts, the first failing stage first. */
async function compareNetworkRun(impl: SeImplementation, prepared: PreparedNetwork, loaded: LoadedCase, cell: ConformanceCell, tolerance: Tolerance): Promise<void> {
  const out = await prepared.run(toLayout(loaded.input, impl.layout));
  cell.output = compareTensors(out.logits, loaded.output, tolerance);
  cell.parts = {};
  const missing: string[] = [];
  for (const [kind, want, got] of [['', loaded.stages!, out.stages], ['gate ', loaded.gates!, out.gates]] as const) {
    for (const [name, ref] of Object.entries(want)) {
      const t = got[name];
      if (t) cell.parts[`${kind}${name}`] = compareTensors(to4d(t, impl.layout), ref, tolerance);
      else missing.push(`${kind}${name}`);
    }
  }
  const failing = Object.entries(cell.parts).filter(([, r]) => !r.ok).map(([k]) => k);
  if (!cell.output.ok) failing.push('logits');
  cell.status = failing.length || missing.length ? 'fail' : 'pass';
  if (cell.status === 'fail') {
    const first = failing[0];
    cell.message = [
      failing.length ? `failing: ${failing.join(', ')}` : '',
      missing.length ? `not returned by the implementation: ${missing.join(', ')}` : '',
      first ? `${first}: ${describeComparison(first === 'logits' ? cell.output : cell.parts[first]!)}` : '',
    ].filter(Boolean).join('; ');
  }
}

/** Runs one case on one implementation (guarded with the default limit unless it already is); never throws. */
export async function checkCase(rawImpl: SeImplementation, loaded: LoadedCase): Promise<ConformanceCell> {
  const impl = guard(rawImpl, { callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS });
  const c = loaded.case;
  const cell: ConformanceCell = { caseId: c.id, impl: impl.name, status: 'pass' };
  const builder = { bottleneck: impl.prepareBottleneck, network: impl.prepareNetwork, se: impl.prepareSe }[c.kind];
  if (!builder) return { ...cell, status: 'unsupported', message: `implementation has no ${c.kind} support` };
  const tolerance = toleranceFor(c.tolerance, impl.precision);
  cell.tolerance = tolerance;
  let prepared: PreparedBlock | PreparedNetwork | undefined;
  try {
    if (c.kind === 'network') {
      // Kept in `prepared` before running, so the finally below disposes it when run throws.
      const network = await impl.prepareNetwork!(c.spec, loaded.weights);
      prepared = network;
      await compareNetworkRun(impl, network, loaded, cell, tolerance);
    } else {
      const block = c.kind === 'se' ? await impl.prepareSe(c.spec, loaded.weights) : await impl.prepareBottleneck!(c.spec, loaded.weights);
      prepared = block;
      const out = await block.run(toLayout(loaded.input, impl.layout));
      cell.output = compareTensors(fromLayout(out.y, impl.layout), loaded.output, tolerance);
      if (out.gate && loaded.gate) cell.gate = compareTensors(to4d(out.gate, impl.layout), loaded.gate, tolerance);
      cell.status = cell.output.ok && (cell.gate?.ok ?? true) ? 'pass' : 'fail';
      if (cell.status === 'fail') cell.message = firstFailure({ output: cell.output, gate: cell.gate });
    }
  } catch (e) {
    cell.status = isUnsupported(e) ? 'unsupported' : 'error';
    cell.message = e instanceof Error ? e.message : String(e);
  } finally {
    try {
      await prepared?.dispose();
    } catch (e) {
      if (cell.status !== 'error') {
        cell.status = 'error';
        cell.message = `dispose failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }
  return cell;
}

/**
 * Guards each implementation (if it is not already) and probes it: its status
 * for the report, and the runnable ones, guarded, in the same order.
 */
export async function probeAll(impls: readonly SeImplementation[], callTimeoutMs: number, expected?: readonly string[]): Promise<{ implementations: ImplStatus[]; runnable: SeImplementation[] }> {
  const implementations: ImplStatus[] = [];
  const runnable: SeImplementation[] = [];
  for (const raw of impls) {
    const impl = guard(raw, { callTimeoutMs });
    const a = await impl.probe();
    implementations.push({
      name: impl.name, device: impl.device, precision: impl.precision, layout: impl.layout,
      available: a.available, expected: expected?.includes(impl.name) ?? false,
      ...(a.available ? { detail: a.detail, ...(typeof a.threads === 'number' ? { threads: a.threads } : {}) } : { reason: a.reason, installHint: a.installHint }),
    });
    if (a.available) runnable.push(impl);
  }
  return { implementations, runnable };
}

/**
 * Runs the gate: every implementation against every selected golden case,
 * each call guarded. The same report the CLI prints (formatConformance) and
 * writes (--json); `ok` is the verdict. Usable from any test runner.
 */
export async function runConformance(opts: ConformanceOptions): Promise<ConformanceReport> {
  const golden = opts.golden ?? new GoldenSet();
  const caseIds = selectByGlobs(golden.ids(), opts.cases && [...opts.cases], 'case');
  const callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const { implementations, runnable } = await probeAll(opts.implementations, callTimeoutMs, opts.expected);
  opts.onProbed?.(implementations);
  const cells: ConformanceCell[] = [];
  const failures: string[] = [];
  for (const s of implementations) {
    if (!s.available && s.expected) failures.push(`${s.name}: expected to run here but unavailable: ${s.reason} (fix: ${s.installHint})`);
  }
  for (const id of caseIds) {
    const loaded = golden.load(id);
    for (const s of implementations) {
      const impl = runnable.find((i) => i.name === s.name);
      const started = performance.now();
      const cell: ConformanceCell = impl ? await checkCase(impl, loaded) : { caseId: id, impl: s.name, status: 'skipped' as const, message: s.reason };
      cell.elapsedMs = performance.now() - started; // CI reports (JUnit) show each cell's time
      cells.push(cell);
      if (cell.status === 'fail' || cell.status === 'error') failures.push(`${id} x ${s.name}: ${cell.status}`);
      opts.onCell?.(cell);
    }
  }
  const checked = cells.some((c) => c.status === 'pass' || c.status === 'fail' || c.status === 'error');
  if (!checked && !opts.allowEmpty) failures.push(nothingChecked(implementations, cells));
  return { schema: 1, cases: caseIds, implementations, cells, failures, ok: failures.length === 0 };
}
