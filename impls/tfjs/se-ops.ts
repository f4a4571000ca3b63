/**
 * The SE block in tfjs ops, NHWC: squeeze (mean / max over H and W, or none),
 * excitation (two FCs as matMuls), sigmoid or hard-sigmoid gate, channel-wise scale. Written
 * once against the tfjs API; the backend is whatever the engine runs.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { type SeSpec, type Weights, hiddenWidth } from '../../harness/api.ts';
import type { Tf } from './backends.ts';

type T1 = TfCore.Tensor1D;
type T2 = TfCore.Tensor2D;
type T4 = TfCore.Tensor4D;

/** SE weights uploaded to the current backend; free with disposeSe. */
export interface SeTensors {
  spec: SeSpec;
  hidden: number;
  /** fc1 weight transposed, [C, hidden]; absent when hidden is 0. */
  w1t?: T2;
  b1?: T1;
  /** fc2 weight transposed, [hidden, C]; absent when hidden is 0. */
  w2t?: T2;
  b2?: T1;
}

/** Output of the SE block and its gate: [N, C], or [N, H, W, C] for squeeze "none". */
export interface SeResult {
  y: T4;
  gate: TfCore.Tensor;
}

/**
 * [rows, cols] row-major to [cols, rows]. Linear and 1x1-conv weights hold the
 * same numbers in this order. We transpose on the host, once, instead of
 * asking matMul for transposeB: tfjs-backend-webgpu 4.22's split-K matMul
 * (chosen for a few rows and >= 2000 inner terms, e.g. the 2048-channel SE
 * of ResNet-50 stage 5) ignores transposeB and returns wrong values.
 */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** Uploads the SE weights named `${prefix}fc1.weight` etc. (checked by the caller) to the current backend. */
export function uploadSe(tf: Tf, spec: SeSpec, weights: Weights, prefix = ''): SeTensors {
  const c = spec.channels;
  const hidden = hiddenWidth(spec);
  const get = (k: string) => weights[`${prefix}${k}`]!.data;
  const se: SeTensors = { spec, hidden };
  if (spec.bias2) se.b2 = tf.tensor1d(get('fc2.bias'));
  // Hidden width 0 (C < r): PyTorch's Linear(0, C) returns its bias alone, so fc1 never matters.
  if (hidden > 0) {
    se.w1t = tf.tensor2d(transpose(get('fc1.weight'), hidden, c), [c, hidden]);
    se.w2t = tf.tensor2d(transpose(get('fc2.weight'), c, hidden), [hidden, c]);
    if (spec.bias1) se.b1 = tf.tensor1d(get('fc1.bias'));
  }
  return se;
}

/** Frees the SE weights. */
export function disposeSe(se: SeTensors): void {
  for (const t of [se.w1t, se.b1, se.w2t, se.b2]) t?.dispose();
}

function hiddenActivation(tf: Tf, spec: SeSpec, z: T2): T2 {
  switch (spec.hiddenActivation) {
    case 'relu': return tf.relu(z);
    case 'tanh': return tf.tanh(z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'silu': return tf.mul(z, tf.sigmoid(z));
  }
}

/** The gate: sigmoid, or PyTorch's hardsigmoid relu6(g + 3) / 6 (tfjs has no hardsigmoid op). */
function gateActivation(tf: Tf, spec: SeSpec, g: T2): T2 {
  return spec.gate === 'hardsigmoid' ? tf.div(tf.relu6(tf.add(g, 3)), 6) : tf.sigmoid(g);
}

/** Excitation of descriptors s [M, C] into gates [M, C] (after the sigmoid). Call inside tf.tidy. */
export function excite(tf: Tf, se: SeTensors, s: T2): T2 {
  const [m, c] = s.shape;
  if (!se.w1t || !se.w2t) {
    // Hidden width 0: the gate is gate(fc2.bias), or gate(0) = 0.5 without a bias, as in PyTorch.
    return gateActivation(tf, se.spec, (se.b2 ? tf.broadcastTo(tf.reshape(se.b2, [1, c]), [m, c]) : tf.zeros([m, c])) as T2);
  }
  let z = tf.matMul(s, se.w1t) as T2;
  if (se.b1) z = tf.add<T2>(z, se.b1);
  z = hiddenActivation(tf, se.spec, z);
  let g = tf.matMul(z, se.w2t) as T2;
  if (se.b2) g = tf.add<T2>(g, se.b2);
  return gateActivation(tf, se.spec, g);
}

/** The SE block on an NHWC tensor. Call inside tf.tidy. */
export function seForward(tf: Tf, se: SeTensors, x: T4): SeResult {
  const [n, h, w, c] = x.shape;
  if (se.spec.squeeze === 'none') {
    // NoSqueeze: the excitation (1x1 convs) runs on every position's channel vector.
    const gate = tf.reshape(excite(tf, se, tf.reshape(x, [n * h * w, c])), [n, h, w, c]) as T4;
    return { y: tf.mul(x, gate), gate };
  }
  const s = se.spec.squeeze === 'avg' ? tf.mean(x, [1, 2]) : tf.max(x, [1, 2]);
  const gate = excite(tf, se, s as T2);
  return { y: tf.mul(x, tf.reshape(gate, [n, 1, 1, c])), gate };
}
