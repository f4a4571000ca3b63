/**
 * Timing whole networks. The networks of one batch and resolution (a plain
 * ResNet-50 and its SE variants) are timed together on each implementation:
 * all prepared and run cold, then sampled in rounds, a few calls of each in
 * turn (after one untimed call, since the network before it left the caches
 * holding its own data), until each has its samples. Drift over the minutes this takes (another
 * program, the clock) then falls on all of them alike, so the SE overhead, a
 * ratio of two of them, is not the drift between two measurements taken a
 * minute apart. PyTorch's networks are sampled the same way in its process.
 *
 * Each first (cold) run projects the whole measurement: over the budget, and
 * the implementation not named in --impl, that network is skipped with the
 * projection, and later networks of the implementation are projected from
 * its seconds per GMAC without being prepared.
 */
import { unguarded, withTimeout } from '../contract/guard.ts';
import type { PreparedNetwork, SeImplementation } from '../contract/implementation.ts';
import { toLayout, type Tensor } from '../data/tensor.ts';
import type { TorchAnchors } from '../measure/anchors.ts';
import { sampleStats } from '../measure/stats.ts';
import { torchNetworkRow } from './anchor-rows.ts';
import type { BenchPlan } from './options.ts';
import type { BenchRow } from './results.ts';
import { loopLimitMs } from './timing-loop.ts';
import { networkCost, networkInputs, workloadNetwork, type NetworkWorkload } from './workloads.ts';

/**
 * Network measurements projected to take longer than this are skipped unless
 * the implementation is named in --impl. A measurement is about 20 calls after
 * the cold run (15 samples in rounds, with their untimed calls), and a cold
 * run is slower than a warm one: at 30 s, a slow moment of this VM (cold runs
 * of 1.6-1.7 s) skipped tfjs-wasm's SE-ResNet-50 and both PyTorch networks and
 * left no overhead to report. 60 s admits cold runs up to 3 s per call; the
 * correctness baselines (17-23 s) are not timed on networks anyway.
 */
export const NETWORK_BUDGET_S = 60;
/** Calls of each network per round. */
const PER_ROUND = 3;
/** No network gets more samples than this, however fast (a tiny network at --quick). */
const MAX_SAMPLES = 1000;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Calls one network's measurement takes after its cold run, untimed ones included: what a budget projection counts. */
const plannedCalls = (plan: BenchPlan): number => Math.ceil(plan.netMinSamples / PER_ROUND) * (PER_ROUND + 1);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** One sample series in a round-robin: done once it has the plan's samples and time, or has failed. */
interface Series {
  samplesMs: number[];
  failed?: string;
  /** Takes `n` more samples (throws on failure). */
  take(n: number): Promise<number[]>;
}

function done(s: Series, plan: BenchPlan): boolean {
  if (s.failed || s.samplesMs.length >= MAX_SAMPLES) return true;
  return s.samplesMs.length >= plan.netMinSamples && sum(s.samplesMs) >= 2 * plan.minTimeMs;
}

/** Rounds of PER_ROUND calls of every series in turn, until every one is done; a series that throws is marked failed and left out. */
async function sampleInRounds(series: Series[], plan: BenchPlan): Promise<void> {
  while (series.some((s) => !done(s, plan))) {
    for (const s of series.filter((x) => !x.failed && x.samplesMs.length < MAX_SAMPLES)) {
      try {
        s.samplesMs.push(...(await s.take(PER_ROUND)));
      } catch (e) {
        s.failed = errorText(e);
      }
    }
  }
}

const skipMessage = (seconds: number, how: string): string =>
  `${how} ${seconds.toFixed(0)} s for this measurement, over the ${NETWORK_BUDGET_S} s budget; name it in --impl to time it anyway`;

/** One untimed call, then `n` timed calls of a prepared network from Node, or in its page; limited like any timing loop. */
function roundTaker(p: PreparedNetwork, x: Tensor, coldMs: number, callTimeoutMs: number): (n: number) => Promise<number[]> {
  const raw = unguarded(p);
  return (n) => {
    const loop = async (): Promise<number[]> => {
      if (raw.measureInPage) return (await raw.measureInPage(x, { minTimeMs: 0, minSamples: n, warmupMs: 0 })).samplesMs; // after its own 2 untimed calls
      await raw.run(x); // untimed: the first call after another network ran meets caches that network filled
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await raw.run(x);
        out.push(performance.now() - t0);
      }
      return out;
    };
    return withTimeout(loop(), loopLimitMs({ minTimeMs: 0, minSamples: n + 1, warmupMs: 0 }, coldMs, callTimeoutMs), 'timing loop');
  };
}

/**
 * Times network workloads `ws` (one batch and resolution) on `impl`, filling
 * `rows` (one per workload, with its costs, and status and message already
 * set for rows not to time). `speed` holds each implementation's seconds per GMAC from earlier cold runs.
 */
export async function timeNetworks(impl: SeImplementation, ws: NetworkWorkload[], rows: BenchRow[], plan: BenchPlan, callTimeoutMs: number, speed: Map<string, number>): Promise<void> {
  const named = plan.impls?.includes(impl.name) ?? false;
  const project = (secondsPerGmac: number, gmacs: number) => secondsPerGmac * gmacs * plannedCalls(plan);
  const live: { row: BenchRow; prepared: PreparedNetwork; coldMs: number; series: Series }[] = [];
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
        live.push({ row, prepared, coldMs, series: { samplesMs: [], take: roundTaker(prepared, x, coldMs, callTimeoutMs) } });
      } catch (e) {
        Object.assign(row, { status: 'failed', message: errorText(e) });
        await Promise.resolve(prepared?.dispose()).catch(() => {});
      }
    }
    await sampleInRounds(live.map((l) => l.series), plan);
    for (const { row, coldMs, series } of live) {
      if (series.failed) Object.assign(row, { status: 'failed', message: series.failed });
      else {
        const stats = sampleStats(series.samplesMs);
        Object.assign(row, { measurement: { coldMs, ...stats }, imagesPerS: (row.shape[0]! * 1000) / stats.medianMs });
      }
    }
  } finally {
    for (const l of live) await Promise.resolve(l.prepared.dispose()).catch(() => {});
  }
}

/**
 * PyTorch's rows for network workloads `ws` (one batch and resolution), a row
 * per workload and device, sampled in rounds like ours, with the same budget.
 */
export async function timeTorchNetworks(anchors: TorchAnchors, ws: NetworkWorkload[], plan: BenchPlan, about: string): Promise<BenchRow[]> {
  const request = (w: NetworkWorkload) => {
    const se = workloadNetwork(w).se;
    return { model: w.model, ...(se ? { se } : {}), batch: w.batch, resolution: w.resolution };
  };
  const rows: BenchRow[] = [];
  const series: { w: NetworkWorkload; device: 'cpu' | 'cuda'; variant: string; coldMs: number; s: Series }[] = [];
  for (const w of ws) {
    // The cold run and the budget, as for ours: the whole measurement projected from the first run.
    const cold = await anchors.networkSamples({ ...request(w), minSamples: plannedCalls(plan), minTimeMs: 2 * plan.minTimeMs, warmup: 0, budgetS: NETWORK_BUDGET_S, dryRun: true });
    for (const c of cold) {
      if (!c.available || !c.variant || c.coldMs === undefined) {
        rows.push(torchNetworkRow(w, { ...c, available: false, reason: c.reason ?? 'not measured' }, about));
        continue;
      }
      const take = async (n: number): Promise<number[]> => {
        const reply = (await anchors.networkSamples({ ...request(w), device: c.device, minSamples: n, minTimeMs: 1, warmup: 1 }))[0];
        if (!reply?.available || reply.samplesMs.length === 0) throw new Error(reply?.reason ?? `no ${c.device} samples in the reply`);
        return reply.samplesMs;
      };
      series.push({ w, device: c.device, variant: c.variant, coldMs: c.coldMs, s: { samplesMs: [], take } });
    }
  }
  await sampleInRounds(series.map((x) => x.s), plan);
  for (const { w, device, variant, coldMs, s } of series) {
    const head = { device, variant, model: w.model, shape: [w.batch, 3, w.resolution, w.resolution], ...(w.ratio === undefined ? {} : { ratio: w.ratio }) };
    rows.push(torchNetworkRow(w, s.failed ? { ...head, available: false, reason: s.failed } : { ...head, available: true, stats: sampleStats(s.samplesMs), coldMs }, about));
  }
  return rows;
}
