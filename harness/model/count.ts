/**
 * Exact cost accounting for a NetworkSpec at one resolution, batch 1.
 *
 * Conventions (the ones behind the paper's 3.86 and torchvision's 4.09):
 * - params: every learnable tensor (`sum(p.numel())`); BatchNorm running
 *   statistics are buffers, not params.
 * - MACs: multiply-adds of convolutions and fully connected layers only.
 * - SE elementwise ops, which fvcore and torchinfo drop, counted one per
 *   element in their own columns: squeeze (pooling adds, or compares for max),
 *   hidden activations, gates (sigmoid or hard sigmoid), FC bias adds and scaling multiplies.
 * - FLOPs = MACs + SE elementwise ops: the paper's "GFLOPs" unit (one
 *   multiply-add = 1) extended by SE's own work, so SE-ResNet-50 v1 is 3.87.
 */
import { hasProjection, type BottleneckSpec } from './bottleneck.ts';
import { layerNetTree } from './count-layers.ts';
import { bn, conv, group, leaf, seNode, totalOps, type Chw, type Node, type SeOps } from './count-tree.ts';
import { checkResolution, convOut, isLayerNet, networkBlocks, zeroWidthSeBlocks, type NetworkSpec, type ResNetSpec } from './network.ts';
import { hiddenWidth } from './spec.ts';

export { totalOps, type SeOps };

/** One row of the per-layer summary; containers hold the totals of their children. */
export interface LayerRow {
  /** Dotted name as in the state dict (`layer1.0.se.fc1`); the root is the model name. */
  name: string;
  type: string;
  depth: number;
  inputShape: number[];
  outputShape: number[];
  params: number;
  macs: number;
  seOps: SeOps;
}

/** Totals and rows of one network at one resolution. */
export interface NetworkCount {
  model: string;
  resolution: number;
  params: number;
  macs: number;
  /** MACs + SE elementwise ops. */
  flops: number;
  /** Params and MACs inside SE modules (already included in the totals). */
  seParams: number;
  seMacs: number;
  seOps: SeOps;
  seOpsTotal: number;
  rows: LayerRow[];
  /** E.g. SE blocks with hidden width 0. */
  warnings: string[];
}

function bottleneckNode(name: string, b: BottleneckSpec, x: Chw): Node {
  const s1 = b.strideOn === '1x1' ? b.stride : 1;
  const s3 = b.strideOn === '3x3' ? b.stride : 1;
  const children: Node[] = [];
  const push = (n: Node): Chw => {
    children.push(n);
    return n.outputShape as Chw;
  };
  if (b.position === 'pre') push(seNode(`${name}.se`, b.se!, x));
  let t = push(conv(`${name}.conv1`, x, b.midChannels, 1, s1, 0, 1));
  push(bn(`${name}.bn1`, t));
  t = push(conv(`${name}.conv2`, t, b.midChannels, 3, s3, 1, b.groups));
  push(bn(`${name}.bn2`, t));
  if (b.position === '3x3') push(seNode(`${name}.se`, b.se!, t));
  t = push(conv(`${name}.conv3`, t, b.outChannels, 1, 1, 0, 1));
  push(bn(`${name}.bn3`, t));
  if (b.position === 'standard') push(seNode(`${name}.se`, b.se!, t));
  if (hasProjection(b)) {
    const d = conv(`${name}.downsample.0`, x, b.outChannels, 1, b.stride, 0, 1);
    children.push(group(`${name}.downsample`, 'Sequential', [d, bn(`${name}.downsample.1`, d.outputShape)]));
  }
  // identity: SE on the shortcut; post: SE after the sum and ReLU. Both see the block's output shape.
  if (b.position === 'identity' || b.position === 'post') push(seNode(`${name}.se`, b.se!, t));
  const node = group(name, 'Bottleneck', children);
  node.inputShape = x;
  node.outputShape = t;
  return node;
}

function networkTree(net: ResNetSpec, resolution: number): Node {
  const input: Chw = [net.inChannels, checkResolution(resolution), resolution];
  const stem = conv('conv1', input, 64, 7, 2, 3, 1);
  const pool = (s: number[]): Chw => [s[0]!, convOut(s[1]!, 3, 2, 1, 'maxpool'), convOut(s[2]!, 3, 2, 1, 'maxpool')];
  const children: Node[] = [stem, bn('bn1', stem.outputShape), leaf('relu', 'ReLU', stem.outputShape, stem.outputShape)];
  children.push(leaf('maxpool', 'MaxPool2d', stem.outputShape, pool(stem.outputShape)));
  let x = children.at(-1)!.outputShape as Chw;
  const blocks = networkBlocks(net);
  for (let i = 0; i < net.blocks.length; i++) {
    const layer = blocks.filter((b) => b.name.startsWith(`layer${i + 1}.`)).map((b) => {
      const node = bottleneckNode(b.name, b.spec, x);
      x = node.outputShape as Chw;
      return node;
    });
    children.push(group(`layer${i + 1}`, 'Sequential', layer));
  }
  children.push(leaf('avgpool', 'AdaptiveAvgPool2d', x, [x[0], 1, 1]));
  const fcParams = x[0] * net.numClasses;
  children.push(leaf('fc', 'Linear', [x[0]], [net.numClasses], fcParams + net.numClasses, fcParams));
  const root = group(net.name, net.groups > 1 ? 'ResNeXt' : 'ResNet', children);
  root.inputShape = input;
  return root;
}

function flatten(n: Node, depth: number, rows: LayerRow[]): void {
  rows.push({
    name: n.name, type: n.type, depth, inputShape: [1, ...n.inputShape], outputShape: [1, ...n.outputShape],
    params: n.params, macs: n.macs, seOps: n.seOps,
  });
  for (const c of n.children) flatten(c, depth + 1, rows);
}

function seTotals(n: Node, acc: { params: number; macs: number }): void {
  if (n.inSe) {
    acc.params += n.params;
    acc.macs += n.macs;
  } else for (const c of n.children) seTotals(c, acc);
}

/** Counts params, MACs and FLOPs of `net` on one 3 x resolution x resolution image. */
export function countNetwork(net: NetworkSpec, resolution = 224): NetworkCount {
  const root = isLayerNet(net) ? layerNetTree(net, resolution) : networkTree(net, resolution);
  const rows: LayerRow[] = [];
  flatten(root, 0, rows);
  const se = { params: 0, macs: 0 };
  seTotals(root, se);
  const zero = isLayerNet(net) ? [] : zeroWidthSeBlocks(net); // torchvision's layer networks keep every SE hidden width >= 1
  const warnings = zero.length
    ? [`SE hidden width is 0 in ${zero.length} block(s) (${zero.join(', ')}): ratio ${(net as ResNetSpec).se!.ratio} exceeds their channels, so their gate is a constant sigmoid(fc2.bias); PyTorch allows this`]
    : [];
  const seOpsTotal = totalOps(root.seOps);
  return {
    model: net.name, resolution, params: root.params, macs: root.macs, flops: root.macs + seOpsTotal,
    seParams: se.params, seMacs: se.macs, seOps: root.seOps, seOpsTotal, rows, warnings,
  };
}

/** Difference of an SE network against its plain baseline. */
export interface Overhead {
  baseline: string;
  params: { abs: number; pct: number };
  macs: { abs: number; pct: number };
  flops: { abs: number; pct: number };
}

/** SE overhead of `count` over `base` (absolute and percent). */
export function overhead(count: NetworkCount, base: NetworkCount): Overhead {
  const d = (a: number, b: number): { abs: number; pct: number } => ({ abs: a - b, pct: ((a - b) / b) * 100 });
  return { baseline: base.model, params: d(count.params, base.params), macs: d(count.macs, base.macs), flops: d(count.flops, base.flops) };
}
