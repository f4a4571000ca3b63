/**
 * torchvision 0.14's MobileNetV3 (large, small), EfficientNet-B0 and
 * RegNetY-400MF as LayerNetSpecs, from their own configuration tables
 * (default arguments: width 1.0, no dilation, 1000 classes). Each has an
 * SE-free twin `<name>-no-se`. test/count.test.ts checks params and MACs
 * against torchvision; golden network cases check the forward pass.
 */
import { withoutSe, type BlockLayer, type ConvLayer, type LayerActivation, type LayerNetSpec, type SeLayer } from './layers.ts';
import { makeDivisible, makeSeSpec, type SeSpec } from './spec.ts';

const conv = (name: string, cin: number, out: number, kernel: number, stride: number, act: LayerActivation | null, eps: number, groups = 1): ConvLayer =>
  ({ op: 'conv', name, in: cin, out, kernel, stride, groups, act, eps });

/** torchvision.ops.SqueezeExcitation: 1x1 convs with biases, avg squeeze. */
const se = (name: string, channels: number, hidden: number, hiddenActivation: SeSpec['hiddenActivation'], gate: SeSpec['gate']): SeLayer => ({
  op: 'se', name,
  se: makeSeSpec({ channels, hidden, squeeze: 'avg', weightLayout: 'conv1x1', bias1: true, bias2: true, hiddenActivation, gate }),
});

// input, kernel, expanded, out, SE, activation (RE | HS), stride: torchvision's _mobilenet_v3_conf.
type Bneck = [number, number, number, number, boolean, 'RE' | 'HS', number];
const MBV3_LARGE: Bneck[] = [
  [16, 3, 16, 16, false, 'RE', 1], [16, 3, 64, 24, false, 'RE', 2], [24, 3, 72, 24, false, 'RE', 1],
  [24, 5, 72, 40, true, 'RE', 2], [40, 5, 120, 40, true, 'RE', 1], [40, 5, 120, 40, true, 'RE', 1],
  [40, 3, 240, 80, false, 'HS', 2], [80, 3, 200, 80, false, 'HS', 1], [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1], [80, 3, 480, 112, true, 'HS', 1], [112, 3, 672, 112, true, 'HS', 1],
  [112, 5, 672, 160, true, 'HS', 2], [160, 5, 960, 160, true, 'HS', 1], [160, 5, 960, 160, true, 'HS', 1],
];
const MBV3_SMALL: Bneck[] = [
  [16, 3, 16, 16, true, 'RE', 2], [16, 3, 72, 24, false, 'RE', 2], [24, 3, 88, 24, false, 'RE', 1],
  [24, 5, 96, 40, true, 'HS', 2], [40, 5, 240, 40, true, 'HS', 1], [40, 5, 240, 40, true, 'HS', 1],
  [40, 5, 120, 48, true, 'HS', 1], [48, 5, 144, 48, true, 'HS', 1], [48, 5, 288, 96, true, 'HS', 2],
  [96, 5, 576, 96, true, 'HS', 1], [96, 5, 576, 96, true, 'HS', 1],
];

/** MobileNetV3: BatchNorm eps 0.001; SE on the expanded width, hidden make_divisible(expanded // 4, 8), ReLU, hard-sigmoid gate. */
function mobilenetV3(name: string, setting: Bneck[], lastChannel: number): LayerNetSpec {
  const eps = 0.001;
  const trunk: LayerNetSpec['trunk'] = [{ stage: 'features.0', layer: conv('features.0', 3, 16, 3, 2, 'hardswish', eps) }];
  setting.forEach(([cin, k, exp, out, useSe, a, stride], i) => {
    const at = `features.${i + 1}`;
    const act: LayerActivation = a === 'HS' ? 'hardswish' : 'relu';
    const body: BlockLayer['body'] = [];
    if (exp !== cin) body.push(conv(`${at}.block.${body.length}`, cin, exp, 1, 1, act, eps));
    body.push(conv(`${at}.block.${body.length}`, exp, exp, k, stride, act, eps, exp));
    if (useSe) body.push(se(`${at}.block.${body.length}`, exp, makeDivisible(Math.floor(exp / 4), 8), 'relu', 'hardsigmoid'));
    body.push(conv(`${at}.block.${body.length}`, exp, out, 1, 1, null, eps));
    trunk.push({ stage: at, layer: { op: 'block', name: at, body, shortcut: stride === 1 && cin === out ? 'identity' : 'none', act: null } });
  });
  const last = setting.at(-1)![3];
  const at = `features.${setting.length + 1}`;
  trunk.push({ stage: at, layer: conv(at, last, 6 * last, 1, 1, 'hardswish', eps) });
  return {
    name, baseline: `${name}-no-se`, family: 'mobilenet_v3', inChannels: 3, numClasses: 1000, trunk,
    head: [{ name: 'classifier.0', in: 6 * last, out: lastChannel, act: 'hardswish' }, { name: 'classifier.3', in: lastChannel, out: 1000, act: null }],
  };
}

// expand ratio, kernel, stride, input, out, layers: torchvision's _efficientnet_conf for B0 (width and depth 1.0).
const EFFICIENTNET_B0: [number, number, number, number, number, number][] = [
  [1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1],
];

/** EfficientNet-B0's MBConv: SiLU, SE hidden max(1, block input // 4) (not the SE's own width), sigmoid gate. */
function efficientnetB0(): LayerNetSpec {
  const eps = 1e-5;
  const trunk: LayerNetSpec['trunk'] = [{ stage: 'features.0', layer: conv('features.0', 3, 32, 3, 2, 'silu', eps) }];
  EFFICIENTNET_B0.forEach(([ratio, k, stride0, cin0, out, layers], s) => {
    for (let j = 0; j < layers; j++) {
      const cin = j === 0 ? cin0 : out;
      const stride = j === 0 ? stride0 : 1;
      const exp = makeDivisible(cin * ratio, 8);
      const at = `features.${s + 1}.${j}`;
      const body: BlockLayer['body'] = [];
      if (exp !== cin) body.push(conv(`${at}.block.${body.length}`, cin, exp, 1, 1, 'silu', eps));
      body.push(conv(`${at}.block.${body.length}`, exp, exp, k, stride, 'silu', eps, exp));
      body.push(se(`${at}.block.${body.length}`, exp, Math.max(1, Math.floor(cin / 4)), 'silu', 'sigmoid'));
      body.push(conv(`${at}.block.${body.length}`, exp, out, 1, 1, null, eps));
      trunk.push({ stage: `features.${s + 1}`, layer: { op: 'block', name: at, body, shortcut: stride === 1 && cin === out ? 'identity' : 'none', act: null } });
    }
  });
  trunk.push({ stage: 'features.8', layer: conv('features.8', 320, 1280, 1, 1, 'silu', eps) });
  return {
    name: 'efficientnet_b0', baseline: 'efficientnet_b0-no-se', family: 'efficientnet', inChannels: 3, numClasses: 1000, trunk,
    head: [{ name: 'classifier.1', in: 1280, out: 1000, act: null }],
  };
}

/**
 * RegNetY-400MF: torchvision's BlockParams.from_init_params(depth 16, w_0 48,
 * w_a 27.89, w_m 2.09, group width 8, SE ratio 0.25) quantised to these stage
 * widths and depths. ResBottleneckBlock: 1x1, grouped 3x3 (stride), SE with
 * hidden round(0.25 * block input) and ReLU, 1x1; projection when the shape
 * changes; ReLU after the sum.
 */
function regnetY400mf(): LayerNetSpec {
  const eps = 1e-5;
  const widths = [48, 104, 208, 440];
  const depths = [1, 3, 6, 6];
  const groupWidth = 8;
  const trunk: LayerNetSpec['trunk'] = [{ stage: 'stem', layer: conv('stem', 3, 32, 3, 2, 'relu', eps) }];
  let cin = 32;
  widths.forEach((w, s) => {
    const stage = `trunk_output.block${s + 1}`;
    for (let j = 0; j < depths[s]!; j++) {
      const stride = j === 0 ? 2 : 1;
      const at = `${stage}.block${s + 1}-${j}`;
      const body: BlockLayer['body'] = [
        conv(`${at}.f.a`, cin, w, 1, 1, 'relu', eps),
        conv(`${at}.f.b`, w, w, 3, stride, 'relu', eps, w / groupWidth),
        se(`${at}.f.se`, w, Math.round(0.25 * cin), 'relu', 'sigmoid'),
        conv(`${at}.f.c`, w, w, 1, 1, null, eps),
      ];
      const shortcut = cin !== w || stride !== 1 ? conv(`${at}.proj`, cin, w, 1, stride, null, eps) : 'identity';
      trunk.push({ stage, layer: { op: 'block', name: at, body, shortcut, act: 'relu' } });
      cin = w;
    }
  });
  return {
    name: 'regnet_y_400mf', baseline: 'regnet_y_400mf-no-se', family: 'regnet', inChannels: 3, numClasses: 1000, trunk,
    head: [{ name: 'fc', in: 440, out: 1000, act: null }],
  };
}

const WITH_SE = [mobilenetV3('mobilenet_v3_large', MBV3_LARGE, 1280), mobilenetV3('mobilenet_v3_small', MBV3_SMALL, 1024), efficientnetB0(), regnetY400mf()];

/** The torchvision networks with SE and their SE-free twins, by name. */
export const TORCHVISION_NETS: Record<string, LayerNetSpec> = Object.fromEntries(
  WITH_SE.flatMap((n) => [[n.name, n], [`${n.name}-no-se`, withoutSe(n)]]),
);
