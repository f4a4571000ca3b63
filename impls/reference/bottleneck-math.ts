/**
 * Naive float64 layers for the reference bottleneck: conv2d (groups, stride,
 * zero padding), BatchNorm in eval mode, ReLU, residual add. NCHW throughout.
 */
import { BN_EPS, type BottleneckSpec, type Weights, hasProjection, weightsUnder } from '../../harness/api.ts';
import type { SeMathClass } from './se-math.ts';

/** A float64 NCHW activation. */
export interface Act {
  data: Float64Array;
  n: number;
  c: number;
  h: number;
  w: number;
}

/** Output of one network forward pass (network-math.ts for ResNets, layer-net-math.ts for torchvision's layer networks). */
export interface NetworkResult {
  logits: Float64Array;
  stages: Record<string, Act>;
  gates: Record<string, { data: Float64Array; shape: number[] }>;
}

/**
 * 2-D convolution without bias; weight [cout, cin/groups, k, k]. Each output
 * still sums its terms in (input channel, ky, kx) order, but the loops run
 * over contiguous output rows with the valid range precomputed, which is
 * several times faster than one bounds-checked dot product per output.
 */
export function conv2d(x: Act, weight: Float32Array, cout: number, k: number, stride: number, pad: number, groups: number): Act {
  const cinG = x.c / groups;
  const coutG = cout / groups;
  const ho = Math.floor((x.h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((x.w + 2 * pad - k) / stride) + 1;
  const plane = ho * wo;
  const out = new Float64Array(x.n * cout * plane);
  const src = x.data;
  // Valid output range [lo, hi) for kernel offset `kk` along an axis of input size `size`.
  const lo = (kk: number): number => Math.max(0, Math.ceil((pad - kk) / stride));
  const hi = (kk: number, size: number, outSize: number): number => Math.min(outSize, Math.floor((size - 1 + pad - kk) / stride) + 1);
  for (let b = 0; b < x.n; b++) {
    for (let oc = 0; oc < cout; oc++) {
      const g = Math.floor(oc / coutG);
      const oBase = (b * cout + oc) * plane;
      for (let icg = 0; icg < cinG; icg++) {
        const xBase = (b * x.c + g * cinG + icg) * x.h * x.w;
        const wBase = (oc * cinG + icg) * k * k;
        for (let ky = 0; ky < k; ky++) {
          const oy0 = lo(ky);
          const oy1 = hi(ky, x.h, ho);
          for (let kx = 0; kx < k; kx++) {
            const wv = weight[wBase + ky * k + kx]!;
            const ox0 = lo(kx);
            const ox1 = hi(kx, x.w, wo);
            for (let oy = oy0; oy < oy1; oy++) {
              const rowIn = xBase + (oy * stride - pad + ky) * x.w + kx - pad;
              const rowOut = oBase + oy * wo;
              for (let ox = ox0; ox < ox1; ox++) out[rowOut + ox] = out[rowOut + ox]! + wv * src[rowIn + ox * stride]!;
            }
          }
        }
      }
    }
  }
  return { data: out, n: x.n, c: cout, h: ho, w: wo };
}

/** BatchNorm2d in eval mode: (x - mean) / sqrt(var + eps) * weight + bias. In place. */
export function batchNorm(x: Act, weights: Weights, prefix: string, eps = BN_EPS): Act {
  const gamma = weights[`${prefix}.weight`]!.data;
  const beta = weights[`${prefix}.bias`]!.data;
  const mean = weights[`${prefix}.running_mean`]!.data;
  const variance = weights[`${prefix}.running_var`]!.data;
  const hw = x.h * x.w;
  for (let b = 0; b < x.n; b++) {
    for (let c = 0; c < x.c; c++) {
      const scale = gamma[c]! / Math.sqrt(variance[c]! + eps);
      const base = (b * x.c + c) * hw;
      for (let p = 0; p < hw; p++) x.data[base + p] = (x.data[base + p]! - mean[c]!) * scale + beta[c]!;
    }
  }
  return x;
}

/** ReLU in place. */
export function relu(x: Act): Act {
  for (let i = 0; i < x.data.length; i++) if (x.data[i]! < 0) x.data[i] = 0;
  return x;
}

/** Runs the reference SE on an activation, returning the scaled activation and the gate. */
function applySe(x: Act, Se: SeMathClass, spec: BottleneckSpec, weights: Weights): { out: Act; gate: Float64Array } {
  const { y, gate } = new Se(spec.se!, weightsUnder(weights, 'se')).forward(x.data, x.n, x.h, x.w);
  return { out: { ...x, data: y }, gate };
}

/** Bottleneck forward with SE at `spec.position`; returns the output and the SE gate (if any). */
export function bottleneckForward(
  spec: BottleneckSpec, weights: Weights, input: Act, Se: SeMathClass,
): { y: Act; gate?: { data: Float64Array; shape: number[] } } {
  let gate: { data: Float64Array; shape: number[] } | undefined;
  const se = (a: Act): Act => {
    const r = applySe(a, Se, spec, weights);
    gate = { data: r.gate, shape: spec.se!.squeeze === 'none' ? [a.n, a.c, a.h, a.w] : [a.n, a.c] };
    return r.out;
  };
  const s1 = spec.strideOn === '1x1' ? spec.stride : 1;
  const s3 = spec.strideOn === '3x3' ? spec.stride : 1;
  const branchIn = spec.position === 'pre' ? se(input) : input;
  let t = relu(batchNorm(conv2d(branchIn, weights['conv1.weight']!.data, spec.midChannels, 1, s1, 0, 1), weights, 'bn1'));
  t = relu(batchNorm(conv2d(t, weights['conv2.weight']!.data, spec.midChannels, 3, s3, 1, spec.groups), weights, 'bn2'));
  if (spec.position === '3x3') t = se(t);
  t = batchNorm(conv2d(t, weights['conv3.weight']!.data, spec.outChannels, 1, 1, 0, 1), weights, 'bn3');
  if (spec.position === 'standard') t = se(t);
  let shortcut = hasProjection(spec)
    ? batchNorm(conv2d(input, weights['downsample.0.weight']!.data, spec.outChannels, 1, spec.stride, 0, 1), weights, 'downsample.1')
    : input;
  if (spec.position === 'identity') shortcut = se(shortcut);
  for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! + shortcut.data[i]!;
  t = relu(t);
  if (spec.position === 'post') t = se(t);
  return { y: t, gate };
}
