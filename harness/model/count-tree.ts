/**
 * The node tree the counts are made of: one node per module, with params,
 * conv / FC multiply-adds and SE elementwise ops; containers sum their
 * children. count.ts (ResNets) and count-layers.ts (layer networks) build it.
 */
import { convOut } from './network.ts';
import { hiddenWidth, type SeSpec } from './spec.ts';

/** SE elementwise work per image, by kind. */
export interface SeOps {
  squeeze: number;
  activation: number;
  gate: number;
  bias: number;
  scale: number;
}

export const NO_OPS: SeOps = { squeeze: 0, activation: 0, gate: 0, bias: 0, scale: 0 };

/** Sum of the SE op kinds. */
export function totalOps(o: SeOps): number {
  return o.squeeze + o.activation + o.gate + o.bias + o.scale;
}

export interface Node {
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

export function leaf(name: string, type: string, inputShape: number[], outputShape: number[], params = 0, macs = 0, seOps = NO_OPS): Node {
  return { name, type, inputShape, outputShape, params, macs, seOps, inSe: false, children: [] };
}

export function group(name: string, type: string, children: Node[]): Node {
  const sum = (f: (n: Node) => number): number => children.reduce((a, c) => a + f(c), 0);
  const ops = Object.fromEntries(Object.keys(NO_OPS).map((k) => [k, sum((c) => c.seOps[k as keyof SeOps])])) as unknown as SeOps;
  return {
    name, type, inputShape: children[0]!.inputShape, outputShape: children.at(-1)!.outputShape,
    params: sum((c) => c.params), macs: sum((c) => c.macs), seOps: ops, inSe: false, children,
  };
}

/** [C, H, W] shapes; batch 1 is prepended when rows are produced. */
export type Chw = [number, number, number];

export function conv(name: string, x: Chw, cout: number, k: number, stride: number, pad: number, groups: number): Node {
  const ho = convOut(x[1], k, stride, pad, name);
  const wo = convOut(x[2], k, stride, pad, name);
  const params = cout * (x[0] / groups) * k * k;
  return leaf(name, 'Conv2d', x, [cout, ho, wo], params, params * ho * wo);
}

export const bn = (name: string, x: number[]): Node => leaf(name, 'BatchNorm2d', x, x, 2 * x[0]!);

/** The SE module on a [C, H, W] activation. */
export function seNode(name: string, spec: SeSpec, x: Chw): Node {
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

