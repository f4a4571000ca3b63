/**
 * Memory a measurement needs, estimated before anything is allocated, so a
 * plan that cannot fit (`--batch=20000`, `--resolution=4096`) is refused with
 * a message instead of growing until the machine swaps or the process dies.
 * The estimates are deliberately generous: they bound what the harness and
 * an implementation hold at once, not what a frugal kernel needs.
 */
import { freemem } from 'node:os';
import { UsageError } from '../data/select.ts';
import { countNetwork } from '../model/count.ts';
import type { Workload } from './options.ts';
import { networkGroups, workloadNetwork } from './workloads.ts';

const F32 = 4;

/**
 * SE block: float32 tensors of the input's size held at once: the input, the
 * output, the float64 reference output (two), and an implementation's staged
 * input and output (two), plus slack for one more copy.
 */
const SE_BLOCK_TENSORS = 7;

/**
 * Network: its float32 weights twice (ours and an implementation's copy) and
 * the largest activation (64 channels at half the resolution, 256 at a
 * quarter: N x 16 x R^2 floats) many times over (a layer's input, output and
 * scratch in the float64 reference, the stage outputs and gates kept for the
 * check, an engine's arena).
 */
const NETWORK_ACTIVATIONS = 16;

/** Estimated peak bytes of one measurement of `w`. */
export function workloadBytes(w: Workload): number {
  if (w.kind === 'se-block') return SE_BLOCK_TENSORS * F32 * w.shape.reduce((a, b) => a * b, 1);
  const params = countNetwork(workloadNetwork(w)).params;
  return 2 * F32 * params + NETWORK_ACTIVATIONS * F32 * w.batch * 16 * w.resolution * w.resolution;
}

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;

/**
 * What is held at once: one SE block workload, or the networks of one batch
 * and resolution, which are prepared together and sampled in turn (time-networks.ts).
 */
function heldTogether(workloads: readonly Workload[]): { ids: string[]; w: Workload; bytes: number }[] {
  const sum = (ws: readonly Workload[]) => ws.reduce((a, w) => a + workloadBytes(w), 0);
  return [
    ...workloads.filter((w) => w.kind === 'se-block').map((w) => ({ ids: [w.id], w, bytes: workloadBytes(w) })),
    ...networkGroups(workloads).map((ws) => ({ ids: ws.map((w) => w.id), w: ws[0]!, bytes: sum(ws) })),
  ];
}

/**
 * Throws a UsageError naming the largest workload (or networks held together)
 * when it would need more than `available` bytes (default: the memory the OS
 * says is available now).
 */
export function checkPlanMemory(workloads: readonly Workload[], available = freemem()): void {
  if (workloads.length === 0) return;
  const largest = heldTogether(workloads).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  if (largest.bytes <= available) return;
  const fix = largest.w.kind === 'se-block' ? 'a smaller --batch' : 'a smaller --net-batch or --resolution, or fewer --model or --net-ratios';
  const what = largest.ids.length === 1 ? largest.ids[0] : `${largest.ids.join(', ')} (timed together)`;
  throw new UsageError(`${what} would need about ${gb(largest.bytes)} of memory and ${gb(available)} is available here; use ${fix}`);
}
