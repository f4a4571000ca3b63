/**
 * Float64 forward pass of a layer network (MobileNetV3, EfficientNet,
 * RegNetY): Conv2dNormActivation units, SE modules, residual blocks, global
 * average pool, classifier. Returns every stage output and SE gate (by the SE
 * module's name) so a failing one can be named.
 */
import { type ConvLayer, type LayerActivation, type LayerNetSpec, type Weights, weightsUnder } from '../../harness/api.ts';
import { batchNorm, conv2d, type Act, type NetworkResult } from './bottleneck-math.ts';
import type { SeMathClass } from './se-math.ts';

/** The activations of the trunk, as PyTorch computes them (NaN stays NaN). */
export function activate(v: number, act: LayerActivation): number {
  switch (act) {
    case 'relu': return v > 0 ? v : v === v ? 0 : v;
    case 'hardswish': return v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
    case 'silu': return v / (1 + Math.exp(-v));
  }
}

function convUnit(x: Act, l: ConvLayer, weights: Weights): Act {
  const t = batchNorm(conv2d(x, weights[`${l.name}.0.weight`]!.data, l.out, l.kernel, l.stride, (l.kernel - 1) / 2, l.groups), weights, `${l.name}.1`, l.eps);
  if (l.act) for (let i = 0; i < t.data.length; i++) t.data[i] = activate(t.data[i]!, l.act);
  return t;
}

/** Runs `net` on an NCHW float64 input. Weights are checked by the caller. */
export function layerNetForward(net: LayerNetSpec, weights: Weights, input: Act, Se: SeMathClass): NetworkResult {
  const stages: NetworkResult['stages'] = {};
  const gates: NetworkResult['gates'] = {};
  let x = input;
  for (const { stage, layer } of net.trunk) {
    if (layer.op === 'conv') x = convUnit(x, layer, weights);
    else {
      let t = x;
      for (const l of layer.body) {
        if (l.op === 'conv') t = convUnit(t, l, weights);
        else {
          const r = new Se(l.se, weightsUnder(weights, l.name)).forward(t.data, t.n, t.h, t.w);
          gates[l.name] = { data: r.gate, shape: [t.n, t.c] };
          t = { ...t, data: r.y };
        }
      }
      const shortcut = layer.shortcut === 'identity' ? x : layer.shortcut === 'none' ? undefined : convUnit(x, layer.shortcut, weights);
      if (shortcut) for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! + shortcut.data[i]!;
      if (layer.act) for (let i = 0; i < t.data.length; i++) t.data[i] = activate(t.data[i]!, layer.act);
      x = t;
    }
    stages[stage] = x; // the last layer of a stage wins
  }
  const hw = x.h * x.w;
  let features = x.c;
  let v = new Float64Array(x.n * x.c);
  for (let p = 0; p < x.n * x.c; p++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += x.data[p * hw + i]!;
    v[p] = s / hw;
  }
  for (const h of net.head) {
    const w = weights[`${h.name}.weight`]!.data;
    const b = weights[`${h.name}.bias`]!.data;
    const out = new Float64Array(x.n * h.out);
    for (let n = 0; n < x.n; n++) {
      for (let o = 0; o < h.out; o++) {
        let acc = b[o]!;
        for (let i = 0; i < features; i++) acc += w[o * features + i]! * v[n * features + i]!;
        out[n * h.out + o] = h.act ? activate(acc, h.act) : acc;
      }
    }
    v = out;
    features = h.out;
  }
  return { logits: v, stages, gates };
}
