/**
 * Float64 forward pass of a whole NetworkSpec: stem (7x7 conv, BN, ReLU,
 * 3x3 max pool), the bottleneck stages, global average pool, classifier.
 * Returns every stage output and SE gate so a failing stage can be named.
 */
import { type NetworkSpec, type Weights, isLayerNet, networkBlocks, weightsUnder } from '../../harness/api.ts';
import { layerNetForward } from './layer-net-math.ts';
import { batchNorm, bottleneckForward, conv2d, relu, type Act, type NetworkResult } from './bottleneck-math.ts';
import type { SeMathClass } from './se-math.ts';

/** Max pooling with -Infinity padding (PyTorch's MaxPool2d). */
export function maxPool(x: Act, k: number, stride: number, pad: number): Act {
  const ho = Math.floor((x.h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((x.w + 2 * pad - k) / stride) + 1;
  const out = new Float64Array(x.n * x.c * ho * wo);
  for (let p = 0; p < x.n * x.c; p++) {
    const base = p * x.h * x.w;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        let m = -Infinity;
        for (let iy = Math.max(0, oy * stride - pad); iy < Math.min(x.h, oy * stride - pad + k); iy++) {
          for (let ix = Math.max(0, ox * stride - pad); ix < Math.min(x.w, ox * stride - pad + k); ix++) {
            const v = x.data[base + iy * x.w + ix]!;
            if (v > m || Number.isNaN(v)) m = v;
          }
        }
        out[(p * ho + oy) * wo + ox] = m;
      }
    }
  }
  return { data: out, n: x.n, c: x.c, h: ho, w: wo };
}

/** Global average pool then the classifier: [N, C, H, W] -> [N, classes]. */
function head(x: Act, weight: Float32Array, bias: Float32Array, classes: number): Float64Array {
  const hw = x.h * x.w;
  const pooled = new Float64Array(x.c);
  const logits = new Float64Array(x.n * classes);
  for (let b = 0; b < x.n; b++) {
    for (let c = 0; c < x.c; c++) {
      let s = 0;
      for (let p = 0; p < hw; p++) s += x.data[(b * x.c + c) * hw + p]!;
      pooled[c] = s / hw;
    }
    for (let o = 0; o < classes; o++) {
      let acc = bias[o]!;
      for (let c = 0; c < x.c; c++) acc += weight[o * x.c + c]! * pooled[c]!;
      logits[b * classes + o] = acc;
    }
  }
  return logits;
}

/** Runs `net` on an NCHW float64 input. Weights are checked by the caller. */
export function networkForward(net: NetworkSpec, weights: Weights, input: Act, Se: SeMathClass): NetworkResult {
  if (isLayerNet(net)) return layerNetForward(net, weights, input, Se);
  let t = conv2d(input, weights['conv1.weight']!.data, 64, 7, 2, 3, 1);
  t = maxPool(relu(batchNorm(t, weights, 'bn1')), 3, 2, 1);
  const stages: Record<string, Act> = {};
  const gates: NetworkResult['gates'] = {};
  for (const block of networkBlocks(net)) {
    const r = bottleneckForward(block.spec, weightsUnder(weights, block.name), t, Se);
    t = r.y;
    if (r.gate) gates[block.name] = r.gate;
    stages[block.name.split('.')[0]!] = t; // the last block of each layer wins
  }
  const logits = head(t, weights['fc.weight']!.data, weights['fc.bias']!.data, net.numClasses);
  return { logits, stages, gates };
}
