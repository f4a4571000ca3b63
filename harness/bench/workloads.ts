/**
 * Inputs and weights for benchmark workloads, drawn from the shared PRNG with
 * the same per-role ranges as scripts/golden.py's draw_for (He-like conv
 * weights, BatchNorm statistics near identity), so timed networks see
 * realistic activations rather than zeros or overflow.
 */
import { makeNetwork, networkWeightShapes, type NetworkSpec } from '../model/network.ts';
import { uniform } from '../data/prng.ts';
import { countNetwork } from '../model/count.ts';
import { makeSeSpec, seWeightShapes, type SeSpec } from '../model/spec.ts';
import { sizeOf, type Tensor } from '../data/tensor.ts';
import type { Weights } from '../contract/implementation.ts';
import type { Workload } from './options.ts';

const SEED = 9001;

/** (lo, hi) of a parameter's draw by its role; mirrors draw_for in scripts/golden.py. */
export function drawRange(name: string, shape: readonly number[]): [number, number] {
  const parts = name.split('.');
  const leaf = parts.at(-1)!;
  const parent = parts.at(-2) ?? '';
  if (leaf === 'running_var' || (leaf === 'weight' && shape.length === 1)) return [0.5, 1.5];
  if (leaf === 'running_mean' || (leaf === 'bias' && (parent.startsWith('bn') || parent.startsWith('1')))) return [-0.5, 0.5];
  if (leaf === 'bias') return [-1, 1];
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const bound = fanIn > 0 ? Math.sqrt(3 / fanIn) : 1;
  return [-bound, bound];
}

/** Weights for `shapes` from the PRNG, stream = the weight's name. */
export function drawWeights(shapes: Record<string, number[]>, seed = SEED): Weights {
  const out: Weights = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const [lo, hi] = drawRange(name, shape);
    out[name] = { shape: [...shape], data: uniform(sizeOf(shape), { seed, stream: name, lo, hi }) };
  }
  return out;
}

/**
 * An SE block workload: spec (ResNet-50 family: r from the workload, the
 * paper's defaults otherwise; other families: torchvision's SqueezeExcitation
 * with the block's hidden width, gate and activation), weights and input.
 */
export function seBlockInputs(w: Extract<Workload, { kind: 'se-block' }>): { spec: SeSpec; weights: Weights; input: Tensor } {
  const spec = w.se
    ? makeSeSpec({ channels: w.shape[1], ...w.se, weightLayout: 'conv1x1' })
    : makeSeSpec({ channels: w.shape[1], ratio: w.ratio });
  const input = { shape: [...w.shape], data: uniform(sizeOf(w.shape), { seed: SEED, stream: `input/${w.id}`, lo: -1, hi: 3 }) };
  return { spec, weights: drawWeights(seWeightShapes(spec)), input };
}

export type NetworkWorkload = Extract<Workload, { kind: 'network' }>;

/** The network of workload `w`: its model, with the workload's SE ratio. */
export function workloadNetwork(w: NetworkWorkload): NetworkSpec {
  return w.ratio === undefined ? makeNetwork(w.model) : makeNetwork(w.model, { ratio: w.ratio });
}

/** Exact costs of the workload's network, per image: every network row carries them, timed or not. */
export function networkCost(w: NetworkWorkload): { params: number; macs: number; flops: number } {
  const cost = countNetwork(workloadNetwork(w), w.resolution);
  return { params: cost.params, macs: cost.macs, flops: cost.flops };
}

/** Network workloads grouped by batch and resolution: the networks prepared and timed together (time-networks.ts). */
export function networkGroups(workloads: readonly Workload[]): NetworkWorkload[][] {
  const groups = new Map<string, NetworkWorkload[]>();
  for (const w of workloads) {
    if (w.kind === 'network') groups.set(`${w.batch}x${w.resolution}`, [...(groups.get(`${w.batch}x${w.resolution}`) ?? []), w]);
  }
  return [...groups.values()];
}

/** A network workload: the spec (SE ratio from the workload), weights and an input batch. */
export function networkInputs(w: NetworkWorkload): { net: NetworkSpec; weights: Weights; input: Tensor } {
  const net = workloadNetwork(w);
  const shape = [w.batch, net.inChannels, w.resolution, w.resolution];
  const input = { shape, data: uniform(sizeOf(shape), { seed: SEED, stream: `input/${w.id}`, lo: -1, hi: 1 }) };
  return { net, weights: drawWeights(networkWeightShapes(net)), input };
}
