/**
 * Pieces every WGSL kernel shares: the kernel descriptor (source plus the
 * resource bound at each binding), the uniform block, and the scalar maths
 * (NaN-propagating max, overflow-free sigmoid and tanh, the activations).
 */
import type { Gate, HiddenActivation } from '../../harness/api.ts';

/** Threads per workgroup of every kernel: a multiple of every vendor's SIMD width and WebGPU's default limit. */
export const WG = 256;

/** Uniform words per dispatch; every kernel's Params struct is this many u32 (32 bytes). */
export const PARAM_WORDS = 8;

/** A buffer the block owns, by name. */
export type BufferName = 'x' | 'y' | 'pooled' | 'hid' | 'gate' | 'w1' | 'b1' | 'w2' | 'b2' | 'w1t' | 'w2t';

/**
 * A resource a kernel binds, by role: a block buffer's own name, or the fc
 * kernel's generic roles (fc1 and fc2 bind different buffers to them).
 */
export type Resource = 'params' | BufferName | 'fcIn' | 'fcW' | 'fcB' | 'fcOut';

/** One WGSL kernel: its cache key (compile-time facts only), source, and the resource at binding i. */
export interface KernelSource {
  key: string;
  code: string;
  bindings: Resource[];
}

/** A binding declaration: role, WGSL address space and access, element type. */
export type Decl = readonly [Resource, 'read' | 'read_write', string];

/** A read-only f32 bias binding when `on`, none otherwise (bias-free blocks bind nothing there). */
export function optionalBias(on: boolean, name: Resource): Decl[] {
  return on ? [[name, 'read', 'f32']] : [];
}

/**
 * Declares `params` at binding 0 and each storage buffer after it, in order,
 * and returns the WGSL together with the binding list (so the two never drift).
 */
export function declare(fields: string[], decls: readonly Decl[]): { wgsl: string; bindings: Resource[] } {
  if (fields.length > PARAM_WORDS) throw new Error(`too many uniform fields: ${fields.join(', ')}`);
  const padded = [...fields, ...Array.from({ length: PARAM_WORDS - fields.length }, (_, i) => `pad${i}`)];
  const lines = [
    `struct Params { ${padded.map((f) => `${f}: u32`).join(', ')} }`,
    '@group(0) @binding(0) var<uniform> p: Params;',
    ...decls.map(([name, access, type], i) => `@group(0) @binding(${i + 1}) var<storage, ${access}> ${name}: array<${type}>;`),
  ];
  return { wgsl: lines.join('\n'), bindings: ['params', ...decls.map(([name]) => name)] };
}

/**
 * Scalar helpers. NaN is tested on the bits because WGSL lets a compiler
 * assume floats are never NaN, which would fold `v != v` to false; -inf comes
 * from a variable because a constant expression may not be infinite.
 */
export const MATH = /* wgsl */ `
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn negInf() -> f32 { var bits = 0xff800000u; return bitcast<f32>(bits); }
fn maxNan(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, isNan(b)), a, isNan(a)); }
fn maxNan4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(maxNan(a.x, b.x), maxNan(a.y, b.y), maxNan(a.z, b.z), maxNan(a.w, b.w));
}
// exp of a non-positive argument only: no overflow to inf/inf for large |v|.
fn sigmoid(v: f32) -> f32 { let e = exp(-abs(v)); return select(e, 1.0, v >= 0.0) / (1.0 + e); }
fn tanhStable(v: f32) -> f32 { let t = exp(-2.0 * abs(v)); let r = (1.0 - t) / (1.0 + t); return select(r, -r, v < 0.0); }
// torch.relu keeps NaN; max(v, 0.0) may not.
fn relu(v: f32) -> f32 { return select(0.0, v, v > 0.0 || isNan(v)); }
fn silu(v: f32) -> f32 { return v * sigmoid(v); }
// F.hardsigmoid, relu6(v + 3) / 6: both comparisons are false for NaN, which then stays NaN.
fn hardsigmoid(v: f32) -> f32 { return select(select(v / 6.0 + 0.5, 1.0, v >= 3.0), 0.0, v <= -3.0); }
`;

/** A non-linearity a kernel applies: a hidden activation (after fc1) or a gate (after fc2). */
export type Nonlinearity = HiddenActivation | Gate;

/** WGSL function name of a hidden activation or gate. */
export function activationFn(a: Nonlinearity): string {
  return { relu: 'relu', tanh: 'tanhStable', sigmoid: 'sigmoid', silu: 'silu', hardsigmoid: 'hardsigmoid' }[a];
}

/** How a squeeze accumulates: identity, combining a vec4 or scalar, folding vec4 lanes, and the final value. */
export interface Reduction {
  init: (vec4: boolean) => string;
  add: (acc: string, v: string, vec4: boolean) => string;
  fold: (acc: string) => string;
  combine: (a: string, b: string) => string;
  finish: (sum: string, hw: string) => string;
}

/** avg: sum then divide by the element count (division, as PyTorch's mean, not a reciprocal multiply). */
export const AVG: Reduction = {
  init: (v) => (v ? 'vec4<f32>(0.0)' : '0.0'),
  add: (acc, v) => `${acc} + ${v}`,
  fold: (acc) => `(${acc}.x + ${acc}.y) + (${acc}.z + ${acc}.w)`,
  combine: (a, b) => `${a} + ${b}`,
  finish: (sum, hw) => `(${sum}) / f32(${hw})`,
};

/** max: NaN-propagating, identity -inf (an all -inf plane pools to -inf). */
export const MAX: Reduction = {
  init: (v) => (v ? 'vec4<f32>(negInf())' : 'negInf()'),
  add: (acc, v, vec4) => `${vec4 ? 'maxNan4' : 'maxNan'}(${acc}, ${v})`,
  fold: (acc) => `maxNan(maxNan(${acc}.x, ${acc}.y), maxNan(${acc}.z, ${acc}.w))`,
  combine: (a, b) => `maxNan(${a}, ${b})`,
  finish: (v) => v,
};

/** Values each thread folds per step of segmentedReduce. */
export const FAN_IN = 16;

/**
 * WGSL that reduces `red[seg*lanes .. seg*lanes + lanes)` into its first
 * element for every segment of p.lanes threads (a power of two); with
 * `arrays` (a WGSL count), that many values per thread, `stride` words apart. Fan-in 16 rather than a binary tree:
 * two barrier rounds instead of eight for 256 lanes (a barrier stalls the
 * whole workgroup, and costs a fiber switch per invocation on CPU
 * rasterisers); neighbouring threads read neighbouring words, so no bank conflicts.
 * Threads below `next` write only below `next` and read only at or above it: no race.
 */
export function segmentedReduce(combine: (a: string, b: string) => string, arrays?: string, stride = 0): string {
  const each = (body: (off: string) => string) => (arrays === undefined ? body('0u') : `for (var b = 0u; b < ${arrays}; b++) { ${body(`b * ${stride}u`)} }`);
  return /* wgsl */ `
  for (var s = p.lanes; s > 1u; ) {
    let next = max(s / ${FAN_IN}u, 1u);
    if (lane < next) {
      ${each((off) => `var v = red[${off} + li]; for (var j = 1u; j < s / next; j++) { v = ${combine('v', `red[${off} + li + j * next]`)}; } red[${off} + li] = v;`)}
    }
    workgroupBarrier();
    s = next;
  }`;
}

/** Smallest power of two >= v (1 for v <= 1). */
export function pow2ceil(v: number): number {
  let p = 1;
  while (p < v) p *= 2;
  return p;
}
