/**
 * The three-kernel path, for any spatial size: squeeze (pool every plane),
 * fc (one Linear layer over the batch, run twice: fc1 + activation, fc2 +
 * the gate) and scale (y = x * gate). Shapes are uniforms; the WGSL
 * depends only on the compile-time facts in each key.
 */
import { activationFn, AVG, declare, MATH, MAX, optionalBias, segmentedReduce, WG, type KernelSource, type Nonlinearity } from './wgsl-common.ts';

/**
 * Squeeze: `lanes` threads per plane (a power of two <= 256, a uniform), so a
 * workgroup pools 256 / lanes planes: one plane per workgroup for big planes,
 * 16 planes of 7x7 per workgroup rather than 207 idle threads. Each lane
 * strides through its plane (coalesced: neighbouring lanes read neighbouring
 * vec4s), then the lanes of a plane meet in workgroup memory (segmentedReduce).
 * Workgroups are numbered over x and y so more than 65,535 of them fit.
 */
export function squeezeKernel(squeeze: 'avg' | 'max', vec4: boolean): KernelSource {
  const r = squeeze === 'avg' ? AVG : MAX;
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const { wgsl, bindings } = declare(['planes', 'planeBase', 'hw', 'hwv', 'lanes'], [['x', 'read', t], ['pooled', 'read_write', 'f32']]);
  const code = /* wgsl */ `${wgsl}
${MATH}
var<workgroup> red: array<f32, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = li & (p.lanes - 1u);
  let local = (wg.x + wg.y * nwg.x) * (${WG}u / p.lanes) + li / p.lanes;
  var acc = ${r.init(vec4)};
  if (local < p.planes) {
    let base = (p.planeBase + local) * p.hwv;
    for (var i = lane; i < p.hwv; i += p.lanes) {
      acc = ${r.add('acc', 'x[base + i]', vec4)};
    }
  }
  red[li] = ${vec4 ? r.fold('acc') : 'acc'};
  workgroupBarrier();${segmentedReduce(r.combine)}
  if (lane == 0u && local < p.planes) {
    pooled[p.planeBase + local] = ${r.finish('red[li]', 'p.hw')};
  }
}`;
  return { key: `squeeze:${squeeze}:${vec4 ? 'vec4' : 'f32'}:wg${WG}`, code, bindings };
}

/** Samples per fc workgroup: a weight row comes from DRAM/L2 once per this many samples. */
export const FC_BATCH_TILE = 8;

/**
 * One Linear layer over the batch: out[n, o] = act(sum_k in[n, k] * w[o, k] + b[o]).
 * `lanes` threads share one output row (coalesced reads along k of w[o, :] and
 * in[n, :]); a workgroup takes FC_BATCH_TILE samples one after another, so a
 * weight row comes from DRAM/L2 once per 8 samples and from L1 for the other
 * seven (a private array of 8 accumulators instead was 3x slower on
 * SwiftShader, which keeps it in memory). The partial sums meet in workgroup
 * memory (segmentedReduce). Grid: x = output tiles, y = batch tiles.
 */
export function fcKernel(activation: Nonlinearity, bias: boolean): KernelSource {
  const nb = FC_BATCH_TILE;
  const { wgsl, bindings } = declare(['n', 'nBase', 'k', 'outs', 'lanes'], [
    ['fcIn', 'read', 'f32'], ['fcW', 'read', 'f32'], ...optionalBias(bias, 'fcB'), ['fcOut', 'read_write', 'f32'],
  ]);
  const code = /* wgsl */ `${wgsl}
${MATH}
const NB = ${nb}u;
var<workgroup> red: array<f32, ${nb * WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let lane = li & (p.lanes - 1u);
  let o = wg.x * (${WG}u / p.lanes) + li / p.lanes;
  let n0 = p.nBase + wg.y * NB;
  let nb = min(NB, p.nBase + p.n - n0);
  for (var b = 0u; b < nb; b++) {
    var acc = 0.0;
    if (o < p.outs) {
      let row = o * p.k;
      let inRow = (n0 + b) * p.k;
      for (var k = lane; k < p.k; k += p.lanes) { acc += fcIn[inRow + k] * fcW[row + k]; }
    }
    red[b * ${WG}u + li] = acc;
  }
  workgroupBarrier();${segmentedReduce((a, b) => `${a} + ${b}`, 'nb', WG)}
  if (lane == 0u && o < p.outs) {
    for (var b = 0u; b < nb; b++) {
      fcOut[(n0 + b) * p.outs + o] = ${activationFn(activation)}(red[b * ${WG}u + li]${bias ? ' + fcB[o]' : ''});
    }
  }
}`;
  return { key: `fc:${activation}:${bias ? 'bias' : 'nobias'}:wg${WG}`, code, bindings };
}

/**
 * Scale: y = x * gate[plane], vec4 loads and stores where the plane size is a
 * multiple of 4 (a vec4 never straddles two planes), grid-stride over
 * [base, base + count) so the dispatch size stays within one dimension's limit.
 */
export function scaleKernel(vec4: boolean): KernelSource {
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const { wgsl, bindings } = declare(['count', 'base', 'hwv'], [['x', 'read', t], ['gate', 'read', 'f32'], ['y', 'read_write', t]]);
  const code = /* wgsl */ `${wgsl}

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * ${WG}u;
  for (var i = gid.x; i < p.count; i += stride) {
    let e = p.base + i;
    y[e] = x[e] * gate[e / p.hwv];
  }
}`;
  return { key: `scale:${vec4 ? 'vec4' : 'f32'}:wg${WG}`, code, bindings };
}
