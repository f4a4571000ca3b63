/** A dense float32 tensor; NCHW unless a function says otherwise. */

export type Layout = 'NCHW' | 'NHWC';

/** Dense float32 tensor with a row-major shape. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Number of elements a shape holds (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(shape: readonly number[], what = 'tensor'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${what}: shape [${shape.join(', ')}] has an invalid dimension ${d}; dimensions must be integers >= 0`);
    }
  }
}

/** Builds a tensor, checking that `data` holds exactly the elements `shape` asks for. */
export function tensor(shape: readonly number[], data?: Float32Array): Tensor {
  checkShape(shape);
  const n = sizeOf(shape);
  const buf = data ?? new Float32Array(n);
  if (buf.length !== n) {
    throw new RangeError(`tensor: shape [${shape.join(', ')}] needs ${n} elements, data has ${buf.length}`);
  }
  return { shape: [...shape], data: buf };
}

/** Formats a shape as `2x64x32x32`. */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('x');
}

/** True when both shapes have the same rank and dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The four dimensions of a rank-4 tensor; throws with the actual rank otherwise. */
export function dims4(t: Tensor, what = 'tensor'): [number, number, number, number] {
  if (t.shape.length !== 4) {
    throw new RangeError(`${what}: expected a rank-4 tensor, got shape [${t.shape.join(', ')}]`);
  }
  return t.shape as unknown as [number, number, number, number];
}

/** NCHW -> NHWC copy. */
export function nchwToNhwc(t: Tensor): Tensor {
  const [n, c, h, w] = dims4(t, 'nchwToNhwc');
  const src = t.data;
  const out = new Float32Array(src.length);
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * c * hw;
    for (let ch = 0; ch < c; ch++) {
      const from = base + ch * hw;
      for (let p = 0; p < hw; p++) out[base + p * c + ch] = src[from + p]!;
    }
  }
  return { shape: [n, h, w, c], data: out };
}

/** NHWC -> NCHW copy. */
export function nhwcToNchw(t: Tensor): Tensor {
  const [n, h, w, c] = dims4(t, 'nhwcToNchw');
  const src = t.data;
  const out = new Float32Array(src.length);
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * c * hw;
    for (let p = 0; p < hw; p++) {
      const from = base + p * c;
      for (let ch = 0; ch < c; ch++) out[base + ch * hw + p] = src[from + ch]!;
    }
  }
  return { shape: [n, c, h, w], data: out };
}

/** Converts an NCHW tensor to `layout` (a copy for NHWC, the same tensor for NCHW). */
export function toLayout(t: Tensor, layout: Layout): Tensor {
  return layout === 'NCHW' ? t : nchwToNhwc(t);
}

/** Converts a tensor in `layout` back to NCHW. */
export function fromLayout(t: Tensor, layout: Layout): Tensor {
  return layout === 'NCHW' ? t : nhwcToNchw(t);
}

/** NaN and infinite values of `t`: how many, and where the first one is (coordinates), or undefined when every value is finite. */
export function nonFinite(t: Tensor): { count: number; first: number[] } | undefined {
  let count = 0;
  let firstIndex = -1;
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i]!)) {
      count++;
      if (firstIndex < 0) firstIndex = i;
    }
  }
  if (count === 0) return undefined;
  const first: number[] = [];
  let rest = firstIndex;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    first.unshift(rest % t.shape[d]!);
    rest = Math.floor(rest / t.shape[d]!);
  }
  return { count, first };
}
