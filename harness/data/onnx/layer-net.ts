/**
 * A layer network (MobileNetV3, EfficientNet, RegNetY) as ONNX nodes:
 * Conv2dNormActivation as Conv (depthwise: group = channels) + BatchNormalization
 * + activation (Relu; HardSwish; SiLU as x * Sigmoid(x), which opset 17 lacks),
 * SE blocks from se.ts (HardSigmoid with alpha 1/6), residual Adds,
 * GlobalAveragePool, Flatten and the classifier Gemms. Weight names are
 * torchvision's; every stage output and SE gate is a graph output.
 */
import type { ConvLayer, LayerActivation, LayerNetSpec } from '../../model/layers.ts';
import type { Weights } from '../weights.ts';
import { addBatchNorm, addConv } from './bottleneck.ts';
import { attr, type GraphBuilder } from './graph.ts';
import { addSe, addSilu } from './se.ts';

/** `act` on value `x`, as node `name`. */
export function addActivation(g: GraphBuilder, act: LayerActivation, name: string, x: string): string {
  switch (act) {
    case 'relu': return g.node('Relu', name, [x]);
    // ONNX HardSwish (opset 14) is x * max(0, min(1, x / 6 + 0.5)): PyTorch's Hardswish exactly.
    case 'hardswish': return g.node('HardSwish', name, [x]);
    case 'silu': return addSilu(g, name, x);
  }
}

function addConvUnit(g: GraphBuilder, weights: Weights, l: ConvLayer, x: string): string {
  const t = addBatchNorm(g, weights, `${l.name}.1`, addConv(g, weights, `${l.name}.0`, x, l.kernel, l.stride, (l.kernel - 1) / 2, l.groups), l.eps);
  return l.act ? addActivation(g, l.act, `${l.name}.2`, t) : t;
}

/** Trunk, pool and classifier of `net` on value `x`: the logits, each stage's last output and every SE gate ([N, C]) by SE name. */
export function addLayerNet(g: GraphBuilder, net: LayerNetSpec, weights: Weights, x: string): { logits: string; stages: Map<string, { value: string; channels: number }>; gates: { name: string; value: string; channels: number }[] } {
  const stages = new Map<string, { value: string; channels: number }>();
  const gates: { name: string; value: string; channels: number }[] = [];
  let t = x;
  for (const { stage, layer } of net.trunk) {
    let channels: number;
    if (layer.op === 'conv') {
      t = addConvUnit(g, weights, layer, t);
      channels = layer.out;
    } else {
      const input = t;
      channels = 0;
      for (const l of layer.body) {
        if (l.op === 'conv') {
          t = addConvUnit(g, weights, l, t);
          channels = l.out;
        } else {
          const r = addSe(g, l.se, weights, l.name, t);
          gates.push({ name: l.name, value: r.gate, channels: l.se.channels });
          t = r.y;
        }
      }
      if (layer.shortcut !== 'none') {
        const shortcut = layer.shortcut === 'identity' ? input : addConvUnit(g, weights, layer.shortcut, input);
        t = g.node('Add', `${layer.name}.add`, [t, shortcut]);
      }
      if (layer.act) t = addActivation(g, layer.act, `${layer.name}.act`, t);
    }
    stages.set(stage, { value: t, channels }); // the last layer of a stage wins
  }
  t = g.node('Flatten', 'flatten', [g.node('GlobalAveragePool', 'avgpool', [t])], [attr.int('axis', 1)]);
  for (const h of net.head) {
    const w = weights[`${h.name}.weight`]!;
    const b = weights[`${h.name}.bias`]!;
    t = g.node('Gemm', h.name, [t, g.weight(`${h.name}.weight`, w.shape, w.data), g.weight(`${h.name}.bias`, b.shape, b.data)], [attr.int('transB', 1)]);
    if (h.act) t = addActivation(g, h.act, `${h.name}.act`, t);
  }
  return { logits: t, stages, gates };
}
