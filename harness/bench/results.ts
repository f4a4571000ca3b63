/**
 * Benchmark results: a versioned JSON document rewritten (atomically) after
 * every measurement, and a CSV with one row per measurement, so an interrupted
 * run keeps everything measured so far. Exporters are separate from measuring.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { AnchorInfo } from '../measure/anchors.ts';
import type { PluginOrigin } from '../contract/plugins.ts';
import type { ImplStatus } from '../check/conformance.ts';
import type { Environment } from '../host/environment.ts';
import type { AdapterReport } from '../host/webgpu-node.ts';
import { toJson } from '../data/json.ts';
import { UsageError } from '../data/select.ts';
import type { Measurement } from '../measure/stats.ts';
import type { CopyMeasurement } from '../measure/roofline.ts';
import type { ThreadedMeasurement } from '../measure/roofline-threads.ts';
import type { MacPeak } from '../measure/compute-peak.ts';
import type { GpuCopyMeasurement } from '../measure/roofline-gpu.ts';
import type { PairingRecord } from './pairs.ts';
import type { OperatorProfile } from '../contract/implementation.ts';

/** Schema id of results.json; bump on incompatible changes. */
export const RESULTS_SCHEMA = 'se-bench/results@1';

export type RowStatus = 'ok' | 'invalid' | 'failed' | 'skipped';

/** One measurement (or why there is none). */
/**
 * What one sample of a row contains, as the harness saw it (not as the
 * implementation claims): where the input came from, what happened to the
 * output, and which clock timed it. Rows with different regions time different
 * things; the summary and the report print it beside each row.
 */
export interface TimedRegion {
  /** `staged`: stage() put the input in place before timing; `in-run`: run() gets the host array and moves it itself; `in-place`: PyTorch's tensor, already on its device. */
  input: 'staged' | 'in-run' | 'in-place';
  /** `view`: run() returns a view of the same CPU memory each call (nothing copied out); `fresh`: a new array each call; `read-back`: copied from the GPU each call; `page`: read back inside the page. */
  output: 'view' | 'fresh' | 'read-back' | 'page';
  /** `node`: Node's clock around an awaited run(); `page`: the browser page's own clock; `python`: the PyTorch anchor's (CUDA synchronised per call). */
  clock: 'node' | 'page' | 'python';
}

/** `staged/reused/node`: the region in one short token, for table cells. */
export function timedRegionText(t: TimedRegion | undefined): string {
  return t ? `${t.input}/${t.output}/${t.clock}` : '';
}

export interface BenchRow {
  /** Workload id (`se/stage2-256x56x56/b8/r16`, `net/se-resnet50-r16/224/b1`); a PyTorch anchor row carries the id of the workload it anchors. */
  workload: string;
  /** `torch`: a PyTorch anchor, of an SE block shape or (with `model` set) of a whole network; see isNetworkRow / isSeBlockRow. */
  kind: 'se-block' | 'network' | 'torch';
  impl: string;
  device: string;
  precision: string;
  layout: string;
  /** Input shape [N, C, H, W]. */
  shape: number[];
  ratio?: number;
  /** SE blocks of a family other than ResNet-50's (--blocks): the network whose SE block this is, and that block's hidden width, gate and activation (no ratio). */
  family?: string;
  hidden?: number;
  gate?: string;
  hiddenActivation?: string;
  /** Networks (ours and PyTorch's): the model name. */
  model?: string;
  status: RowStatus;
  message?: string;
  measurement?: Omit<Measurement, 'coldMs'> & { coldMs?: number };
  /** Ours: prepare* time, ms (an ONNX Runtime session's creation, a WGSL pipeline's compile), apart from the cold first run. */
  prepareMs?: number;
  imagesPerS?: number;
  /** SE blocks: bytes an SE block must move (input read once, output written once) and the rate achieved. */
  bytes?: number;
  gbPerS?: number;
  /**
   * CPU SE blocks: threads the run used (PreparedBlock.threadsFor; PyTorch's
   * --torch-threads); the roofline and floor are measured with as many.
   * Absent: one (an implementation that does not say).
   */
  threads?: number;
  /** SE blocks: copy time of `bytes` (with `threads` threads) / SE time, percent: how close to the memory roofline (GPU rows: GPU copy / device-only time). */
  rooflinePct?: number;
  /**
   * CPU SE blocks: the cache-aware memory floor, ms: one read for the squeeze
   * and one read plus one write for the scale, at the bandwidths measured
   * with `threads` threads. The copy of the tensor gives a read from where
   * the input lives plus the write; the second read is a SIMD128 read of one
   * image per thread (the least a kernel must squeeze before it can scale),
   * repeated, so it runs at the bandwidth of the cache level an image fits
   * in (memory when it fits none), times the images.
   */
  memoryFloorMs?: number;
  /**
   * CPU SE blocks: the FCs' multiply-adds (N * 2 * C * C/r) at the SIMD128
   * peak (BenchResults.macPeak) of `threads` cores, in ms: the least time
   * that many threads of SIMD128 code need for them.
   */
  computeFloorMs?: number;
  /**
   * CPU SE blocks: max(memoryFloorMs, computeFloorMs) / SE time, percent: how
   * close to what the row's data movement or FCs require on its thread count,
   * whichever binds. Above 100 means faster than SIMD128 on that many
   * threads can be (wider native vectors, as PyTorch's).
   */
  floorPct?: number;
  /** GPU implementations: kernels alone, no upload or read-back: wall time to onSubmittedWorkDone, and timestamp-query GPU time (NaN without). */
  deviceOnly?: { medianMs: number; madMs: number; gpuMedianMs: number; samples: number };
  /** SE blocks (ours and PyTorch's): what each sample contains; see TimedRegion. */
  timedRegion?: TimedRegion;
  /** SE blocks: worst error against the float64 reference on this very input, share of the fp32 tolerance. */
  checkRatio?: number;
  /**
   * Networks compared as pairs (pairs.ts): on an SE row, its pairing with the
   * plain row `baseline` (samplesMs[i] of both are the two calls of pair i),
   * the ratio's interval and how the sampling stopped.
   */
  pairing?: PairingRecord;
  /** Networks timed on one thread of this process (or PyTorch's, at one thread): the process's CPU time (user + system) of each sample, ms, in samplesMs's order. */
  cpuSamplesMs?: number[];
  /** Networks with --profile: time per operator type of one call, from the engine's own profiler, or why there is none. */
  profile?: OperatorProfile;
  /** Networks: exact cost of the model (count.ts), per image. */
  params?: number;
  macs?: number;
  flops?: number;
}

/**
 * How the run ended, rewritten with every save: `running` until the end, so a
 * file left `running` belongs to a process that was killed outright (or is
 * still going).
 */
export type RunState =
  | { status: 'running' }
  | { status: 'complete' }
  | { status: 'interrupted'; signal: string }
  | { status: 'crashed'; error: string };

/** A ceiling the run could not measure, and why; rows it would have served have no roofline or floor column. */
export interface MissingCeiling {
  ceiling: 'cpu-copy' | 'cpu-read' | 'gpu-copy' | 'mac-peak';
  /** Copies: the size of one copy (as in `roofline` and `gpuRoofline`), half what an SE block moves; reads: the bytes read. */
  bytes?: number;
  /** CPU ceilings measured with more than one thread: how many. */
  threads?: number;
  reason: string;
}

/** The whole results document. */
export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  createdAt: string;
  finishedAt?: string;
  /** Absent in files written before it existed: see runState. */
  run?: RunState;
  /** Files written before `run` existed: set when Ctrl-C stopped the run. */
  interrupted?: boolean;
  plan: unknown;
  environment: Environment & { packages: Record<string, string> };
  /** The plug-ins timed (--impl-module, --page-module, --impl-onnx): name, declared name, kind, file path and sha256; absent without plug-ins. */
  plugins?: PluginOrigin[];
  implementations: ImplStatus[];
  /** Golden conformance per implementation before any of its numbers count. */
  validation: Record<string, { status: 'pass' | 'fail'; cases: number; failures: string[] }>;
  /** The conformance matrix behind `validation`: worst error as a share of the tolerance per (case, implementation). */
  conformance: { caseId: string; impl: string; status: string; worstRatio?: number }[];
  /** Set by --compare: the regression gate's matched changes against a baseline. */
  comparison?: { baseline: string; maxSlowdownPct: number; changes?: unknown[]; refused?: string };
  /** Copy bandwidth at each SE block size (CPU), the roofline; `threads` on copies split over more than one thread. */
  roofline: (CopyMeasurement | ThreadedMeasurement)[];
  /** SIMD128 read bandwidth per size and thread count: with the copy, the cache-aware floor of CPU SE blocks. */
  readCeiling?: ThreadedMeasurement[];
  /** One-thread SIMD128 multiply-add rate, the compute ceiling of CPU SE blocks (measured when any ran). */
  macPeak?: MacPeak;
  /** The same on the GPU (copyBufferToBuffer), when a webgpu implementation ran. */
  gpuRoofline?: GpuCopyMeasurement[];
  /** Ceilings that could not be measured (a GPU copy over the device's buffer limit, no GPU device...), with the reason. */
  ceilingsMissing?: MissingCeiling[];
  /** Dawn's adapter in Node (vendor, architecture, device, description with the driver, software or hardware), when a webgpu or gpu implementation was selected and one was found. */
  gpuAdapter?: AdapterReport;
  torch?: AnchorInfo;
  rows: BenchRow[];
}

/** How a run ended, also for files written before `run` existed (interrupted flag, or finishedAt). */
export function runState(r: Pick<BenchResults, 'run' | 'interrupted' | 'finishedAt'>): RunState {
  if (r.run) return r.run;
  if (r.interrupted) return { status: 'interrupted', signal: 'SIGINT' };
  return r.finishedAt ? { status: 'complete' } : { status: 'running' };
}

/** One line for a run that did not complete, for the summary and the report; undefined when it did. */
export function runWarning(state: RunState): string | undefined {
  switch (state.status) {
    case 'complete': return undefined;
    case 'interrupted': return `INCOMPLETE: this run was interrupted (${state.signal}); only the measurements it finished are here`;
    case 'crashed': return `INCOMPLETE: this run crashed (${state.error}); only the measurements before the crash are here`;
    case 'running': return 'INCOMPLETE: this run has no end marker: it was killed before it could write one, or it is still running';
  }
}

/** True when the row holds a measurement (status ok). */
export function measured(r: BenchRow): boolean {
  return r.status === 'ok' && r.measurement !== undefined;
}

/** True for a whole-network measurement: ours (kind `network`) or PyTorch's (kind `torch` with a model). */
export function isNetworkRow(r: BenchRow): boolean {
  return r.kind === 'network' || (r.kind === 'torch' && r.model !== undefined);
}

/** True for an SE block measurement: ours (kind `se-block`) or PyTorch's on an SE block shape (kind `torch`, no model). */
export function isSeBlockRow(r: BenchRow): boolean {
  return r.kind === 'se-block' || (r.kind === 'torch' && r.model === undefined);
}

/** CSV columns, in order; documented in reports/README.md. */
export const CSV_COLUMNS = [
  'workload', 'kind', 'impl', 'device', 'precision', 'layout', 'shape', 'ratio', 'model', 'status', 'message',
  'median_ms', 'p90_ms', 'p99_ms', 'mad_ms', 'rme_pct', 'samples', 'outliers', 'cold_ms', 'prepare_ms', 'images_per_s', 'bytes', 'gb_per_s',
  'roofline_pct', 'compute_floor_ms', 'floor_pct', 'device_only_ms', 'gpu_ms', 'timed_region', 'check_ratio', 'params', 'macs', 'flops', 'noise_warning', 'threads', 'memory_floor_ms',
] as const;

function csvRow(r: BenchRow): unknown[] {
  const m = r.measurement;
  return [r.workload, r.kind, r.impl, r.device, r.precision, r.layout, r.shape.join('x'), r.ratio, r.model, r.status, r.message,
    m?.medianMs, m?.p90Ms, m?.p99Ms, m?.madMs, m?.rmePct, m?.sampleCount, m?.outliers, m?.coldMs, r.prepareMs, r.imagesPerS, r.bytes, r.gbPerS,
    r.rooflinePct, r.computeFloorMs, r.floorPct, r.deviceOnly?.medianMs, r.deviceOnly?.gpuMedianMs, timedRegionText(r.timedRegion) || undefined, r.checkRatio, r.params, r.macs, r.flops, m?.noiseWarning, r.threads, r.memoryFloorMs];
}

/** CSV text of the rows; text cells that could run as spreadsheet formulas are escaped. */
export function resultsCsv(rows: BenchRow[]): string {
  return stringify(rows.map(csvRow), { header: true, columns: [...CSV_COLUMNS], escape_formulas: true });
}

function atomicWrite(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The files a run writes into its folder; an earlier run's are never overwritten. */
export const RUN_FILES = ['results.json', 'results.csv', 'report.html'] as const;

/** When an earlier run in `dir` began, from its results.json, for the message. */
function earlierRun(dir: string): string {
  try {
    const created = (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { createdAt?: unknown }).createdAt;
    return typeof created === 'string' ? ` (a run started ${created})` : '';
  } catch {
    return '';
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns
 * for a path under /proc (it retries ENOENT forever).
 */
function makeFolders(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeFolders(parent);
  mkdirSync(dir);
}

/** `--out=DIR` for a run or a report: a folder, created if missing, that this process can write; anything else is a UsageError. */
export function writableFolder(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out: ${dir} is a file; give a folder (created if missing)`);
  try {
    makeFolders(dir);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out: cannot write into ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a folder you can write`);
  }
}

/** The lock a run holds on its folder while it writes there: its pid and start time. */
export const LOCK_FILE = '.se-bench.lock';
/** A lock file that cannot be read yet is another run's being written, for this long; older, it is stale. */
const UNREADABLE_LOCK_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, under another user
  }
}

/** Who holds the lock at `path`: a pid and start, 'starting' (not readable yet, and new), or undefined (stale or gone). */
function lockHolder(path: string): { pid: number; startedAt: string } | 'starting' | undefined {
  try {
    const held = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; startedAt?: unknown };
    if (typeof held.pid === 'number' && Number.isInteger(held.pid) && held.pid > 0) {
      return alive(held.pid) ? { pid: held.pid, startedAt: String(held.startedAt ?? 'at an unknown time') } : undefined;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  try {
    return Date.now() - statSync(path).mtimeMs < UNREADABLE_LOCK_MS ? 'starting' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `dir`'s lock for this process (created exclusively, so of two runs
 * starting at once one wins); a lock whose process is gone is stale and
 * replaced. Held by a live run: a UsageError naming it.
 */
function takeLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`, { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--out: cannot write a lock into ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a folder you can write`);
    }
    const holder = lockHolder(path);
    if (holder === 'starting') throw new UsageError(`--out: another bench run is starting in ${dir} (its lock ${LOCK_FILE} is new); give another folder`);
    if (holder?.pid === process.pid) return;
    if (holder) throw new UsageError(`--out: ${dir} is held by another bench run (pid ${holder.pid}, started ${holder.startedAt}); wait for it to finish or give another folder`);
    rmSync(path, { force: true }); // stale: the run that held it is gone
  }
  throw new UsageError(`--out: could not lock ${dir}: other runs keep taking it; give another folder`);
}

/** Gives up this process's lock on `dir` (a lock of another process is left alone). */
export function releaseRunFolder(dir: string): void {
  const path = join(dir, LOCK_FILE);
  const holder = lockHolder(path);
  if (holder !== 'starting' && holder?.pid === process.pid) rmSync(path, { force: true });
}

/**
 * Makes `dir` ready for a new run before anything is measured: a writable
 * folder (writableFolder), locked for this process (no other live run is
 * writing there), holding no earlier run's files. Anything else is a
 * UsageError saying what to give instead. Calling it again from the same
 * process is harmless; releaseRunFolder gives the lock up.
 */
export function claimRunFolder(dir: string): void {
  writableFolder(dir);
  takeLock(dir);
  const taken = RUN_FILES.filter((f) => existsSync(join(dir, f)));
  if (taken.length) {
    releaseRunFolder(dir);
    throw new UsageError(`--out: ${dir} already holds ${taken.join(', ')}${earlierRun(dir)}; se-bench never overwrites a measurement: give a new folder (or move that one away)`);
  }
}

/** Writes results.json and results.csv into `dir`. */
export function writeResults(dir: string, results: BenchResults): { json: string; csv: string } {
  const json = `${dir}/results.json`;
  const csv = `${dir}/results.csv`;
  atomicWrite(json, `${toJson(results)}\n`);
  atomicWrite(csv, resultsCsv(results.rows));
  return { json, csv };
}
