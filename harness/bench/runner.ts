/**
 * The benchmark engine: probe and validate implementations against golden,
 * measure the roofline and PyTorch anchors, then time each workload on each
 * valid implementation, writing results after every measurement. A failing
 * measurement (an error, out of memory) is recorded and the run goes on.
 */
import { join, resolve } from 'node:path';
import type { PreparedBlock, PreparedNetwork, SeImplementation } from '../contract/implementation.ts';
import { unguarded, withTimeout } from '../contract/guard.ts';
import { TorchAnchors, type AnchorRow, type NetworkAnchorRow } from '../measure/anchors.ts';
import { compareTensors } from '../check/compare.ts';
import { checkCase, worstRatio, type ImplStatus } from '../check/conformance.ts';
import { countNetwork } from '../model/count.ts';
import { makeNetwork, type NetworkSpec } from '../model/network.ts';
import { ratioClosestToPaper } from '../model/paper.ts';
import { readEnvironment } from '../host/environment.ts';
import { GoldenSet } from '../data/golden.ts';
import { REPO_ROOT } from '../data/paths.ts';
import { measure, sampleStats, type Measurement } from '../measure/stats.ts';
import { cpuRoofline } from '../measure/roofline.ts';
import { measureMacPeak } from '../measure/compute-peak.ts';
import { hiddenWidth, type SeSpec } from '../model/spec.ts';
import { gpuCopyBandwidth } from '../measure/roofline-gpu.ts';
import { nodeWebGpu } from '../host/webgpu-node.ts';
import { fromLayout, toLayout, type Tensor } from '../data/tensor.ts';
import { toleranceFor } from '../check/tolerances.ts';
import type { BenchPlan, Workload } from './options.ts';
import { packageVersions } from './packages.ts';
import { progressReporter } from './progress.ts';
import { claimRunFolder, RESULTS_SCHEMA, writeResults, type BenchResults, type BenchRow } from './results.ts';
import { networkInputs, seBlockInputs } from './workloads.ts';

/**
 * Implementations that exist to be right, not fast (the float64 reference, tfjs's plain-JS kernels: 0.2-1.2 s per SE
 * block call): unless named in --impl, their SE blocks are timed at one ratio, where they anchor the others; the
 * sweep over r adds nothing for them and cost over two minutes of a default run.
 */
const CORRECTNESS_BASELINES = ['reference', 'tfjs-cpu', 'browser-reference', 'browser-tfjs-cpu'];

/** The SE block ratio the baselines are timed at: 16, or the plan's ratio closest to it. */
function primaryBlockRatio(plan: BenchPlan): number | undefined {
  return ratioClosestToPaper(plan.workloads.flatMap((w) => (w.kind === 'se-block' ? [w.ratio] : [])));
}

/** True when `impl` is a correctness baseline not named in --impl and `w` is not at the primary ratio. */
function baselineRatioOnly(impl: SeImplementation, w: Extract<Workload, { kind: 'se-block' }>, plan: BenchPlan): boolean {
  return CORRECTNESS_BASELINES.includes(impl.name) && !(plan.impls?.includes(impl.name) ?? false) && w.ratio !== primaryBlockRatio(plan);
}

/** Network measurements projected to take longer than this are skipped unless the implementation is named in --impl. */
const NETWORK_BUDGET_S = 30;

/** What the runner needs from the command: the selected implementations and a log sink. */
export interface RunContext {
  impls: SeImplementation[];
  /** The float64 reference: every SE block's output on its timed input is checked against it before timing. */
  reference: SeImplementation;
  /** The guard's per-call limit, ms; a timing loop gets it plus its own expected length. */
  callTimeoutMs: number;
  log: (line: string) => void;
  /**
   * Called once the run's folder is claimed and results.json first written,
   * with the live results (rewritten after every measurement): the CLI tells
   * its supervising process where they are and, on a signal, marks them
   * interrupted itself. The runner handles no signals and never exits.
   */
  onStart?: (dir: string, results: BenchResults) => void;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function statuses(impls: SeImplementation[]): Promise<ImplStatus[]> {
  const out: ImplStatus[] = [];
  for (const impl of impls) {
    const a = await impl.probe();
    out.push({
      name: impl.name, device: impl.device, precision: impl.precision, layout: impl.layout, available: a.available, expected: false,
      ...(a.available ? { detail: a.detail } : { reason: a.reason, installHint: a.installHint }),
    });
  }
  return out;
}

/** Golden conformance of each available implementation on the case kinds the plan times. */
async function validate(impls: SeImplementation[], plan: BenchPlan, results: BenchResults, log: (l: string) => void): Promise<void> {
  const golden = new GoldenSet();
  const kinds = new Set<string>();
  if (plan.workloads.some((w) => w.kind === 'se-block')) kinds.add('se');
  if (plan.workloads.some((w) => w.kind === 'network')) kinds.add('network');
  const cases = golden.manifest.cases.filter((c) => kinds.has(c.kind)).map((c) => c.id);
  for (const impl of impls) results.validation[impl.name] = { status: 'pass', cases: 0, failures: [] };
  for (const id of cases) {
    const loaded = golden.load(id);
    for (const impl of impls) {
      if (loaded.case.kind === 'network' && !impl.prepareNetwork) continue;
      const cell = await checkCase(impl, loaded);
      results.conformance.push({ caseId: id, impl: impl.name, status: cell.status, ...(cell.output ? { worstRatio: worstRatio(cell) } : {}) });
      const v = results.validation[impl.name]!;
      v.cases++;
      if (cell.status !== 'pass') {
        v.status = 'fail';
        v.failures.push(`${id}: ${cell.status}${cell.message ? ` (${cell.message})` : ''}`);
      }
    }
  }
  for (const [name, v] of Object.entries(results.validation)) {
    log(`validation ${name}: ${v.status} on ${v.cases} golden cases${v.failures.length ? `; ${v.failures.slice(0, 3).join('; ')}` : ''}`);
  }
}

let gpuDevice: Promise<GPUDevice | undefined> | undefined;
const gpuCopies = new Map<number, number | undefined>();

/** Median GPU copy time of `bytes` on Dawn's adapter (the GPU roofline), cached; undefined when there is no adapter. */
async function gpuCopyMs(bytes: number, plan: BenchPlan, results: BenchResults): Promise<number | undefined> {
  if (gpuCopies.has(bytes)) return gpuCopies.get(bytes);
  gpuDevice ??= nodeWebGpu().then(async (w) => {
    if (!w.ok) return undefined;
    const adapter = await w.gpu.requestAdapter();
    return adapter?.requestDevice({ requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize } });
  }).catch(() => undefined);
  const device = await gpuDevice;
  let ms: number | undefined;
  if (device) {
    try {
      const c = await gpuCopyBandwidth(device, bytes, plan.minTimeMs / 2);
      (results.gpuRoofline ??= []).push(c);
      ms = c.medianMs;
    } catch {
      ms = undefined; // e.g. larger than the device's maxBufferSize: no roofline for this size
    }
  }
  gpuCopies.set(bytes, ms);
  return ms;
}

/**
 * Times runs where the implementation executes when it can (a browser page),
 * else from Node; same statistics either way. The loop calls the
 * implementation directly (unguarded: no per-call timer in the samples); the
 * whole loop is limited instead, to its expected length from `firstRunMs`
 * plus the per-call limit, so a run that hangs mid-loop fails the row.
 */
async function measureBlock(p: PreparedBlock | PreparedNetwork, x: Tensor, opts: { minTimeMs: number; minSamples: number; warmupMs: number }, firstRunMs: number, callTimeoutMs: number): Promise<Measurement> {
  const raw = unguarded(p);
  const limitMs = Math.ceil(callTimeoutMs + 4 * (opts.minTimeMs + opts.warmupMs) + 4 * (opts.minSamples + 2) * firstRunMs);
  const loop = async (): Promise<Measurement> => {
    if (raw.measureInPage) {
      const r = await raw.measureInPage(x, opts);
      return { coldMs: r.coldMs, ...sampleStats(r.samplesMs) };
    }
    return measure(() => raw.run(x), opts);
  };
  return withTimeout(loop(), limitMs, 'timing loop');
}

function baseRow(w: Workload, impl: SeImplementation): BenchRow {
  const shape = w.kind === 'se-block' ? [...w.shape] : [w.batch, 3, w.resolution, w.resolution];
  return {
    workload: w.id, kind: w.kind, impl: impl.name, device: impl.device, precision: impl.precision, layout: impl.layout, shape,
    ...(w.ratio === undefined ? {} : { ratio: w.ratio }), ...(w.kind === 'network' ? { model: w.model } : {}), status: 'ok',
  };
}

/** FC multiply-adds of an SE block on `shape` [N, C, H, W]: N * (C * hidden + hidden * C). */
function fcMacs(spec: SeSpec, shape: readonly number[]): number {
  return shape[0]! * 2 * spec.channels * hiddenWidth(spec);
}

/** A CPU row's compute floor and % of the one-thread floor max(copy, compute); nothing when either is unknown. */
function floorFields(copyMs: number | undefined, computeFloorMs: number | undefined, medianMs: number): Partial<BenchRow> {
  if (copyMs === undefined || computeFloorMs === undefined) return {};
  return { computeFloorMs, floorPct: (100 * Math.max(copyMs, computeFloorMs)) / medianMs };
}

/** Times one SE block workload on one implementation; the output is first checked against the float64 reference. */
async function timeSeBlock(impl: SeImplementation, w: Extract<Workload, { kind: 'se-block' }>, ref: { y: Tensor; inputs: ReturnType<typeof seBlockInputs> }, plan: BenchPlan, ctx: RunContext, copyMs: number | undefined, computeFloorMs: number | undefined, row: BenchRow): Promise<void> {
  let prepared: PreparedBlock | undefined;
  try {
    const p0 = performance.now();
    prepared = await impl.prepareSe(ref.inputs.spec, ref.inputs.weights);
    row.prepareMs = performance.now() - p0;
    const block = prepared;
    const x = toLayout(ref.inputs.input, impl.layout);
    const staged = block.stage ? block.stage(x) : x;
    const t0 = performance.now();
    const first = await block.run(staged);
    const firstRunMs = performance.now() - t0;
    const check = compareTensors(fromLayout(first.y, impl.layout), ref.y, toleranceFor('se-block', impl.precision));
    row.checkRatio = check.worstRatio;
    if (!check.ok) {
      Object.assign(row, { status: 'invalid', message: `output differs from the float64 reference on this input (max abs error ${check.maxAbsErr}); not timed` });
      return;
    }
    const opts = { minTimeMs: plan.minTimeMs, minSamples: plan.minSamples, warmupMs: plan.minTimeMs / 5 };
    const firstBuffer = first.y.data.buffer;
    const m = await measureBlock(block, staged, opts, firstRunMs, ctx.callTimeoutMs);
    const inPage = Boolean(unguarded(block).measureInPage);
    const gpu = impl.device === 'webgpu' || impl.device === 'gpu';
    // On the CPU, one more call after timing shows whether run() hands back the same memory every time (a view) or a new array.
    const view = !inPage && !gpu && (await block.run(staged)).y.data.buffer === firstBuffer;
    row.timedRegion = { input: block.stage ? 'staged' : 'in-run', output: inPage ? 'page' : gpu ? 'read-back' : view ? 'view' : 'fresh', clock: inPage ? 'page' : 'node' };
    const [n, c, h, wd] = w.shape;
    row.bytes = 2 * 4 * n * c * h * wd;
    Object.assign(row, { measurement: m, imagesPerS: (n * 1000) / m.medianMs, gbPerS: row.bytes / (m.medianMs * 1e6) });
    if (block.runDeviceOnly) {
      const device = block.runDeviceOnly.bind(block);
      const gpu: number[] = [];
      const d = await measure(async () => { gpu.push(await device()); }, opts);
      const timed = gpu.filter(Number.isFinite);
      row.deviceOnly = { medianMs: d.medianMs, madMs: d.madMs, gpuMedianMs: timed.length ? sampleStats(timed).medianMs : Number.NaN, samples: d.sampleCount };
    }
    // GPU rows against the GPU's own copy, on the kernels alone when the implementation can time them so.
    const basis = row.deviceOnly?.medianMs ?? m.medianMs;
    if (copyMs !== undefined) row.rooflinePct = (100 * copyMs) / basis;
    Object.assign(row, floorFields(copyMs, computeFloorMs, m.medianMs));
  } catch (e) {
    Object.assign(row, { status: 'failed', message: errorText(e) });
  } finally {
    try {
      await prepared?.dispose();
    } catch (e) {
      row.message = `${row.message ?? ''} dispose failed: ${errorText(e)}`.trim();
    }
  }
}

/**
 * Times one network workload. The first (cold) run also projects the whole
 * measurement: over the budget, and the implementation not named in --impl,
 * the row is skipped with the projection, and `speed` remembers the seconds
 * per GMAC so later network workloads of that implementation skip at once.
 */
async function timeNetwork(impl: SeImplementation, w: Extract<Workload, { kind: 'network' }>, plan: BenchPlan, ctx: RunContext, row: BenchRow, speed: Map<string, number>): Promise<void> {
  const named = plan.impls?.includes(impl.name) ?? false;
  const { net, weights, input } = networkInputs(w);
  const cost = countNetwork(net, w.resolution);
  Object.assign(row, { params: cost.params, macs: cost.macs, flops: cost.flops });
  const gmacs = (cost.macs * w.batch) / 1e9;
  const project = (perGmac: number) => perGmac * gmacs * (plan.netMinSamples + 1);
  const skip = (seconds: number, how: string) => Object.assign(row, {
    status: 'skipped', message: `${how} ${seconds.toFixed(0)} s for this measurement, over the ${NETWORK_BUDGET_S} s budget; name it in --impl to time it anyway`,
  });
  const known = speed.get(impl.name);
  if (known !== undefined && !named && project(known) > NETWORK_BUDGET_S) {
    skip(project(known), 'projected');
    return;
  }
  let prepared: PreparedNetwork | undefined;
  try {
    const p0 = performance.now();
    prepared = await impl.prepareNetwork!(net, weights);
    row.prepareMs = performance.now() - p0;
    const p = prepared;
    const x = toLayout(input, impl.layout);
    const t0 = performance.now();
    await p.run(x);
    const coldMs = performance.now() - t0;
    speed.set(impl.name, coldMs / 1000 / gmacs);
    if (!named && project(coldMs / 1000 / gmacs) > NETWORK_BUDGET_S) {
      skip(project(coldMs / 1000 / gmacs), `its first run took ${(coldMs / 1000).toFixed(1)} s: about`);
      return;
    }
    const m = await measureBlock(p, x, { minTimeMs: plan.minTimeMs * 2, minSamples: plan.netMinSamples, warmupMs: 0 }, coldMs, ctx.callTimeoutMs);
    Object.assign(row, { measurement: { ...m, coldMs }, imagesPerS: (w.batch * 1000) / m.medianMs });
  } catch (e) {
    Object.assign(row, { status: 'failed', message: errorText(e) });
  } finally {
    await Promise.resolve(prepared?.dispose()).catch(() => {});
  }
}

/** A PyTorch anchor row for SE workload `w`, beside our rows for it (CPU rows get % of the CPU copy roofline). */
function torchRow(w: Extract<Workload, { kind: 'se-block' }>, a: AnchorRow, copyMs: Map<number, number>, computeFloorMs: number | undefined, about: string): BenchRow {
  const row: BenchRow = {
    workload: w.id, kind: 'torch', impl: `pytorch-${a.variant ?? 'eager'}-${a.device}`,
    device: a.device === 'cuda' ? 'gpu' : 'cpu', precision: 'fp32', layout: 'NCHW', shape: [...w.shape], ratio: w.ratio,
    status: a.available ? 'ok' : 'skipped',
  };
  if (!a.available) {
    row.message = a.reason;
    return row;
  }
  row.bytes = 2 * 4 * w.shape.reduce((x, y) => x * y, 1);
  Object.assign(row, { measurement: a.stats, imagesPerS: (w.shape[0]! * 1000) / a.stats.medianMs, gbPerS: row.bytes / (a.stats.medianMs * 1e6) });
  row.timedRegion = { input: 'in-place', output: 'fresh', clock: 'python' }; // the module allocates its output each call
  const copy = copyMs.get(row.bytes);
  if (copy !== undefined && a.device === 'cpu') {
    row.rooflinePct = (100 * copy) / a.stats.medianMs;
    Object.assign(row, floorFields(copy, computeFloorMs, a.stats.medianMs));
  }
  row.message = about;
  return row;
}

/**
 * The PyTorch anchor row for network workload `w`, beside our rows for it: the
 * same model, SE options, batch and resolution, with the same exact costs and
 * the cold first run apart, like our network rows.
 */
function torchNetworkRow(w: Extract<Workload, { kind: 'network' }>, a: NetworkAnchorRow, about: string): BenchRow {
  const row: BenchRow = {
    workload: w.id, kind: 'torch', impl: `pytorch-${a.variant ?? 'eager'}-${a.device}`, model: w.model,
    device: a.device === 'cuda' ? 'gpu' : 'cpu', precision: 'fp32', layout: 'NCHW', shape: [w.batch, 3, w.resolution, w.resolution],
    ...(w.ratio === undefined ? {} : { ratio: w.ratio }), status: a.available ? 'ok' : 'skipped',
  };
  const cost = countNetwork(anchorNetwork(w), w.resolution);
  Object.assign(row, { params: cost.params, macs: cost.macs, flops: cost.flops });
  if (!a.available) {
    row.message = a.reason;
    return row;
  }
  Object.assign(row, { measurement: { ...a.stats, coldMs: a.coldMs }, imagesPerS: (w.batch * 1000) / a.stats.medianMs, message: about });
  return row;
}

/** The network of workload `w`, as networkInputs builds it (without drawing its weights). */
function anchorNetwork(w: Extract<Workload, { kind: 'network' }>): NetworkSpec {
  return w.ratio === undefined ? makeNetwork(w.model) : makeNetwork(w.model, { ratio: w.ratio });
}

/** Where the plan's results go: --out, or reports/<timestamp>-<host>/ in the checkout (in the portable pack: in the pack's folder). */
export function runFolder(plan: Pick<BenchPlan, 'out'>, host: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return resolve(plan.out ?? join(REPO_ROOT, 'reports', `${stamp}-${host}`));
}

/** Runs the plan (claiming its folder first: see claimRunFolder); returns the results and where they were written. */
export async function runBench(plan: BenchPlan, ctx: RunContext): Promise<{ results: BenchResults; dir: string }> {
  const environment = { ...readEnvironment(), packages: packageVersions() };
  const dir = runFolder(plan, environment.host);
  claimRunFolder(dir);
  const results: BenchResults = {
    schema: RESULTS_SCHEMA, createdAt: new Date().toISOString(), plan, environment,
    implementations: await statuses(ctx.impls), validation: {}, conformance: [], roofline: [], rows: [], run: { status: 'running' },
  };
  const save = () => writeResults(dir, results);
  save();
  ctx.onStart?.(dir, results);
  ctx.log(`results: ${join(dir, 'results.json')} (and results.csv), rewritten after every measurement`);
  const finish = () => {
    results.run = { status: 'complete' };
    results.finishedAt = new Date().toISOString();
    save();
  };
  let anchors: TorchAnchors | undefined;
  try {
    if (ctx.impls.some((i) => i.device === 'webgpu' || i.device === 'gpu')) {
      const w = await nodeWebGpu();
      if (w.ok) results.gpuAdapter = w.report;
    }
    const available = ctx.impls.filter((i) => results.implementations.find((s) => s.name === i.name)!.available);
    for (const s of results.implementations.filter((x) => !x.available)) ctx.log(`unavailable ${s.name}: ${s.reason} (to enable: ${s.installHint})`);
    if (available.length === 0) {
      ctx.log('nothing to measure: none of the selected implementations can run here (reasons above)');
      finish();
      return { results, dir };
    }
    await validate(available, plan, results, ctx.log);
    save();
    const valid = available.filter((i) => results.validation[i.name]!.status === 'pass');

    const blocks = plan.workloads.filter((w): w is Extract<Workload, { kind: 'se-block' }> => w.kind === 'se-block');
    const copyMs = new Map<number, number>();
    for (const bytes of new Set(blocks.map((w) => 4 * w.shape.reduce((a, b) => a * b, 1)))) {
      const r = await cpuRoofline(bytes, plan.minTimeMs / 2);
      results.roofline.push(...r.all);
      copyMs.set(2 * bytes, r.best.stats.medianMs);
    }
    if (blocks.length && (plan.torch || available.some((i) => i.device !== 'webgpu' && i.device !== 'gpu'))) {
      try {
        results.macPeak = await measureMacPeak(plan.minTimeMs / 2);
        ctx.log(`compute ceiling: ${results.macPeak.gmacPerS.toFixed(1)} GMAC/s (${results.macPeak.method})`);
      } catch (e) {
        ctx.log(`compute ceiling not measured (${errorText(e)}); CPU rows get no floor column`);
      }
    }
    save();

    let anchorAbout = '';
    const networks = plan.workloads.some((w) => w.kind === 'network');
    if (plan.torch && (blocks.length || networks)) {
      const started = await TorchAnchors.start({ threads: plan.torch.threads, minTimeMs: plan.minTimeMs, device: 'all' });
      results.torch = started.info;
      if ('anchors' in started) {
        anchors = started.anchors;
        anchorAbout = `torch ${started.info.torch}, ${started.info.threads} thread(s)`;
        ctx.log(`PyTorch anchors: torch ${started.info.torch}, ${started.info.threads} thread(s), timed on each ${[blocks.length ? 'SE block shape' : '', networks ? 'network' : ''].filter(Boolean).join(' and ')} right after our implementations${started.info.cuda ? `; CUDA: ${started.info.cuda}` : `; no CUDA rows: ${started.info.noCuda}`}`);
      } else ctx.log(`PyTorch anchors unavailable: ${started.info.reason} (to enable: ${started.info.installHint})`);
      save();
    }

    const total = plan.workloads.reduce((acc, w) => acc + (w.kind === 'se-block' ? ctx.impls.length : ctx.impls.filter((i) => i.prepareNetwork).length), 0);
    const progress = progressReporter(total, ctx.log);
    const push = async (row: BenchRow) => {
      results.rows.push(row);
      save();
      progress.done(row);
      // Measurements chain only microtasks; yield a macrotask so a pending Ctrl-C is handled between rows.
      await new Promise((r) => setImmediate(r));
    };
    const networkSpeed = new Map<string, number>();
    for (const w of plan.workloads) {
      if (w.kind === 'se-block') {
        const inputs = seBlockInputs(w);
        const refBlock = await ctx.reference.prepareSe(inputs.spec, inputs.weights);
        const refOut = await refBlock.run(inputs.input);
        await refBlock.dispose();
        const computeFloorMs = results.macPeak && fcMacs(inputs.spec, w.shape) / (results.macPeak.gmacPerS * 1e6);
        for (const impl of ctx.impls) {
          progress.start(w.id, impl.name);
          const row = baseRow(w, impl);
          if (!available.includes(impl)) Object.assign(row, { status: 'skipped', message: 'unavailable here' });
          else if (!valid.includes(impl)) Object.assign(row, { status: 'invalid', message: 'failed golden conformance; not timed' });
          else if (baselineRatioOnly(impl, w, plan)) {
            Object.assign(row, { status: 'skipped', message: `a correctness baseline, timed at r = ${primaryBlockRatio(plan)} only; name it in --impl to time every ratio` });
          } else {
            const bytes = 4 * w.shape.reduce((a, b) => a * b, 1);
            const onGpu = impl.device === 'webgpu' || impl.device === 'gpu';
            const copy = onGpu ? await gpuCopyMs(bytes, plan, results) : copyMs.get(2 * bytes);
            await timeSeBlock(impl, w, { y: refOut.y, inputs }, plan, ctx, copy, onGpu ? undefined : computeFloorMs, row);
          }
          await push(row);
        }
        if (anchors) {
          for (const a of await anchors.time(w.shape, w.ratio)) results.rows.push(torchRow(w, a, copyMs, computeFloorMs, anchorAbout));
          save();
        }
      } else {
        for (const impl of ctx.impls.filter((i) => i.prepareNetwork)) {
          progress.start(w.id, impl.name);
          const row = baseRow(w, impl);
          if (!available.includes(impl)) Object.assign(row, { status: 'skipped', message: 'unavailable here' });
          else if (!valid.includes(impl)) Object.assign(row, { status: 'invalid', message: 'failed golden conformance; not timed' });
          else await timeNetwork(impl, w, plan, ctx, row, networkSpeed);
          await push(row);
        }
        if (anchors) {
          // The same limits as our network rows (twice the time, netMinSamples, the budget), so both sides are measured alike.
          progress.start(w.id, 'pytorch');
          const se = anchorNetwork(w).se;
          const request = { model: w.model, ...(se ? { se } : {}), batch: w.batch, resolution: w.resolution, minTimeMs: plan.minTimeMs * 2, minSamples: plan.netMinSamples, budgetS: NETWORK_BUDGET_S };
          for (const a of await anchors.timeNetwork(request)) results.rows.push(torchNetworkRow(w, a, anchorAbout));
          save();
        }
      }
    }
    progress.finish();
    finish();
  } catch (e) {
    results.run = { status: 'crashed', error: errorText(e) };
    save();
    throw e;
  } finally {
    anchors?.close();
  }
  return { results, dir };
}
