/**
 * Network descriptions as data: the ResNet-50 family (v1, v1.5, ResNeXt-50
 * 32x4d) with or without SE, and torchvision's MobileNetV3, EfficientNet-B0
 * and RegNetY-400MF as layer lists (layers.ts, torchvision-nets.ts). One
 * NetworkSpec drives counting (count.ts), the reference forward pass and the
 * other implementations' builders; the model names below are presets over it.
 */
import { checkLayerNet, layerNetWeightShapes, type LayerNetSpec } from './layers.ts';
import { TORCHVISION_NETS } from './torchvision-nets.ts';
import { bottleneckWeightShapes, checkBottleneckSpec, seChannels, SE_POSITIONS, type BottleneckSpec, type SePosition } from './bottleneck.ts';
import { hiddenWidth, makeSeSpec, SpecError, type HiddenActivation, type ReductionRule, type SeSpec, type Squeeze, type WeightLayout } from './spec.ts';

/** SE options applied to every block of the chosen stages. */
export interface NetworkSe {
  ratio: number;
  reduction: ReductionRule;
  /** Bias on both FCs (timm and the paper's counts: on; seed 003: off). */
  bias: boolean;
  squeeze: Squeeze;
  hiddenActivation: HiddenActivation;
  /** `conv1x1` is timm's layout (`se.fc1.weight` [rd, C, 1, 1]). */
  weightLayout: WeightLayout;
  position: Exclude<SePosition, 'none'>;
  /** Paper numbering: stage 2 = conv2_x = torchvision's layer1, ..., stage 5 = layer4. */
  stages: number[];
}

/** A ResNet-style network: stem, four stages of bottlenecks, average pool, classifier. */
export interface ResNetSpec {
  /** Model name, e.g. `se-resnet50`. */
  name: string;
  /** The plain network of the same family, for SE overhead figures. */
  baseline: string;
  /** Bottleneck blocks per stage (ResNet-50: 3, 4, 6, 3). */
  blocks: number[];
  /** Groups of each 3x3 conv (ResNeXt-50 32x4d: 32). */
  groups: number;
  /** Channels per group at the first stage's width of 64 (ResNeXt 32x4d: 4; ResNet: 64). */
  widthPerGroup: number;
  /** `3x3`: ResNet v1.5 / torchvision; `1x1`: original v1 (stride on the first 1x1 of a downsampling block). */
  strideOn: '1x1' | '3x3';
  inChannels: number;
  numClasses: number;
  se?: NetworkSe;
}

/** Any network: a ResNet-family spec or a torchvision layer network (tell them apart with isLayerNet). */
export type NetworkSpec = ResNetSpec | LayerNetSpec;

/** True for the torchvision layer networks (MobileNetV3, EfficientNet, RegNetY). */
export function isLayerNet(net: NetworkSpec): net is LayerNetSpec {
  return 'trunk' in net;
}

/** The SE options of a ResNet-family network, or undefined (plain ResNets; layer networks, whose SE blocks are their own). */
export function resNetSe(net: NetworkSpec): NetworkSe | undefined {
  return isLayerNet(net) ? undefined : net.se;
}

/** Paper stage numbers that hold bottleneck blocks. */
export const SE_STAGES = [2, 3, 4, 5] as const;

/** Defaults for SE networks: r = 16, the paper's floor rule, biases on, standard position, every stage. */
export const DEFAULT_NETWORK_SE: NetworkSe = {
  ratio: 16, reduction: 'floor', bias: true, squeeze: 'avg', hiddenActivation: 'relu',
  weightLayout: 'conv1x1', position: 'standard', stages: [2, 3, 4, 5],
};

const RESNET50 = { blocks: [3, 4, 6, 3], groups: 1, widthPerGroup: 64, inChannels: 3, numClasses: 1000 };
const RESNEXT50 = { ...RESNET50, groups: 32, widthPerGroup: 4 };

const PRESETS: Record<string, Omit<ResNetSpec, 'se'> & { se: boolean }> = {
  resnet50: { name: 'resnet50', baseline: 'resnet50', ...RESNET50, strideOn: '3x3', se: false },
  'resnet50-v1': { name: 'resnet50-v1', baseline: 'resnet50-v1', ...RESNET50, strideOn: '1x1', se: false },
  resnext50_32x4d: { name: 'resnext50_32x4d', baseline: 'resnext50_32x4d', ...RESNEXT50, strideOn: '3x3', se: false },
  'se-resnet50': { name: 'se-resnet50', baseline: 'resnet50', ...RESNET50, strideOn: '3x3', se: true },
  'se-resnet50-v1': { name: 'se-resnet50-v1', baseline: 'resnet50-v1', ...RESNET50, strideOn: '1x1', se: true },
  'se-resnext50_32x4d': { name: 'se-resnext50_32x4d', baseline: 'resnext50_32x4d', ...RESNEXT50, strideOn: '3x3', se: true },
};

/** Valid model names. */
export const MODEL_NAMES = [...Object.keys(PRESETS), ...Object.keys(TORCHVISION_NETS)];

/** True for a known model with SE blocks (its plain baseline is another model); false for plain and unknown names. */
export function isSeModel(name: string): boolean {
  return MODEL_NAMES.includes(name) && makeNetwork(name).baseline !== name;
}

/** True for a torchvision layer network's name (MobileNetV3, EfficientNet, RegNetY, with or without SE). */
export function isLayerNetModel(name: string): boolean {
  return name in TORCHVISION_NETS;
}

/**
 * The named model, with SE options overriding the defaults. SE options on a
 * plain model are an error (they would silently do nothing), and so are they
 * on a torchvision layer network, whose SE blocks are torchvision's own.
 */
export function makeNetwork(name: string, se: Partial<NetworkSe> = {}): NetworkSpec {
  const layerNet = TORCHVISION_NETS[name];
  if (layerNet) {
    const given = Object.keys(se);
    if (given.length) {
      throw new SpecError(`model ${name} has torchvision's own SE blocks (fixed hidden widths, gate and activations), so ${given.join(', ')} `
        + `would do nothing; SE options apply to ${MODEL_NAMES.filter((m) => m.startsWith('se-')).join(', ')}`);
    }
    return checkLayerNet(layerNet);
  }
  const preset = PRESETS[name];
  if (!preset) throw new SpecError(`unknown model "${name}"; valid models: ${MODEL_NAMES.join(', ')}`);
  const { se: hasSe, ...base } = preset;
  if (!hasSe) {
    const given = Object.keys(se);
    if (given.length) {
      throw new SpecError(`model ${name} has no SE blocks, so ${given.join(', ')} would do nothing; use one of `
        + `${MODEL_NAMES.filter((m) => m.startsWith('se-')).join(', ')}`);
    }
    return { ...base };
  }
  return checkNetwork({ ...base, se: { ...DEFAULT_NETWORK_SE, ...se } });
}

/** makeNetwork for a ResNet-family name (throws for a layer network). */
export function makeResNet(name: string, se: Partial<NetworkSe> = {}): ResNetSpec {
  const net = makeNetwork(name, se);
  if (isLayerNet(net)) throw new SpecError(`${name} is not a ResNet-family model`);
  return net;
}

/** Validates a network spec, with messages listing valid values (for ResNets the SE part; layer networks layer by layer). */
export function checkNetwork<T extends NetworkSpec>(net: T): T {
  if (isLayerNet(net)) return checkLayerNet(net) as T;
  if (net.blocks.length !== SE_STAGES.length) throw new SpecError(`${net.name}: expected ${SE_STAGES.length} stages, got ${net.blocks.length}`);
  if (!net.se) return net;
  const { position, stages } = net.se;
  if (!SE_POSITIONS.includes(position) || (position as string) === 'none') {
    throw new SpecError(`unknown SE position "${position}"; valid positions: ${SE_POSITIONS.filter((p) => p !== 'none').join(', ')}`);
  }
  if (stages.length === 0) throw new SpecError(`SE stages list is empty; give one or more of ${SE_STAGES.join(', ')}`);
  for (const s of stages) {
    if (!(SE_STAGES as readonly number[]).includes(s)) {
      throw new SpecError(`unknown stage ${JSON.stringify(s)}; valid stages (paper numbering, conv2_x..conv5_x): ${SE_STAGES.join(', ')}`);
    }
  }
  makeSeSpec({ ...seFields(net.se), channels: 64 }); // validates ratio and enums once, with SeSpec's messages
  return net;
}

function seFields(se: NetworkSe): Omit<SeSpec, 'channels'> {
  return {
    ratio: se.ratio, reduction: se.reduction, squeeze: se.squeeze, weightLayout: se.weightLayout,
    bias1: se.bias, bias2: se.bias, hiddenActivation: se.hiddenActivation, gate: 'sigmoid',
  };
}

/** One bottleneck block of a network, with its torchvision name (`layer1.0`) and paper stage. */
export interface NetworkBlock {
  name: string;
  stage: number;
  spec: BottleneckSpec;
}

/** Every bottleneck block of a ResNet in order, SE specs filled in. */
export function networkBlocks(net: ResNetSpec): NetworkBlock[] {
  const out: NetworkBlock[] = [];
  let inChannels = 64;
  net.blocks.forEach((count, i) => {
    const stage = i + 2;
    const planes = 64 * 2 ** i;
    const midChannels = Math.floor(planes * (net.widthPerGroup / 64)) * net.groups;
    const outChannels = planes * 4;
    const withSe = net.se?.stages.includes(stage) ?? false;
    for (let b = 0; b < count; b++) {
      const geometry = {
        inChannels, midChannels, outChannels, stride: b === 0 && i > 0 ? 2 : 1, groups: net.groups, strideOn: net.strideOn,
      };
      const spec: BottleneckSpec = withSe
        ? {
          ...geometry, position: net.se!.position,
          se: makeSeSpec({ ...seFields(net.se!), channels: seChannels({ ...geometry, position: net.se!.position }) }),
        }
        : { ...geometry, position: 'none' };
      out.push({ name: `layer${i + 1}.${b}`, stage, spec: checkBottleneckSpec(spec) });
      inChannels = outChannels;
    }
  });
  return out;
}

/** Blocks whose SE has hidden width 0 (allowed, as in PyTorch, but the gate is then a constant). */
export function zeroWidthSeBlocks(net: ResNetSpec): string[] {
  return networkBlocks(net).filter((b) => b.spec.se && hiddenWidth(b.spec.se) === 0).map((b) => b.name);
}

/** Output size of a convolution or pooling window; throws when it reaches 0. */
export function convOut(size: number, kernel: number, stride: number, pad: number, where: string): number {
  const out = Math.floor((size + 2 * pad - kernel) / stride) + 1;
  if (out <= 0) throw new SpecError(`${where}: spatial size ${size} gives ${out} after a ${kernel}x${kernel} window, stride ${stride}, padding ${pad}; use a larger --resolution`);
  return out;
}

/** Validates an input resolution (integer >= 1) and returns it. */
export function checkResolution(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SpecError(`resolution must be an integer >= 1 (pixels per side), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Weight names and shapes of a whole network, torchvision / timm naming (`layer1.0.se.fc1.weight`, `features.4.block.2.fc1.weight`). */
export function networkWeightShapes(net: NetworkSpec): Record<string, number[]> {
  if (isLayerNet(net)) return layerNetWeightShapes(net);
  const bn = (p: string, c: number): Record<string, number[]> =>
    Object.fromEntries(['weight', 'bias', 'running_mean', 'running_var'].map((k) => [`${p}.${k}`, [c]]));
  const shapes: Record<string, number[]> = { 'conv1.weight': [64, net.inChannels, 7, 7], ...bn('bn1', 64) };
  for (const b of networkBlocks(net)) {
    for (const [k, s] of Object.entries(bottleneckWeightShapes(b.spec))) shapes[`${b.name}.${k}`] = s;
  }
  const last = 512 * 4;
  shapes['fc.weight'] = [net.numClasses, last];
  shapes['fc.bias'] = [net.numClasses];
  return shapes;
}
