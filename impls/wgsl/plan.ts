/**
 * Which kernels one run dispatches, with their uniforms and grid sizes, for a
 * given spec and input shape. Pure data: the block turns it into bind groups
 * and commands. Everything shape-dependent lives here, as uniform values.
 */
import type { SeSpec } from '../../harness/api.ts';
import { FUSED_MAX_CHANNELS, FUSED_MAX_HIDDEN, fusedKernel, noSqueezeGateKernel, noSqueezeHiddenKernel } from './kernels-fused.ts';
import { FC_BATCH_TILE, fcKernel, scaleKernel, squeezeKernel } from './kernels-split.ts';
import { pow2ceil, WG, type BufferName, type KernelSource, type Resource } from './wgsl-common.ts';

/** How a run computes: fused (one dispatch), split (squeeze, fc1, fc2, scale) or NoSqueeze's per-pixel kernels. */
export type Path = 'fused' | 'split' | 'nosqueeze';

/** `auto` picks fused for small planes (see choosePath); the others force a path (tests, benchmarks). */
export type PathOption = 'auto' | 'fused' | 'split';

/** One dispatch: kernel, the buffer behind each storage role (default: the role's own name), uniforms, grid. */
export interface Dispatch {
  kernel: KernelSource;
  buffers: Partial<Record<Resource, BufferName>>;
  params: number[];
  groups: [number, number];
}

/** Default for `fusedMaxHw`: stage 5's 7x7 = 49 and anything up to 8x8 goes fused. */
export const DEFAULT_FUSED_MAX_HW = 64;

/** WebGPU's guaranteed maximum workgroups per grid dimension. */
const MAX_GROUPS = 65535;

/** Spreads `count` workgroups over x and y (the kernels renumber them as x + y * width). */
function grid(count: number): [number, number] {
  const x = Math.min(count, MAX_GROUPS);
  return [x, Math.ceil(count / x)];
}

/** Workgroups for a grid-stride loop over `count` items: one item per thread until the x limit. */
function strideGroups(count: number): [number, number] {
  return [Math.min(Math.ceil(count / WG), MAX_GROUPS), 1];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * The path a run takes. Fused holds C pooled values and the hidden vector in
 * workgroup memory, so it needs C <= 2048 and hidden <= 1024; `auto` takes it
 * when a plane has at most `fusedMaxHw` elements, where the split path's four
 * dispatches would cost more than the work itself. Forcing fused on a block
 * that does not fit is an error naming the limit.
 */
export function choosePath(spec: SeSpec, hidden: number, hw: number, option: PathOption, fusedMaxHw: number): Path {
  if (spec.squeeze === 'none') return 'nosqueeze';
  const fits = spec.channels <= FUSED_MAX_CHANNELS && hidden <= FUSED_MAX_HIDDEN;
  if (option === 'fused' && !fits) {
    throw new RangeError(`the fused WGSL kernel holds at most ${FUSED_MAX_CHANNELS} channels and hidden width ${FUSED_MAX_HIDDEN} `
      + `in workgroup memory; this block has ${spec.channels} and ${hidden}: use path 'auto' or 'split'`);
  }
  if (option !== 'auto') return option;
  return fits && hw <= fusedMaxHw ? 'fused' : 'split';
}

/** Input shape facts a plan depends on. */
export interface PlanShape {
  n: number;
  hw: number;
  hidden: number;
}

/**
 * The dispatches of one run. `chunkSamples` < n splits the split path into
 * batch chunks (squeeze, fc1, fc2, scale per chunk), so that on a GPU whose
 * L2 holds a chunk the scale pass re-reads x from L2 rather than DRAM.
 */
export function planDispatches(spec: SeSpec, s: PlanShape, path: Path, chunkSamples: number): Dispatch[] {
  const c = spec.channels;
  const { n, hw, hidden } = s;
  const vec4 = hw % 4 === 0;
  const hwv = vec4 ? hw / 4 : hw;
  if (path === 'nosqueeze') {
    const hiddenTotal = n * hidden * hw;
    const total = n * c * hw;
    return [
      ...(hiddenTotal > 0 ? [{
        kernel: noSqueezeHiddenKernel(spec.hiddenActivation, spec.bias1), buffers: {},
        params: [hiddenTotal, c, hw, hidden], groups: strideGroups(hiddenTotal),
      }] : []),
      { kernel: noSqueezeGateKernel(spec.gate, spec.bias2), buffers: {}, params: [total, c, hw, hidden], groups: strideGroups(total) },
    ];
  }
  const squeeze = spec.squeeze === 'max' ? 'max' : 'avg';
  if (path === 'fused') {
    return [{
      kernel: fusedKernel(squeeze, spec.hiddenActivation, spec.gate, spec.bias1, spec.bias2, vec4), buffers: {},
      params: [n, 0, c, hw, hwv, hidden, pow2ceil(hidden)], groups: grid(n),
    }];
  }
  // Lanes per plane / per output row: about 4 loads each, so small planes and
  // short rows share a workgroup instead of leaving most of it idle.
  const squeezeLanes = clamp(pow2ceil(Math.ceil(hwv / 4)), 1, WG);
  const fcLanes = (k: number) => clamp(pow2ceil(Math.ceil(k / 4)), 1, 64);
  const fc1Lanes = fcLanes(c);
  const fc2Lanes = fcLanes(hidden);
  const out: Dispatch[] = [];
  const step = Math.max(1, Math.min(n, chunkSamples));
  for (let n0 = 0; n0 < n; n0 += step) {
    const nc = Math.min(step, n - n0);
    const batchTiles = Math.ceil(nc / FC_BATCH_TILE);
    out.push({
      kernel: squeezeKernel(squeeze, vec4), buffers: {},
      params: [nc * c, n0 * c, hw, hwv, squeezeLanes], groups: grid(Math.ceil((nc * c) / (WG / squeezeLanes))),
    });
    if (hidden > 0) {
      out.push({
        kernel: fcKernel(spec.hiddenActivation, spec.bias1), buffers: { fcIn: 'pooled', fcW: 'w1', fcB: 'b1', fcOut: 'hid' },
        params: [nc, n0, c, hidden, fc1Lanes], groups: [Math.ceil(hidden / (WG / fc1Lanes)), batchTiles],
      });
    }
    out.push({
      kernel: fcKernel(spec.gate, spec.bias2), buffers: { fcIn: 'hid', fcW: 'w2', fcB: 'b2', fcOut: 'gate' },
      params: [nc, n0, hidden, c, fc2Lanes], groups: [Math.ceil(c / (WG / fc2Lanes)), batchTiles],
    });
    out.push({
      kernel: scaleKernel(vec4), buffers: {},
      params: [nc * c * hwv, n0 * c * hwv, hwv], groups: strideGroups(nc * c * hwv),
    });
  }
  return out;
}
