/**
 * The naive SE forward pass in float64: written to be read, not to be fast.
 * It is the TypeScript side's ground truth. Each step is a method so a test can
 * replace one (e.g. drop the sigmoid) and prove the conformance gate catches it.
 */
import { type SeSpec, type Weights, hiddenWidth } from '../../harness/api.ts';

/** Output and gate of one SE forward pass, float64, NCHW. */
export interface SeMathResult {
  y: Float64Array;
  /** [N, C] for avg/max squeeze; [N, C, H, W] for squeeze "none". */
  gate: Float64Array;
}

export class SeReferenceMath {
  readonly hidden: number;
  readonly #w1: Float32Array;
  readonly #w2: Float32Array;
  readonly #b1?: Float32Array;
  readonly #b2?: Float32Array;

  constructor(readonly spec: SeSpec, weights: Weights) {
    this.hidden = hiddenWidth(spec);
    // Linear [out, in] and 1x1 conv [out, in, 1, 1] hold the same numbers in the same order.
    this.#w1 = weights['fc1.weight']!.data;
    this.#w2 = weights['fc2.weight']!.data;
    this.#b1 = weights['fc1.bias']?.data;
    this.#b2 = weights['fc2.bias']?.data;
  }

  /** Squeeze of one channel plane (`count` values from `offset`). */
  protected squeezePlane(x: ArrayLike<number>, offset: number, count: number): number {
    if (this.spec.squeeze === 'max') {
      let m = -Infinity;
      for (let i = 0; i < count; i++) {
        const v = x[offset + i]!;
        if (v > m || Number.isNaN(v)) m = v; // PyTorch's max pooling propagates NaN
      }
      return m;
    }
    let sum = 0;
    for (let i = 0; i < count; i++) sum += x[offset + i]!;
    return sum / count;
  }

  /** Activation between the two FCs. */
  protected hiddenActivation(v: number): number {
    switch (this.spec.hiddenActivation) {
      case 'relu': return v > 0 ? v : v === v ? 0 : v; // keeps NaN as NaN, like torch.relu
      case 'tanh': return Math.tanh(v);
      case 'sigmoid': return 1 / (1 + Math.exp(-v));
      case 'silu': return v / (1 + Math.exp(-v));
    }
  }

  /** The gate non-linearity: sigmoid, or PyTorch's hardsigmoid relu6(v + 3) / 6 (NaN stays NaN). */
  protected gateActivation(v: number): number {
    if (this.spec.gate === 'hardsigmoid') return v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5;
    return 1 / (1 + Math.exp(-v));
  }

  /** Excitation of one descriptor vector `s` (length C) into a gate vector (length C). */
  excite(s: Float64Array): Float64Array {
    const c = this.spec.channels;
    const h = this.hidden;
    const z = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      let acc = this.#b1 ? this.#b1[j]! : 0;
      for (let i = 0; i < c; i++) acc += this.#w1[j * c + i]! * s[i]!;
      z[j] = this.hiddenActivation(acc);
    }
    const g = new Float64Array(c);
    for (let i = 0; i < c; i++) {
      let acc = this.#b2 ? this.#b2[i]! : 0;
      for (let j = 0; j < h; j++) acc += this.#w2[i * h + j]! * z[j]!;
      g[i] = this.gateActivation(acc);
    }
    return g;
  }

  /** Full SE block on an NCHW tensor of shape [n, C, height, width]. */
  forward(x: ArrayLike<number>, n: number, height: number, width: number): SeMathResult {
    const c = this.spec.channels;
    const hw = height * width;
    const y = new Float64Array(n * c * hw);
    if (this.spec.squeeze === 'none') {
      // NoSqueeze: the excitation runs on every spatial position's channel vector.
      const gate = new Float64Array(n * c * hw);
      const s = new Float64Array(c);
      for (let b = 0; b < n; b++) {
        for (let p = 0; p < hw; p++) {
          for (let ch = 0; ch < c; ch++) s[ch] = x[(b * c + ch) * hw + p]!;
          const g = this.excite(s);
          for (let ch = 0; ch < c; ch++) {
            const at = (b * c + ch) * hw + p;
            gate[at] = g[ch]!;
            y[at] = x[at]! * g[ch]!;
          }
        }
      }
      return { y, gate };
    }
    const gate = new Float64Array(n * c);
    for (let b = 0; b < n; b++) {
      const s = new Float64Array(c);
      for (let ch = 0; ch < c; ch++) s[ch] = this.squeezePlane(x, (b * c + ch) * hw, hw);
      const g = this.excite(s);
      for (let ch = 0; ch < c; ch++) {
        const scale = g[ch]!;
        gate[b * c + ch] = scale;
        const base = (b * c + ch) * hw;
        for (let p = 0; p < hw; p++) y[base + p] = x[base + p]! * scale;
      }
    }
    return { y, gate };
  }
}

/** Constructor type for SE math, so the reference can be built with a mutated variant. */
export type SeMathClass = new (spec: SeSpec, weights: Weights) => SeReferenceMath;
