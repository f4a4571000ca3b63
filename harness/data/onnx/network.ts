/**
 * A whole NetworkSpec as ONNX. ResNets: stem (7x7 Conv, BN, Relu, 3x3 MaxPool),
 * the bottleneck stages, GlobalAveragePool, Flatten, Gemm; layer networks:
 * layer-net.ts. Same semantics and
 * torchvision / timm weight names as impls/reference/network-math.ts; every
 * stage output and SE gate is a graph output so a failing one can be named.
 */
import type { LayerNetSpec } from '../../model/layers.ts';
import { checkNetwork, isLayerNet, networkBlocks, networkWeightShapes, type NetworkSpec, type ResNetSpec } from '../../model/network.ts';
import { checkWeights, type Weights } from '../weights.ts';
import { addBatchNorm, addBottleneck, addConv, bottleneckGateDims } from './bottleneck.ts';
import { attr, GraphBuilder, type Dim, type OnnxExportOptions } from './graph.ts';
import { addLayerNet } from './layer-net.ts';
import { GATE_OUTPUT_PREFIX, INPUT_NAME, LOGITS_OUTPUT, STAGE_OUTPUT_PREFIX } from './names.ts';

/**
 * A network as ONNX ModelProto bytes. Input `x` float32 [N, inChannels, H, W]
 * (N, H, W symbolic); outputs `logits` [N, classes], `stage.layer1` ..
 * `stage.layer4` (each stage's last block) and `gate.<block>` (e.g.
 * `gate.layer1.0`) per SE block, in that order (onnxOutputNames). Throws
 * SpecError / WeightsError for a bad spec or weights.
 */
export function networkOnnx(net: NetworkSpec, weights: Weights, options: OnnxExportOptions = {}): Uint8Array {
  const spec = checkNetwork(net);
  checkWeights(weights, networkWeightShapes(spec), spec.name);
  const g = new GraphBuilder(spec.name);
  const x = g.input(INPUT_NAME, ['N', spec.inChannels, 'H', 'W']);
  const { logits, stages, gates } = isLayerNet(spec) ? layerNetGraph(g, spec, weights, x) : resNetGraph(g, spec, weights, x);
  g.output(logits, LOGITS_OUTPUT, ['N', spec.numClasses]);
  for (const [name, s] of stages) g.output(s.value, `${STAGE_OUTPUT_PREFIX}${name}`, ['N', s.channels, null, null]);
  for (const gate of gates) g.output(gate.value, gate.name, gate.dims);
  return g.encode({
    docString: `se-bench network ${spec.name}: ${JSON.stringify(spec)}`, ...options,
    metadata: { 'se-bench.kind': 'network', 'se-bench.spec': JSON.stringify(spec), ...options.metadata },
  });
}

interface NetworkValues {
  logits: string;
  stages: Map<string, { value: string; channels: number }>;
  gates: { value: string; name: string; dims: Dim[] }[];
}

function layerNetGraph(g: GraphBuilder, net: LayerNetSpec, weights: Weights, x: string): NetworkValues {
  const r = addLayerNet(g, net, weights, x);
  return { ...r, gates: r.gates.map((s) => ({ value: s.value, name: `${GATE_OUTPUT_PREFIX}${s.name}`, dims: ['N', s.channels] })) };
}

function resNetGraph(g: GraphBuilder, spec: ResNetSpec, weights: Weights, x: string): NetworkValues {
  let t = g.node('Relu', 'relu', [addBatchNorm(g, weights, 'bn1', addConv(g, weights, 'conv1', x, 7, 2, 3))]);
  // ONNX MaxPool ignores padded cells, as PyTorch's -inf padding does.
  t = g.node('MaxPool', 'maxpool', [t], [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])]);
  const stages = new Map<string, { value: string; channels: number }>();
  const gates: { value: string; name: string; dims: Dim[] }[] = [];
  for (const block of networkBlocks(spec)) {
    const r = addBottleneck(g, block.spec, weights, block.name, t);
    t = r.y;
    // Spatial sizes inside the network are left unknown: they follow from H and W but have no name.
    if (r.gate) gates.push({ value: r.gate, name: `${GATE_OUTPUT_PREFIX}${block.name}`, dims: bottleneckGateDims(block.spec, [null, null], [null, null]) });
    stages.set(block.name.split('.')[0]!, { value: t, channels: block.spec.outChannels }); // the last block of each layer wins
  }
  const pooled = g.node('Flatten', 'flatten', [g.node('GlobalAveragePool', 'avgpool', [t])], [attr.int('axis', 1)]);
  const fcW = weights['fc.weight']!;
  const fcB = weights['fc.bias']!;
  const logits = g.node('Gemm', 'fc', [pooled, g.weight('fc.weight', fcW.shape, fcW.data), g.weight('fc.bias', fcB.shape, fcB.data)], [attr.int('transB', 1)]);
  return { logits, stages, gates };
}
