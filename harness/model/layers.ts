/**
 * Networks as a list of layers: the torchvision families whose SE blocks are
 * deployed (MobileNetV3, EfficientNet, RegNetY), built from Conv2dNormActivation
 * units, torchvision.ops.SqueezeExcitation and residual blocks. Weight names
 * are torchvision's own state-dict names, so its checkpoints load as they are.
 * One LayerNetSpec drives counting, the reference, tfjs and the ONNX export;
 * the presets are in torchvision-nets.ts.
 */
import { makeSeSpec, seWeightShapes, SpecError, type SeSpec } from './spec.ts';

/** Activations of the trunk: ReLU, PyTorch's Hardswish x * relu6(x + 3) / 6, SiLU x * sigmoid(x). */
export type LayerActivation = 'relu' | 'hardswish' | 'silu';
export const LAYER_ACTIVATIONS: readonly LayerActivation[] = ['relu', 'hardswish', 'silu'];

/**
 * torchvision's Conv2dNormActivation: a bias-free conv (`<name>.0.weight`,
 * [out, in / groups, k, k], padding (k - 1) / 2), BatchNorm (`<name>.1.*`) in
 * eval mode, then the activation (none for a projection).
 */
export interface ConvLayer {
  op: 'conv';
  name: string;
  in: number;
  out: number;
  kernel: number;
  stride: number;
  /** `in` for a depthwise conv. */
  groups: number;
  act: LayerActivation | null;
  /** BatchNorm epsilon (MobileNetV3: 0.001; the others PyTorch's 1e-5). */
  eps: number;
}

/** torchvision.ops.SqueezeExcitation: `<name>.fc1.weight` [hidden, C, 1, 1], biases, hidden activation, gate. */
export interface SeLayer {
  op: 'se';
  name: string;
  se: SeSpec;
}

/**
 * A residual unit: y = act(body(x) + shortcut(x)). `identity` adds x itself,
 * `none` adds nothing (MobileNetV3's and EfficientNet's strided or widening
 * blocks), a ConvLayer is RegNet's projection. Stochastic depth is the identity in eval.
 */
export interface BlockLayer {
  op: 'block';
  name: string;
  body: (ConvLayer | SeLayer)[];
  shortcut: 'identity' | 'none' | ConvLayer;
  act: LayerActivation | null;
}

export type TrunkLayer = ConvLayer | BlockLayer;

/** A classifier Linear after the global average pool (`<name>.weight` [out, in], `<name>.bias`); dropout is the identity in eval. */
export interface HeadLayer {
  name: string;
  in: number;
  out: number;
  act: LayerActivation | null;
}

/** A network of the torchvision families with SE: trunk, global average pool, classifier. */
export interface LayerNetSpec {
  /** Model name, e.g. `mobilenet_v3_large`, or `mobilenet_v3_large-no-se` for its twin. */
  name: string;
  /** The SE-free twin (itself for a twin), for SE overhead figures. */
  baseline: string;
  family: 'mobilenet_v3' | 'efficientnet' | 'regnet';
  inChannels: number;
  numClasses: number;
  /** In order; `stage` names the output recorded for conformance (the last layer of a stage wins). */
  trunk: { stage: string; layer: TrunkLayer }[];
  head: HeadLayer[];
}

function positive(where: string, key: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new SpecError(`${where}: ${key} must be an integer > 0, got ${JSON.stringify(v)}`);
}

function checkAct(where: string, a: unknown): void {
  if (a !== null && !(LAYER_ACTIVATIONS as readonly unknown[]).includes(a)) {
    throw new SpecError(`${where}: activation must be one of ${LAYER_ACTIVATIONS.join(' | ')} or null, got ${JSON.stringify(a)}`);
  }
}

function checkConv(l: ConvLayer, channels: number): number {
  const where = `conv ${l.name}`;
  for (const k of ['in', 'out', 'kernel', 'stride', 'groups'] as const) positive(where, k, l[k]);
  if (l.in !== channels) throw new SpecError(`${where}: takes ${l.in} channels, its input has ${channels}`);
  if (l.in % l.groups !== 0 || l.out % l.groups !== 0) throw new SpecError(`${where}: ${l.in} -> ${l.out} channels do not split into ${l.groups} groups`);
  if (l.kernel % 2 !== 1) throw new SpecError(`${where}: kernel ${l.kernel} must be odd (padding (k - 1) / 2 keeps the plane)`);
  if (!(typeof l.eps === 'number' && l.eps > 0)) throw new SpecError(`${where}: BatchNorm eps must be > 0, got ${JSON.stringify(l.eps)}`);
  checkAct(where, l.act);
  return l.out;
}

/** Validates a layer network (channel flow, SE specs through makeSeSpec) and returns it with normalised SE specs. */
export function checkLayerNet(net: LayerNetSpec): LayerNetSpec {
  positive(net.name, 'inChannels', net.inChannels);
  positive(net.name, 'numClasses', net.numClasses);
  let c = net.inChannels;
  const trunk = net.trunk.map(({ stage, layer }) => {
    if (layer.op === 'conv') {
      c = checkConv(layer, c);
      return { stage, layer };
    }
    if (layer.op !== 'block') throw new SpecError(`${net.name}: trunk layer op must be conv or block, got ${JSON.stringify((layer as { op: unknown }).op)}`);
    const input = c;
    const body = layer.body.map((l) => {
      if (l.op === 'conv') {
        c = checkConv(l, c);
        return l;
      }
      const se = makeSeSpec(l.se);
      if (se.channels !== c) throw new SpecError(`SE ${l.name}: spec says ${se.channels} channels, its input has ${c}`);
      return { ...l, se };
    });
    if (layer.shortcut === 'identity' && c !== input) throw new SpecError(`block ${layer.name}: identity shortcut adds ${input} channels to ${c}`);
    if (typeof layer.shortcut === 'object' && checkConv(layer.shortcut, input) !== c) {
      throw new SpecError(`block ${layer.name}: projection gives ${layer.shortcut.out} channels, the body ${c}`);
    }
    checkAct(`block ${layer.name}`, layer.act);
    return { stage, layer: { ...layer, body } };
  });
  for (const h of net.head) {
    positive(`linear ${h.name}`, 'out', h.out);
    if (h.in !== c) throw new SpecError(`linear ${h.name}: takes ${h.in} features, gets ${c}`);
    checkAct(`linear ${h.name}`, h.act);
    c = h.out;
  }
  if (c !== net.numClasses) throw new SpecError(`${net.name}: the classifier gives ${c} outputs, numClasses is ${net.numClasses}`);
  return { ...net, trunk };
}

/** Every SE layer with the block that holds it, in network order. */
export function layerNetSes(net: LayerNetSpec): { block: string; layer: SeLayer }[] {
  const out: { block: string; layer: SeLayer }[] = [];
  for (const { layer } of net.trunk) {
    if (layer.op === 'block') for (const l of layer.body) if (l.op === 'se') out.push({ block: layer.name, layer: l });
  }
  return out;
}

function convShapes(l: ConvLayer): Record<string, number[]> {
  const bn = Object.fromEntries(['weight', 'bias', 'running_mean', 'running_var'].map((k) => [`${l.name}.1.${k}`, [l.out]]));
  return { [`${l.name}.0.weight`]: [l.out, l.in / l.groups, l.kernel, l.kernel], ...bn };
}

/** Weight names (torchvision's state dict, without num_batches_tracked) and shapes. */
export function layerNetWeightShapes(net: LayerNetSpec): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  const add = (l: ConvLayer | SeLayer): void => {
    if (l.op === 'conv') Object.assign(shapes, convShapes(l));
    else for (const [k, s] of Object.entries(seWeightShapes(l.se))) shapes[`${l.name}.${k}`] = s;
  };
  for (const { layer } of net.trunk) {
    if (layer.op === 'conv') add(layer);
    else {
      layer.body.forEach(add);
      if (typeof layer.shortcut === 'object') add(layer.shortcut);
    }
  }
  for (const h of net.head) {
    shapes[`${h.name}.weight`] = [h.out, h.in];
    shapes[`${h.name}.bias`] = [h.out];
  }
  return shapes;
}

/** The SE-free twin: every SE layer replaced by the identity, as torchvision with nn.Identity in its place. */
export function withoutSe(net: LayerNetSpec): LayerNetSpec {
  const trunk = net.trunk.map(({ stage, layer }) => ({
    stage, layer: layer.op === 'block' ? { ...layer, body: layer.body.filter((l) => l.op !== 'se') } : layer,
  }));
  return { ...net, name: `${net.name}-no-se`, baseline: `${net.name}-no-se`, trunk };
}

/** Output size of a conv with padding (k - 1) / 2, as PyTorch computes it. */
function convSize(size: number, l: ConvLayer): number {
  return Math.floor((size + l.kernel - 1 - l.kernel) / l.stride) + 1;
}

/** Every SE layer with the [C, H, W] activation it sees on a resolution x resolution input, in network order. */
export function layerNetSeShapes(net: LayerNetSpec, resolution: number): { name: string; se: SeSpec; shape: [number, number, number] }[] {
  const out: { name: string; se: SeSpec; shape: [number, number, number] }[] = [];
  let size = resolution;
  for (const { layer } of net.trunk) {
    for (const l of layer.op === 'conv' ? [layer] : layer.body) {
      if (l.op === 'conv') size = convSize(size, l);
      else out.push({ name: l.name, se: l.se, shape: [l.se.channels, size, size] });
    }
  }
  return out;
}
