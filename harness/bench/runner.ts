/**
 * The benchmark engine, one job per module: options.ts plans, validate.ts
 * probes and checks every implementation against golden (the conformance
 * gate's own runner), ceilings.ts measures the rooflines, time-blocks.ts and
 * time-networks.ts time, results.ts writes. This module runs them in order,
 * writing results after every measurement; a failing measurement (an error,
 * out of memory) is recorded and the run goes on. It handles no signals and
 * never exits: the bench command does.
 */
import { join, resolve } from 'node:path';
import type { SeImplementation } from '../contract/implementation.ts';
import { TorchAnchors } from '../measure/anchors.ts';
import { readEnvironment } from '../host/environment.ts';
import type { PluginOrigin } from '../contract/plugins.ts';
import { REPO_ROOT } from '../data/paths.ts';
import { nodeWebGpu } from '../host/webgpu-node.ts';
import { torchBlockRow } from './anchor-rows.ts';
import { baselineSkip } from './baselines.ts';
import { Ceilings } from './ceilings.ts';
import type { BenchPlan, Workload } from './options.ts';
import { packageVersions } from './packages.ts';
import { progressReporter } from './progress.ts';
import { claimRunFolder, releaseRunFolder, RESULTS_SCHEMA, writeResults, type BenchResults, type BenchRow } from './results.ts';
import { timeSeBlock, type BlockWorkload } from './time-blocks.ts';
import { timeNetworks, timeTorchNetworks } from './time-networks.ts';
import { validateForPlan } from './validate.ts';
import { networkCost, networkGroups, seBlockInputs } from './workloads.ts';

/** What the runner needs from the command: the selected implementations and a log sink. */
export interface RunContext {
  impls: SeImplementation[];
  /** The float64 reference: every SE block's output on its timed input is checked against it before timing. */
  reference: SeImplementation;
  /** The guard's per-call limit, ms; a timing loop gets it plus its own expected length. */
  callTimeoutMs: number;
  log: (line: string) => void;
  /** The plug-ins among `impls`, with their files' paths and digests, recorded in results.json. */
  plugins?: PluginOrigin[];
  /**
   * Called once the run's folder is claimed and results.json first written,
   * with the live results (rewritten after every measurement): the CLI tells
   * its supervising process where they are and, on a signal, marks them
   * interrupted itself.
   */
  onStart?: (dir: string, results: BenchResults) => void;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const onGpu = (i: SeImplementation): boolean => i.device === 'webgpu' || i.device === 'gpu';

function baseRow(w: Workload, impl: SeImplementation): BenchRow {
  const shape = w.kind === 'se-block' ? [...w.shape] : [w.batch, 3, w.resolution, w.resolution];
  return {
    workload: w.id, kind: w.kind, impl: impl.name, device: impl.device, precision: impl.precision, layout: impl.layout, shape,
    ...(w.ratio === undefined ? {} : { ratio: w.ratio }),
    ...(w.kind === 'se-block' && w.se ? { family: w.family, hidden: w.se.hidden, gate: w.se.gate, hiddenActivation: w.se.hiddenActivation } : {}),
    ...(w.kind === 'network' ? { model: w.model, ...networkCost(w) } : {}), status: 'ok',
  };
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
  try {
    return await measureInto(dir, plan, ctx, environment);
  } finally {
    releaseRunFolder(dir);
  }
}

async function measureInto(dir: string, plan: BenchPlan, ctx: RunContext, environment: BenchResults['environment']): Promise<{ results: BenchResults; dir: string }> {
  const results: BenchResults = {
    schema: RESULTS_SCHEMA, createdAt: new Date().toISOString(), plan, environment,
    ...(ctx.plugins?.length ? { plugins: ctx.plugins } : {}),
    implementations: [], validation: {}, conformance: [], roofline: [], rows: [], run: { status: 'running' },
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
    if (ctx.impls.some(onGpu)) {
      const w = await nodeWebGpu();
      if (w.ok) results.gpuAdapter = w.report;
    }
    const checked = await validateForPlan(ctx.impls, plan, ctx.callTimeoutMs, (statuses) => {
      results.implementations = [...statuses];
      save();
      for (const s of statuses.filter((x) => !x.available)) ctx.log(`unavailable ${s.name}: ${s.reason} (to enable: ${s.installHint})`);
    });
    Object.assign(results, checked);
    for (const [name, v] of Object.entries(results.validation)) {
      ctx.log(`validation ${name}: ${v.status} on ${v.cases} golden cases${v.failures.length ? `; ${v.failures.slice(0, 3).join('; ')}` : ''}`);
    }
    save();
    const available = ctx.impls.filter((i) => results.implementations.find((s) => s.name === i.name)?.available);
    if (available.length === 0) {
      ctx.log('nothing to measure: none of the selected implementations can run here (reasons above)');
      finish();
      return { results, dir };
    }
    const valid = available.filter((i) => results.validation[i.name]?.status === 'pass');
    /** The row of `impl` on `w` before timing: skipped, invalid, or ok (to be timed). */
    const startRow = (w: Workload, impl: SeImplementation): BenchRow => {
      const row = baseRow(w, impl);
      const baseline = baselineSkip(impl, w, plan);
      if (!available.includes(impl)) Object.assign(row, { status: 'skipped', message: 'unavailable here' });
      else if (!valid.includes(impl)) Object.assign(row, { status: 'invalid', message: 'failed golden conformance; not timed' });
      else if (baseline) Object.assign(row, { status: 'skipped', message: baseline });
      return row;
    };

    const blocks = plan.workloads.filter((w): w is BlockWorkload => w.kind === 'se-block');
    const ceilings = new Ceilings(results, plan.minTimeMs / 2);
    if (blocks.length && (plan.torch || available.some((i) => !onGpu(i)))) await ceilings.macPeak(ctx.log);
    save();

    let anchorAbout = '';
    const groups = networkGroups(plan.workloads);
    if (plan.torch && (blocks.length || groups.length)) {
      const started = await TorchAnchors.start({ threads: plan.torch.threads, minTimeMs: plan.minTimeMs, device: 'all' });
      results.torch = started.info;
      if ('anchors' in started) {
        anchors = started.anchors;
        anchorAbout = `torch ${started.info.torch}, ${started.info.threads} thread(s)`;
        ctx.log(`PyTorch anchors: torch ${started.info.torch}, ${started.info.threads} thread(s), timed on each ${[blocks.length ? 'SE block shape' : '', groups.length ? 'network' : ''].filter(Boolean).join(' and ')} right after our implementations${started.info.cuda ? `; CUDA: ${started.info.cuda}` : `; no CUDA rows: ${started.info.noCuda}`}`);
      } else ctx.log(`PyTorch anchors unavailable: ${started.info.reason} (to enable: ${started.info.installHint})`);
      save();
    }

    const networked = ctx.impls.filter((i) => i.prepareNetwork);
    /** Computes on one thread of this process (its probe said so; not in a page or on a GPU): its calls' process CPU time is its own. */
    const oneThreadHere = (i: SeImplementation) => i.device === 'cpu' && results.implementations.find((s) => s.name === i.name)?.threads === 1;
    const total = blocks.length * ctx.impls.length + (plan.workloads.length - blocks.length) * networked.length;
    const progress = progressReporter(total, ctx.log);
    const push = async (...rows: BenchRow[]) => {
      for (const row of rows) {
        results.rows.push(row);
        progress.done(row);
      }
      save();
      // Measurements chain only microtasks; yield a macrotask so a pending Ctrl-C is handled between rows.
      await new Promise((r) => setImmediate(r));
    };
    for (const w of blocks) {
      const inputs = seBlockInputs(w);
      const refBlock = await ctx.reference.prepareSe(inputs.spec, inputs.weights);
      const refOut = await refBlock.run(inputs.input);
      await refBlock.dispose();
      for (const impl of ctx.impls) {
        progress.start(w.id, impl.name);
        const row = startRow(w, impl);
        if (row.status === 'ok') await timeSeBlock(impl, w, { y: refOut.y, inputs }, plan, ceilings, ctx.callTimeoutMs, row);
        await push(row);
      }
      if (anchors && w.ratio !== undefined) { // PyTorch's SE block anchor is the paper's block at ratio r; other families have none
        for (const a of await anchors.time(w.shape, w.ratio)) results.rows.push(await torchBlockRow(w, inputs.spec, a, ceilings, anchorAbout, plan.torch?.threads ?? 1));
        save();
      }
    }
    const networkSpeed = new Map<string, number>();
    for (const ws of groups) {
      for (const impl of networked) {
        progress.start(ws.length === 1 ? ws[0]!.id : `${ws.length} networks at ${ws[0]!.batch}x${ws[0]!.resolution}`, impl.name);
        const rows = ws.map((w) => startRow(w, impl));
        if (rows.some((r) => r.status === 'ok')) await timeNetworks(impl, ws, rows, plan, ctx.callTimeoutMs, networkSpeed, oneThreadHere(impl));
        await push(...rows);
      }
      if (anchors) {
        progress.start(`${ws.length} networks`, 'pytorch');
        results.rows.push(...(await timeTorchNetworks(anchors, ws, plan, anchorAbout, results.torch?.available === true && results.torch.threads === 1)));
        save();
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
