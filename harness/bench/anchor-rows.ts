/**
 * PyTorch anchor rows, beside our rows for the same workload: the same shapes,
 * statistics and (networks) exact costs, marked as PyTorch's.
 */
import type { AnchorRow, NetworkAnchorRow } from '../measure/anchors.ts';
import type { Ceilings } from './ceilings.ts';
import type { BenchRow } from './results.ts';
import { blockBytes, cpuFloorFields, type BlockWorkload } from './time-blocks.ts';
import { networkCost, type NetworkWorkload, type seBlockInputs } from './workloads.ts';

/** A PyTorch anchor row for SE workload `w` (CPU rows get % of the CPU copy roofline and the floor of `threads`, PyTorch's intra-op threads). */
export async function torchBlockRow(w: BlockWorkload, spec: ReturnType<typeof seBlockInputs>['spec'], a: AnchorRow, ceilings: Ceilings, about: string, threads = 1): Promise<BenchRow> {
  const row: BenchRow = {
    workload: w.id, kind: 'torch', impl: `pytorch-${a.variant ?? 'eager'}-${a.device}`,
    device: a.device === 'cuda' ? 'gpu' : 'cpu', precision: 'fp32', layout: 'NCHW', shape: [...w.shape], ratio: w.ratio,
    status: a.available ? 'ok' : 'skipped',
  };
  if (!a.available) {
    row.message = a.reason;
    return row;
  }
  row.bytes = blockBytes(w.shape);
  Object.assign(row, { measurement: a.stats, imagesPerS: (w.shape[0] * 1000) / a.stats.medianMs, gbPerS: row.bytes / (a.stats.medianMs * 1e6) });
  row.timedRegion = { input: 'in-place', output: 'fresh', clock: 'python' }; // the module allocates its output each call
  if (a.device === 'cpu') row.threads = threads;
  const copy = a.device === 'cpu' ? await ceilings.cpuCopyMs(row.bytes, threads) : undefined;
  if (copy !== undefined) {
    row.rooflinePct = (100 * copy) / a.stats.medianMs;
    Object.assign(row, await cpuFloorFields(spec, w.shape, copy, threads, ceilings, a.stats.medianMs));
  }
  row.message = about;
  return row;
}

/**
 * The PyTorch anchor row for network workload `w`: the same model, SE
 * options, batch and resolution, with the same exact costs and the cold first
 * run apart, like our network rows.
 */
export function torchNetworkRow(w: NetworkWorkload, a: NetworkAnchorRow, about: string): BenchRow {
  const row: BenchRow = {
    workload: w.id, kind: 'torch', impl: `pytorch-${a.variant ?? 'eager'}-${a.device}`, model: w.model,
    device: a.device === 'cuda' ? 'gpu' : 'cpu', precision: 'fp32', layout: 'NCHW', shape: [w.batch, 3, w.resolution, w.resolution],
    ...(w.ratio === undefined ? {} : { ratio: w.ratio }), status: a.available ? 'ok' : 'skipped',
  };
  Object.assign(row, networkCost(w));
  if (!a.available) {
    row.message = a.reason;
    return row;
  }
  Object.assign(row, { measurement: { ...a.stats, coldMs: a.coldMs }, imagesPerS: (w.batch * 1000) / a.stats.medianMs, message: about });
  return row;
}
