/**
 * The ResNet bottleneck with SE in tfjs ops, NHWC. BatchNorm (eval mode) is
 * folded into each conv's weights and a bias once, at upload; convolutions
 * use PyTorch's symmetric zero padding (a number, not tfjs's 'same', which
 * pads TF-style and differs at stride 2).
 *
 * Grouped convolution: tfjs conv2d has no groups. A conv with g groups, k
 * inputs and m outputs per group is a depthwise conv with channel multiplier m
 * (input channel i gives m partial outputs) followed by a sum over the k
 * inputs of each group: the same multiply count as the grouped conv, no
 * block-diagonal zeros, and the output channels come out in PyTorch's order.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { BN_EPS, type BottleneckSpec, type Weights, hasProjection } from '../../harness/api.ts';
import type { Tf } from './backends.ts';
import { disposeSe, seForward, uploadSe, type SeTensors } from './se-ops.ts';

type T4 = TfCore.Tensor4D;

/** A conv with its BatchNorm folded in, uploaded; `groups` > 1 holds a depthwise filter [kh, kw, Cin, m]. */
export interface FoldedConv {
  filter: T4;
  bias: TfCore.Tensor1D;
  stride: number;
  pad: number;
  groups: number;
  cout: number;
}

/** Bottleneck weights on the current backend; free with disposeBottleneck. */
export interface BottleneckTensors {
  spec: BottleneckSpec;
  conv1: FoldedConv;
  conv2: FoldedConv;
  conv3: FoldedConv;
  downsample?: FoldedConv;
  se?: SeTensors;
}

/**
 * Folds BatchNorm into a PyTorch conv weight [cout, cin/groups, k, k]:
 * w' = w * gamma / sqrt(var + eps), b' = beta - mean * gamma / sqrt(var + eps),
 * computed in float64 and rounded once. Returns the tfjs filter layout: HWIO
 * for groups 1, the depthwise layout [k, k, cin, cout/groups] otherwise.
 */
export function foldConv(weights: Weights, conv: string, bn: string, cout: number, cin: number, k: number, groups: number, eps = BN_EPS): { filter: Float32Array; shape: [number, number, number, number]; bias: Float32Array } {
  const w = weights[`${conv}.weight`]!.data;
  const gamma = weights[`${bn}.weight`]!.data;
  const beta = weights[`${bn}.bias`]!.data;
  const mean = weights[`${bn}.running_mean`]!.data;
  const variance = weights[`${bn}.running_var`]!.data;
  const cinG = cin / groups;
  const m = cout / groups;
  const bias = new Float32Array(cout);
  const filter = new Float32Array(cout * cinG * k * k);
  // Dense: [kh, kw, cin, cout]. Grouped: [kh, kw, cin, m], input i = g*cinG + ii feeding output g*m + j.
  const at = (o: number, ii: number, kh: number, kw: number): number => groups === 1
    ? ((kh * k + kw) * cin + ii) * cout + o
    : ((kh * k + kw) * cin + Math.floor(o / m) * cinG + ii) * m + (o % m);
  for (let o = 0; o < cout; o++) {
    const scale = gamma[o]! / Math.sqrt(variance[o]! + eps);
    bias[o] = beta[o]! - mean[o]! * scale;
    for (let ii = 0; ii < cinG; ii++) {
      for (let kh = 0; kh < k; kh++) {
        for (let kw = 0; kw < k; kw++) filter[at(o, ii, kh, kw)] = w[((o * cinG + ii) * k + kh) * k + kw]! * scale;
      }
    }
  }
  return { filter, shape: groups === 1 ? [k, k, cin, cout] : [k, k, cin, m], bias };
}

/** A conv with its BatchNorm folded, on the current backend (BatchNorm epsilon `eps`). */
export function uploadConv(tf: Tf, weights: Weights, conv: string, bn: string, cout: number, cin: number, k: number, stride: number, groups: number, eps = BN_EPS): FoldedConv {
  const f = foldConv(weights, conv, bn, cout, cin, k, groups, eps);
  return { filter: tf.tensor4d(f.filter, f.shape), bias: tf.tensor1d(f.bias), stride, pad: (k - 1) / 2, groups, cout };
}

/** Uploads a bottleneck's weights (checked by the caller), BatchNorm folded. */
export function uploadBottleneck(tf: Tf, spec: BottleneckSpec, weights: Weights): BottleneckTensors {
  const s1 = spec.strideOn === '1x1' ? spec.stride : 1;
  const s3 = spec.strideOn === '3x3' ? spec.stride : 1;
  const { inChannels: cin, midChannels: mid, outChannels: cout } = spec;
  const t: BottleneckTensors = {
    spec,
    conv1: uploadConv(tf, weights, 'conv1', 'bn1', mid, cin, 1, s1, 1),
    conv2: uploadConv(tf, weights, 'conv2', 'bn2', mid, mid, 3, s3, spec.groups),
    conv3: uploadConv(tf, weights, 'conv3', 'bn3', cout, mid, 1, 1, 1),
  };
  if (hasProjection(spec)) t.downsample = uploadConv(tf, weights, 'downsample.0', 'downsample.1', cout, cin, 1, spec.stride, 1);
  if (spec.se) t.se = uploadSe(tf, spec.se, weights, 'se.');
  return t;
}

/** Frees every tensor of the block. */
export function disposeBottleneck(t: BottleneckTensors): void {
  for (const c of [t.conv1, t.conv2, t.conv3, t.downsample]) {
    c?.filter.dispose();
    c?.bias.dispose();
  }
  if (t.se) disposeSe(t.se);
}

/** A folded conv (grouped through depthwiseConv2d), then ReLU when `relu`. Call inside tf.tidy. */
export function conv(tf: Tf, x: T4, c: FoldedConv, relu: boolean): T4 {
  const activation = relu ? 'relu' : 'linear';
  if (c.groups === 1) return tf.fused.conv2d({ x, filter: c.filter, strides: c.stride, pad: c.pad, bias: c.bias, activation });
  const d = tf.depthwiseConv2d(x, c.filter, c.stride, c.pad);
  const [n, h, w, cm] = d.shape;
  const cinG = cm / c.cout; // inputs per group (k); channel i*m + j of d is input i's share of output g*m + j
  const summed = cinG === 1 ? d : tf.reshape(tf.sum(tf.reshape(d, [n, h, w, c.groups, cinG, c.cout / c.groups]), 4), [n, h, w, c.cout]);
  const biased = tf.add(summed, c.bias) as T4;
  return relu ? tf.relu(biased) : biased;
}

/** Bottleneck forward with SE at `spec.position`; returns the output and the SE gate. Call inside tf.tidy. */
export function bottleneckForward(tf: Tf, b: BottleneckTensors, x: T4): { y: T4; gate?: TfCore.Tensor } {
  let gate: TfCore.Tensor | undefined;
  const se = (a: T4): T4 => {
    const r = seForward(tf, b.se!, a);
    gate = r.gate;
    return r.y;
  };
  const position = b.spec.position;
  let t = conv(tf, position === 'pre' ? se(x) : x, b.conv1, true);
  t = conv(tf, t, b.conv2, true);
  if (position === '3x3') t = se(t);
  t = conv(tf, t, b.conv3, false);
  if (position === 'standard') t = se(t);
  let shortcut = b.downsample ? conv(tf, x, b.downsample, false) : x;
  if (position === 'identity') shortcut = se(shortcut);
  t = tf.relu(tf.add<T4>(t, shortcut));
  if (position === 'post') t = se(t);
  return gate ? { y: t, gate } : { y: t };
}
