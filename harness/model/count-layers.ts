/**
 * The count tree of a layer network (MobileNetV3, EfficientNet, RegNetY):
 * Conv2dNormActivation units, SE modules, residual blocks and the classifier,
 * named as torchvision's modules so rows match its state dict.
 */
import { bn, conv, group, leaf, seNode, type Chw, type Node } from './count-tree.ts';
import type { ConvLayer, LayerActivation, LayerNetSpec } from './layers.ts';
import { checkResolution } from './network.ts';

const ACT_TYPES: Record<LayerActivation, string> = { relu: 'ReLU', hardswish: 'Hardswish', silu: 'SiLU' };
const BLOCK_TYPES: Record<LayerNetSpec['family'], string> = { mobilenet_v3: 'InvertedResidual', efficientnet: 'MBConv', regnet: 'ResBottleneckBlock' };
const NET_TYPES: Record<LayerNetSpec['family'], string> = { mobilenet_v3: 'MobileNetV3', efficientnet: 'EfficientNet', regnet: 'RegNet' };

function convUnit(l: ConvLayer, x: Chw): Node {
  const c = conv(`${l.name}.0`, x, l.out, l.kernel, l.stride, (l.kernel - 1) / 2, l.groups);
  const children = [c, bn(`${l.name}.1`, c.outputShape)];
  if (l.act) children.push(leaf(`${l.name}.2`, ACT_TYPES[l.act], c.outputShape, c.outputShape));
  return group(l.name, 'Conv2dNormActivation', children);
}

/** The module tree of `net` on one 3 x resolution x resolution image. */
export function layerNetTree(net: LayerNetSpec, resolution: number): Node {
  const input: Chw = [net.inChannels, checkResolution(resolution), resolution];
  let x = input;
  const children: Node[] = [];
  for (const { layer } of net.trunk) {
    if (layer.op === 'conv') {
      const n = convUnit(layer, x);
      children.push(n);
      x = n.outputShape as Chw;
      continue;
    }
    const inner: Node[] = [];
    let t = x;
    for (const l of layer.body) {
      const n = l.op === 'conv' ? convUnit(l, t) : seNode(l.name, l.se, t);
      if (l.op === 'se') n.inSe = true;
      inner.push(n);
      t = n.outputShape as Chw;
    }
    if (typeof layer.shortcut === 'object') inner.push(convUnit(layer.shortcut, x));
    const block = group(layer.name, BLOCK_TYPES[net.family], inner);
    block.inputShape = x;
    block.outputShape = t;
    children.push(block);
    x = t;
  }
  children.push(leaf('avgpool', 'AdaptiveAvgPool2d', x, [x[0], 1, 1]));
  let features = x[0];
  for (const h of net.head) {
    const macs = h.in * h.out;
    children.push(leaf(h.name, 'Linear', [features], [h.out], macs + h.out, macs));
    if (h.act) children.push(leaf(`${h.name}.act`, ACT_TYPES[h.act], [h.out], [h.out]));
    features = h.out;
  }
  const root = group(net.name, NET_TYPES[net.family], children);
  root.inputShape = input;
  return root;
}
