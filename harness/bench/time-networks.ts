/**
 * Timing whole networks. The networks of one batch and resolution (a plain
 * ResNet-50 and its SE variants) are timed together on each implementation:
 * all prepared and run cold, one untimed call each, then sampled as pairs
 * (pairs.ts): one call of each network per cycle, the order reversing every
 * cycle, until each SE network's ratio to its plain one is resolved to the
 * plan's precision or the time budget runs out. Each SE row records its
 * pairing. PyTorch's networks are paired the same way inside its process.
 *
 * Each first (cold) run projects the minimum measurement (the minimum pairs
 * and the untimed call): over NETWORK_BUDGET_S, and the implementation not
 * named in --impl, that network is skipped with the projection, and later
 * networks of the implementation are projected from its seconds per GMAC
 * without being prepared.
 */
import { unguarded, withTimeout } from '../contract/guard.ts';
import { isUnsupported, type PreparedNetwork, type SeImplementation } from '../contract/implementation.ts';
import { toLayout, type Tensor } from '../data/tensor.ts';
import type { TorchAnchors } from '../measure/anchors.ts';
import { sampleStats } from '../measure/stats.ts';
import { makeNetwork, resNetSe } from '../model/network.ts';
import { torchNetworkRow } from './anchor-rows.ts';
import type { BenchPlan } from './options.ts';
import { PROFILE_CALLS, profileNetwork } from './profile.ts';
import { pairingRecord, samplePaired, type CallTimes, type Comparison, type CycleBatch, type PairedSeries, type PairPlan } from './pairs.ts';
import type { BenchRow } from './results.ts';
import { networkCost, networkInputs, workloadNetwork, type NetworkWorkload } from './workloads.ts';

/**
 * A network whose minimum measurement (its cold run projecting the minimum
 * pairs and the untimed call) would take longer than this is skipped unless
 * the implementation is named in --impl: the correctness baselines (17-23 s
 * a call) are not timed on networks by default.
 */
export const NETWORK_BUDGET_S = 60;
/** No comparison takes more pairs than this, however fast (a tiny network at --quick). */
const MAX_PAIRS = 1000;
/** PyTorch cycles per request past the minimum: one request costs a round trip, a few pairs keep the check frequent. */
const TORCH_CHUNK = 2;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Calls one network's minimum measurement takes after its cold run: what a budget projection counts. */
const plannedCalls = (plan: BenchPlan): number => plan.netMinSamples + 1;

/** Each SE workload of `ws` against its plain baseline, where the group holds it (a network without one is sampled, not compared). */
export function networkComparisons(ws: readonly NetworkWorkload[]): Comparison[] {
  const out: Comparison[] = [];
  ws.forEach((w, other) => {
    const baseName = makeNetwork(w.model).baseline;
    const base = ws.findIndex((b) => b.model === baseName && b.ratio === undefined);
    if (base >= 0 && base !== other) out.push({ base, other });
  });
  return out;
}

/** The plan's pairing limits for `comparisons` comparisons (at least one budget: a group without a baseline still takes its minimum). */
export function pairPlan(plan: BenchPlan, comparisons: number, chunk = 1): PairPlan {
  return { minPairs: plan.netMinSamples, maxPairs: MAX_PAIRS, precisionPct: plan.precisionPct, budgetMs: 1000 * plan.pairBudgetS * Math.max(1, comparisons), chunk };
}

const skipMessage = (seconds: number, how: string): string =>
  `${how} ${seconds.toFixed(0)} s for its minimum of pairs, over the ${NETWORK_BUDGET_S} s budget; name it in --impl to time it anyway`;

/** One timed call of a prepared network, with the process's CPU time when `cpu` (one thread, in this process). */
async function timedCall(raw: PreparedNetwork, x: Tensor, cpu: boolean): Promise<CallTimes> {
  if (raw.measureInPage) return { wallMs: (await raw.measureInPage(x, { minTimeMs: 0, minSamples: 1, warmupMs: 0 })).samplesMs[0]! };
  const c0 = cpu ? process.cpuUsage() : undefined;
  const t0 = performance.now();
  await raw.run(x);
  const wallMs = performance.now() - t0;
  if (!c0) return { wallMs };
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** Cycles of our prepared networks, each call limited like a timing loop's (the per-call limit plus four cold runs). */
function ourCycles(live: { prepared: PreparedNetwork; x: Tensor; coldMs: number }[], cpu: boolean, callTimeoutMs: number) {
  return async (idx: number[], first: number, k: number): Promise<CycleBatch> => {
    const out: CycleBatch = idx.map(() => ({ times: [] as CallTimes[] }));
    for (let c = first; c < first + k; c++) {
      const order = c % 2 === 0 ? idx.map((_, j) => j) : idx.map((_, j) => idx.length - 1 - j);
      for (const j of order) {
        const slot = out[j]!;
        if ('failed' in slot) continue;
        const l = live[idx[j]!]!;
        try {
          slot.times.push(await withTimeout(timedCall(unguarded(l.prepared), l.x, cpu), callTimeoutMs + 4 * l.coldMs, 'timed call'));
        } catch (e) {
          out[j] = { failed: errorText(e) };
        }
      }
    }
    return out;
  };
}

/** Fills a timed row from its series: failed, or its statistics (samples in pair order) and, for an SE row, its pairing. */
function finishRow(row: BenchRow, s: PairedSeries, coldMs: number): void {
  if (s.failed) {
    Object.assign(row, { status: 'failed', message: s.failed });
    return;
  }
  const stats = sampleStats(s.samplesMs);
  Object.assign(row, { measurement: { coldMs, ...stats }, imagesPerS: (row.shape[0]! * 1000) / stats.medianMs });
  if (s.cpuMs.length && s.cpuMs.length === s.samplesMs.length) row.cpuSamplesMs = s.cpuMs;
}

/** Pairing records onto the SE rows of `rows` (index-aligned with `series`); a failed partner leaves no ratio. */
function recordPairings(rows: BenchRow[], series: PairedSeries[], comparisons: Comparison[], plan: PairPlan): void {
  for (const c of comparisons) rows[c.other]!.pairing = pairingRecord(series, c, rows[c.base]!.workload, plan);
}

/**
 * Times network workloads `ws` (one batch and resolution) on `impl`, filling
 * `rows` (one per workload, with its costs, and status and message already
 * set for rows not to time). `speed` holds each implementation's seconds per GMAC from earlier cold runs;
 * `cpuTime`: the implementation computes on one thread of this process, so each call's process CPU time is its own.
 */
export async function timeNetworks(impl: SeImplementation, ws: NetworkWorkload[], rows: BenchRow[], plan: BenchPlan, callTimeoutMs: number, speed: Map<string, number>, cpuTime = false): Promise<void> {
  const named = plan.impls?.includes(impl.name) ?? false;
  const project = (secondsPerGmac: number, gmacs: number) => secondsPerGmac * gmacs * plannedCalls(plan);
  const live: { w: NetworkWorkload; row: BenchRow; prepared: PreparedNetwork; x: Tensor; coldMs: number }[] = [];
  try {
    for (const [i, w] of ws.entries()) {
      const row = rows[i]!;
      if (row.status !== 'ok') continue;
      const gmacs = (networkCost(w).macs * w.batch) / 1e9;
      const known = speed.get(impl.name);
      if (known !== undefined && !named && project(known, gmacs) > NETWORK_BUDGET_S) {
        Object.assign(row, { status: 'skipped', message: skipMessage(project(known, gmacs), 'projected') });
        continue;
      }
      let prepared: PreparedNetwork | undefined;
      try {
        const { net, weights, input } = networkInputs(w);
        const p0 = performance.now();
        prepared = await impl.prepareNetwork!(net, weights);
        row.prepareMs = performance.now() - p0;
        const x = toLayout(input, impl.layout);
        const t0 = performance.now();
        await prepared.run(x);
        const coldMs = performance.now() - t0;
        speed.set(impl.name, coldMs / 1000 / gmacs);
        if (!named && project(coldMs / 1000 / gmacs, gmacs) > NETWORK_BUDGET_S) {
          Object.assign(row, { status: 'skipped', message: skipMessage(project(coldMs / 1000 / gmacs, gmacs), `its first run took ${(coldMs / 1000).toFixed(1)} s: about`) });
          await prepared.dispose();
          continue;
        }
        live.push({ w, row, prepared, x, coldMs });
      } catch (e) {
        Object.assign(row, isUnsupported(e) ? { status: 'skipped', message: `unsupported: ${errorText(e)}` } : { status: 'failed', message: errorText(e) });
        await Promise.resolve(prepared?.dispose()).catch(() => {});
      }
    }
    // One untimed call each, in cycle order, so the first pair does not follow the cold runs' allocations.
    for (const l of live) {
      try {
        await withTimeout(unguarded(l.prepared).run(l.x), callTimeoutMs + 4 * l.coldMs, 'untimed call');
      } catch (e) {
        Object.assign(l.row, { status: 'failed', message: errorText(e) });
      }
    }
    const timed = live.filter((l) => l.row.status === 'ok');
    const comparisons = networkComparisons(timed.map((l) => l.w));
    const pp = pairPlan(plan, comparisons.length);
    const series = await samplePaired(timed.length, comparisons, ourCycles(timed, cpuTime, callTimeoutMs), pp);
    timed.forEach((l, i) => finishRow(l.row, series[i]!, l.coldMs));
    recordPairings(timed.map((l) => l.row), series, comparisons, pp);
    if (plan.profile) for (const l of timed) if (l.row.status === 'ok') l.row.profile = await profileNetwork(l.prepared, l.x, impl.name);
  } finally {
    for (const l of live) await Promise.resolve(l.prepared.dispose()).catch(() => {});
  }
}

/**
 * PyTorch's rows for network workloads `ws` (one batch and resolution), a row
 * per workload and device, paired like ours inside its process, with the same budget.
 */
export async function timeTorchNetworks(anchors: TorchAnchors, ws: NetworkWorkload[], plan: BenchPlan, about: string, cpuTime: boolean): Promise<BenchRow[]> {
  const request = (w: NetworkWorkload) => {
    const se = resNetSe(workloadNetwork(w));
    return { model: w.model, ...(se ? { se } : {}), batch: w.batch, resolution: w.resolution };
  };
  const rows: BenchRow[] = [];
  const byDevice = new Map<'cpu' | 'cuda', { w: NetworkWorkload; variant: string; coldMs: number }[]>();
  for (const w of ws) {
    // The cold run and the budget, as for ours: the minimum measurement projected from the first run.
    const cold = await anchors.networkSamples({ ...request(w), minSamples: plannedCalls(plan), minTimeMs: 1, warmup: 0, budgetS: NETWORK_BUDGET_S, dryRun: true });
    for (const c of cold) {
      if (!c.available || !c.variant || c.coldMs === undefined) rows.push(torchNetworkRow(w, { ...c, available: false, reason: c.reason ?? 'not measured' }, about));
      else byDevice.set(c.device, [...(byDevice.get(c.device) ?? []), { w, variant: c.variant, coldMs: c.coldMs }]);
    }
  }
  for (const [device, live] of byDevice) {
    if (!live.length) continue;
    const comparisons = networkComparisons(live.map((l) => l.w));
    const pp = pairPlan(plan, comparisons.length, TORCH_CHUNK);
    let warm = false;
    const take = async (idx: number[], first: number, k: number): Promise<CycleBatch> => {
      const expectMs = k * idx.reduce((a, i) => a + live[i]!.coldMs, 0);
      const reply = await anchors.networkPairs({ device, networks: idx.map((i) => request(live[i]!.w)), first, cycles: k, warmup: warm ? 0 : 1, expectMs });
      warm = true;
      return reply.map((r) => ('failed' in r ? r : { times: r.samplesMs.map((wallMs, j) => (cpuTime && r.cpuMs ? { wallMs, cpuMs: r.cpuMs[j]! } : { wallMs })) }));
    };
    const series = await samplePaired(live.length, comparisons, take, pp);
    const out = live.map((l, i) => {
      const s = series[i]!;
      const head = { device, variant: l.variant, model: l.w.model, shape: [l.w.batch, 3, l.w.resolution, l.w.resolution], ...(l.w.ratio === undefined ? {} : { ratio: l.w.ratio }) };
      const row = torchNetworkRow(l.w, s.failed ? { ...head, available: false, reason: s.failed } : { ...head, available: true, stats: sampleStats(s.samplesMs), coldMs: l.coldMs }, about);
      if (s.failed) row.status = 'failed'; // it ran cold, then failed mid-pairs: not a skip
      if (!s.failed && s.cpuMs.length === s.samplesMs.length && s.cpuMs.length) row.cpuSamplesMs = s.cpuMs;
      return row;
    });
    recordPairings(out, series, comparisons, pp);
    if (plan.profile) {
      for (const [i, row] of out.entries()) if (row.status === 'ok') row.profile = await anchors.profileNetwork({ ...request(live[i]!.w), device, calls: PROFILE_CALLS });
    }
    rows.push(...out);
  }
  return rows;
}
