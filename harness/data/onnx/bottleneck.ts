/**
 * ResNet bottleneck with SE at any position as ONNX: Conv (no bias) +
 * eval-mode BatchNormalization + Relu, projection shortcut, residual Add.
 * Same semantics and torchvision weight names as impls/reference/bottleneck-math.ts.
 */
import { BN_EPS, bottleneckWeightShapes, checkBottleneckSpec, hasProjection, type BottleneckSpec } from '../../model/bottleneck.ts';
import { checkWeights, type Weights } from '../weights.ts';
import { attr, GraphBuilder, join, type Dim, type OnnxExportOptions } from './graph.ts';
import { GATE_OUTPUT, INPUT_NAME, Y_OUTPUT } from './names.ts';
import { addSe } from './se.ts';

function tensorOf(weights: Weights, name: string): { shape: readonly number[]; data: Float32Array } {
  const t = weights[name];
  if (!t) throw new Error(`ONNX export: weight ${name} is missing`);
  return t;
}

/** Conv without bias, weight `<name>.weight` [cout, cin/groups, k, k]; k, stride, padding and groups from the call. */
export function addConv(
  g: GraphBuilder, weights: Weights, name: string, x: string, k: number, stride: number, pad: number, groups = 1,
): string {
  const w = tensorOf(weights, `${name}.weight`);
  return g.node('Conv', name, [x, g.weight(`${name}.weight`, w.shape, w.data)], [
    attr.ints('kernel_shape', [k, k]), attr.ints('strides', [stride, stride]), attr.ints('pads', [pad, pad, pad, pad]), attr.int('group', groups),
  ]);
}

/** BatchNorm2d in eval mode (running statistics, epsilon BN_EPS unless given), parameters `<name>.weight|bias|running_mean|running_var`. */
export function addBatchNorm(g: GraphBuilder, weights: Weights, name: string, x: string, eps = BN_EPS): string {
  const inputs = ['weight', 'bias', 'running_mean', 'running_var'].map((k) => {
    const t = tensorOf(weights, `${name}.${k}`);
    return g.weight(`${name}.${k}`, t.shape, t.data);
  });
  // Opset 15+: without training_mode the node has one output and uses the running statistics.
  return g.node('BatchNormalization', name, [x, ...inputs], [attr.float('epsilon', eps)]);
}

/** Value names of a bottleneck inside a graph: its output and, with SE, the gate. */
export interface BottleneckValues {
  y: string;
  gate?: string;
}

/**
 * Adds a bottleneck reading value `x` to `g`, weights under `prefix`
 * (`layer1.0`, or '' for a standalone block) with the SE under `<prefix>.se`.
 * The caller validates spec and weights.
 */
export function addBottleneck(g: GraphBuilder, spec: BottleneckSpec, weights: Weights, prefix: string, x: string): BottleneckValues {
  const at = (name: string): string => join(prefix, name);
  let gate: string | undefined;
  const se = (v: string): string => {
    const r = addSe(g, spec.se!, weights, at('se'), v);
    gate = r.gate;
    return r.y;
  };
  const s1 = spec.strideOn === '1x1' ? spec.stride : 1;
  const s3 = spec.strideOn === '3x3' ? spec.stride : 1;
  const branchIn = spec.position === 'pre' ? se(x) : x;
  let t = addConv(g, weights, at('conv1'), branchIn, 1, s1, 0);
  t = g.node('Relu', at('relu1'), [addBatchNorm(g, weights, at('bn1'), t)]);
  t = addConv(g, weights, at('conv2'), t, 3, s3, 1, spec.groups);
  t = g.node('Relu', at('relu2'), [addBatchNorm(g, weights, at('bn2'), t)]);
  if (spec.position === '3x3') t = se(t);
  t = addBatchNorm(g, weights, at('bn3'), addConv(g, weights, at('conv3'), t, 1, 1, 0));
  if (spec.position === 'standard') t = se(t);
  // The shortcut reads the block's input: "pre" scales only the residual branch.
  let shortcut = hasProjection(spec)
    ? addBatchNorm(g, weights, at('downsample.1'), addConv(g, weights, at('downsample.0'), x, 1, spec.stride, 0))
    : x;
  if (spec.position === 'identity') shortcut = se(shortcut);
  t = g.node('Relu', at('relu'), [g.node('Add', at('add'), [t, shortcut])]);
  if (spec.position === 'post') t = se(t);
  return { y: t, gate };
}

/** Declared dims of a bottleneck's gate: [N, C] or, for squeeze "none", the SE input's shape (`spatial` before the stride, `strided` after). */
export function bottleneckGateDims(spec: BottleneckSpec, spatial: [Dim, Dim], strided: [Dim, Dim]): Dim[] {
  const se = spec.se!;
  if (se.squeeze !== 'none') return ['N', se.channels];
  // Only "pre" sees the block's input; every other position comes after the stride (on the 1x1 or the 3x3).
  return ['N', se.channels, ...(spec.position === 'pre' || spec.stride === 1 ? spatial : strided)];
}

/**
 * A bottleneck block as ONNX ModelProto bytes. Input `x` float32
 * [N, inChannels, H, W] (N, H, W symbolic); outputs `y` and, when the block
 * has SE, `gate` ([N, C], or the SE input's shape for squeeze "none").
 * Throws SpecError / WeightsError for a bad spec or weights.
 */
export function bottleneckOnnx(spec: BottleneckSpec, weights: Weights, options: OnnxExportOptions = {}): Uint8Array {
  const b = checkBottleneckSpec(spec);
  checkWeights(weights, bottleneckWeightShapes(b), 'bottleneck');
  const g = new GraphBuilder('bottleneck');
  const x = g.input(INPUT_NAME, ['N', b.inChannels, 'H', 'W']);
  const { y, gate } = addBottleneck(g, b, weights, '', x);
  const outSpatial: [Dim, Dim] = b.stride === 1 ? ['H', 'W'] : [null, null];
  g.output(y, Y_OUTPUT, ['N', b.outChannels, ...outSpatial]);
  if (gate) g.output(gate, GATE_OUTPUT, bottleneckGateDims(b, ['H', 'W'], [null, null]));
  return g.encode({
    docString: `se-bench bottleneck: ${JSON.stringify(b)}`, ...options,
    metadata: { 'se-bench.kind': 'bottleneck', 'se-bench.spec': JSON.stringify(b), ...options.metadata },
  });
}
