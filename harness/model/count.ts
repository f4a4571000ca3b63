/**
 * Exact cost accounting for a NetworkSpec at one resolution, batch 1.
 *
 * Conventions (the ones behind the paper's 3.86 and torchvision's 4.09):
 * - params: every learnable tensor (`sum(p.numel())`); BatchNorm running
 *   statistics are buffers, not params.
 * - MACs: multiply-adds of convolutions and fully connected layers only.
 * - SE elementwise ops, which fvcore and torchinfo drop, counted one per
 *   element in their own columns: squeeze (pooling adds, or compares for max),
 *   hidden activations, gate sigmoids, FC bias adds and scaling multiplies.
 * - FLOPs = MACs + SE elementwise ops: the paper's "GFLOPs" unit (one
 *   multiply-add = 1) extended by SE's own work, so SE-ResNet-50 v1 is 3.87.
 */
import { hasProjection, type BottleneckSpec } from './bottleneck.ts';
import { checkResolution, convOut, networkBlocks, zeroWidthSeBlocks, type NetworkSpec } from './network.ts';
import { hiddenWidth, type SeSpec } from './spec.ts';

/** SE elementwise work per image, by kind. */
export interface SeOps {
  squeeze: number;
  activation: number;
  gate: number;
  bias: number;
  scale: number;
}

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

const NO_OPS: SeOps = { squeeze: 0, activation: 0, gate: 0, bias: 0, scale: 0 };

/** Sum of the SE op kinds. */
export function totalOps(o: SeOps): number {
  return o.squeeze + o.activation + o.gate + o.bias + o.scale;
}

interface Node {
  name: string;
  type: string;
  inputShape: number[];
  outputShape: number[];
  params: number;
  macs: number;
  seOps: SeOps;
  inSe: boolean;
  children: Node[];
}

function leaf(name: string, type: string, inputShape: number[], outputShape: number[], params = 0, macs = 0, seOps = NO_OPS): Node {
  return { name, type, inputShape, outputShape, params, macs, seOps, inSe: false, children: [] };
}

function group(name: string, type: string, children: Node[]): Node {
  const sum = (f: (n: Node) => number): number => children.reduce((a, c) => a + f(c), 0);
  const ops = Object.fromEntries(Object.keys(NO_OPS).map((k) => [k, sum((c) => c.seOps[k as keyof SeOps])])) as unknown as SeOps;
  return {
    name, type, inputShape: children[0]!.inputShape, outputShape: children.at(-1)!.outputShape,
    params: sum((c) => c.params), macs: sum((c) => c.macs), seOps: ops, inSe: false, children,
  };
}

/** [C, H, W] shapes; batch 1 is prepended when rows are produced. */
type Chw = [number, number, number];

function conv(name: string, x: Chw, cout: number, k: number, stride: number, pad: number, groups: number): Node {
  const ho = convOut(x[1], k, stride, pad, name);
  const wo = convOut(x[2], k, stride, pad, name);
  const params = cout * (x[0] / groups) * k * k;
  return leaf(name, 'Conv2d', x, [cout, ho, wo], params, params * ho * wo);
}

const bn = (name: string, x: number[]): Node => leaf(name, 'BatchNorm2d', x, x, 2 * x[0]!);

/** The SE module on a [C, H, W] activation. */
function seNode(name: string, spec: SeSpec, x: Chw): Node {
  const [c, h, w] = x;
  const rd = hiddenWidth(spec);
  const hw = h * w;
  const positions = spec.squeeze === 'none' ? hw : 1;
  const linear = spec.weightLayout === 'linear';
  const pooled = spec.squeeze === 'none' ? x : [c, 1, 1];
  const fcShape = (ch: number): number[] => (spec.squeeze === 'none' ? [ch, h, w] : linear ? [ch] : [ch, 1, 1]);
  const fc = (n: string, cin: number, cout: number, bias: boolean): Node => {
    const weights = cin * cout;
    return leaf(`${name}.${n}`, linear ? 'Linear' : 'Conv2d', fcShape(cin), fcShape(cout), weights + (bias ? cout : 0),
      weights * positions, { ...NO_OPS, bias: bias ? cout * positions : 0 });
  };
  const squeezeType = { avg: 'AdaptiveAvgPool2d', max: 'AdaptiveMaxPool2d', none: 'Identity' }[spec.squeeze];
  const act = { relu: 'ReLU', tanh: 'Tanh', sigmoid: 'Sigmoid', silu: 'SiLU' }[spec.hiddenActivation];
  const children = [
    leaf(`${name}.squeeze`, squeezeType, x, pooled, 0, 0, { ...NO_OPS, squeeze: spec.squeeze === 'none' ? 0 : c * hw }),
    fc('fc1', c, rd, spec.bias1),
    leaf(`${name}.act`, act, fcShape(rd), fcShape(rd), 0, 0, { ...NO_OPS, activation: rd * positions }),
    fc('fc2', rd, c, spec.bias2),
    leaf(`${name}.gate`, spec.gate === 'hardsigmoid' ? 'Hardsigmoid' : 'Sigmoid', fcShape(c), fcShape(c), 0, 0, { ...NO_OPS, gate: c * positions }),
    leaf(`${name}.scale`, 'Mul', x, x, 0, 0, { ...NO_OPS, scale: c * hw }),
  ];
  const node = group(name, 'SEModule', children);
  node.inSe = true;
  return node;
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

function networkTree(net: NetworkSpec, resolution: number): Node {
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
  const root = networkTree(net, resolution);
  const rows: LayerRow[] = [];
  flatten(root, 0, rows);
  const se = { params: 0, macs: 0 };
  seTotals(root, se);
  const zero = zeroWidthSeBlocks(net);
  const warnings = zero.length
    ? [`SE hidden width is 0 in ${zero.length} block(s) (${zero.join(', ')}): ratio ${net.se!.ratio} exceeds their channels, so their gate is a constant sigmoid(fc2.bias); PyTorch allows this`]
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
