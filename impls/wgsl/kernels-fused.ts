/**
 * One-dispatch kernels: the fused small-spatial SE block (one workgroup per
 * sample: pool -> fc1 -> fc2 -> scale, pooled values and gate kept in
 * workgroup memory) and NoSqueeze (per-pixel excitation, two simple kernels).
 */
import type { Gate, HiddenActivation } from '../../harness/api.ts';
import { activationFn, AVG, declare, MATH, MAX, optionalBias, WG, type KernelSource } from './wgsl-common.ts';

/** Channels the fused kernel holds in workgroup memory (pooled values, then the gate): 8 KB. */
export const FUSED_MAX_CHANNELS = 2048;
/** Hidden width it holds: 4 KB; with the 1 KB reduction scratch, 13 KB of WebGPU's guaranteed 16 KB. */
export const FUSED_MAX_HIDDEN = 1024;

/**
 * Fused SE for small planes. Pooling gives each thread whole planes (at 7x7
 * a plane is 49 floats: a cooperative reduction would cost a barrier round per
 * 16 planes, while one thread per plane needs none and a warp still reads one
 * contiguous region). fc1 splits the C inputs into 256 / hidden slices so all
 * threads work; fc2 gives each thread outputs. Both read weights stored
 * transposed ([in, out]) so that neighbouring threads read neighbouring floats.
 * fc2 writes the gate over the pooled values, which fc1 no longer needs.
 */
export function fusedKernel(squeeze: 'avg' | 'max', activation: HiddenActivation, gateFn: Gate, bias1: boolean, bias2: boolean, vec4: boolean): KernelSource {
  const r = squeeze === 'avg' ? AVG : MAX;
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const { wgsl, bindings } = declare(['n', 'nBase', 'c', 'hw', 'hwv', 'hidden', 'hidPow2'], [
    ['x', 'read', t], ['w1t', 'read', 'f32'], ...optionalBias(bias1, 'b1'),
    ['w2t', 'read', 'f32'], ...optionalBias(bias2, 'b2'),
    ['gate', 'read_write', 'f32'], ['y', 'read_write', t],
  ]);
  const act = activationFn(activation);
  const code = /* wgsl */ `${wgsl}
${MATH}
var<workgroup> sc: array<f32, ${FUSED_MAX_CHANNELS}>;
var<workgroup> sh: array<f32, ${FUSED_MAX_HIDDEN}>;
var<workgroup> red: array<f32, ${WG}>;

fn fc1Dot(o: u32, k0: u32, k1: u32) -> f32 {
  var s = 0.0;
  for (var k = k0; k < k1; k++) { s += sc[k] * w1t[k * p.hidden + o]; }
  return s;
}

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let local = wg.x + wg.y * nwg.x;
  if (local >= p.n) { return; }
  let n = p.nBase + local;
  let base = n * p.c * p.hwv;

  for (var c = li; c < p.c; c += ${WG}u) {
    var acc = ${r.init(vec4)};
    let plane = base + c * p.hwv;
    for (var i = 0u; i < p.hwv; i++) { acc = ${r.add('acc', 'x[plane + i]', vec4)}; }
    sc[c] = ${r.finish(vec4 ? r.fold('acc') : 'acc', 'p.hw')};
  }
  workgroupBarrier();

  if (p.hidPow2 <= ${WG}u) {
    let slices = ${WG}u / p.hidPow2;
    let o = li & (p.hidPow2 - 1u);
    let t = li / p.hidPow2;
    var part = 0.0;
    if (o < p.hidden) { part = fc1Dot(o, t * p.c / slices, (t + 1u) * p.c / slices); }
    red[li] = part;
    workgroupBarrier();
    if (li < p.hidden) {
      var s = 0.0;
      for (var j = 0u; j < slices; j++) { s += red[j * p.hidPow2 + li]; }
      sh[li] = ${act}(s${bias1 ? ' + b1[li]' : ''});
    }
  } else {
    for (var o = li; o < p.hidden; o += ${WG}u) { sh[o] = ${act}(fc1Dot(o, 0u, p.c)${bias1 ? ' + b1[o]' : ''}); }
  }
  workgroupBarrier();

  for (var c = li; c < p.c; c += ${WG}u) {
    var s = 0.0;
    for (var j = 0u; j < p.hidden; j++) { s += sh[j] * w2t[j * p.c + c]; }
    let g = ${activationFn(gateFn)}(s${bias2 ? ' + b2[c]' : ''});
    sc[c] = g;
    gate[n * p.c + c] = g;
  }
  workgroupBarrier();

  let total = p.c * p.hwv;
  for (var i = li; i < total; i += ${WG}u) { y[base + i] = x[base + i] * sc[i / p.hwv]; }
}`;
  const key = `fused:${squeeze}:${activation}:${gateFn}:${bias1 ? 'b1' : 'nob1'}:${bias2 ? 'b2' : 'nob2'}:${vec4 ? 'vec4' : 'f32'}:wg${WG}`;
  return { key, code, bindings };
}

/**
 * NoSqueeze, first half: hid[n, j, p] = act(sum_c w1[j, c] * x[n, c, p] + b1[j])
 * for every pixel p, one invocation per output (neighbouring threads take
 * neighbouring pixels, so x reads coalesce), grid-stride.
 */
export function noSqueezeHiddenKernel(activation: HiddenActivation, bias1: boolean): KernelSource {
  const { wgsl, bindings } = declare(['total', 'c', 'hw', 'hidden'], [
    ['x', 'read', 'f32'], ['w1', 'read', 'f32'], ...optionalBias(bias1, 'b1'), ['hid', 'read_write', 'f32'],
  ]);
  const code = /* wgsl */ `${wgsl}
${MATH}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = gid.x; i < p.total; i += nwg.x * ${WG}u) {
    let px = i % p.hw;
    let j = (i / p.hw) % p.hidden;
    let xb = (i / (p.hw * p.hidden)) * p.c * p.hw + px;
    var s = 0.0;
    for (var c = 0u; c < p.c; c++) { s += x[xb + c * p.hw] * w1[j * p.c + c]; }
    hid[i] = ${activationFn(activation)}(s${bias1 ? ' + b1[j]' : ''});
  }
}`;
  return { key: `nosqueeze-hidden:${activation}:${bias1 ? 'b1' : 'nob1'}:wg${WG}`, code, bindings };
}

/** NoSqueeze, second half: gate[n, c, p] = gateFn(sum_j w2[c, j] * hid[n, j, p] + b2[c]); y = x * gate. */
export function noSqueezeGateKernel(gateFn: Gate, bias2: boolean): KernelSource {
  const { wgsl, bindings } = declare(['total', 'c', 'hw', 'hidden'], [
    ['x', 'read', 'f32'], ['hid', 'read', 'f32'], ['w2', 'read', 'f32'], ...optionalBias(bias2, 'b2'),
    ['gate', 'read_write', 'f32'], ['y', 'read_write', 'f32'],
  ]);
  const code = /* wgsl */ `${wgsl}
${MATH}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = gid.x; i < p.total; i += nwg.x * ${WG}u) {
    let px = i % p.hw;
    let c = (i / p.hw) % p.c;
    let hb = (i / (p.hw * p.c)) * p.hidden * p.hw + px;
    var s = 0.0;
    for (var j = 0u; j < p.hidden; j++) { s += hid[hb + j * p.hw] * w2[c * p.hidden + j]; }
    let g = ${activationFn(gateFn)}(s${bias2 ? ' + b2[c]' : ''});
    gate[i] = g;
    y[i] = x[i] * g;
  }
}`;
  return { key: `nosqueeze-gate:${gateFn}:${bias2 ? 'b2' : 'nob2'}:wg${WG}`, code, bindings };
}
