/**
 * A whole NetworkSpec in tfjs ops, NHWC: the stem (7x7 conv with BatchNorm
 * folded, ReLU, 3x3 max pool), the bottleneck blocks of bottleneck-ops.ts,
 * global average pool and the classifier. Every stage output and SE gate is
 * returned, so conformance can name the first failing stage.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { type NetworkSpec, type ResNetSpec, type Weights, isLayerNet, networkBlocks, weightsUnder } from '../../harness/api.ts';
import type { Tf } from './backends.ts';
import { bottleneckForward, disposeBottleneck, foldConv, uploadBottleneck, type BottleneckTensors } from './bottleneck-ops.ts';
import { disposeLayerNet, layerNetForward, uploadLayerNet, type LayerNetTensors } from './layer-net-ops.ts';
import { transpose } from './se-ops.ts';

type T4 = TfCore.Tensor4D;

/** Network weights on the current backend (a ResNet's, or a layer network's); free with disposeNetwork. */
export type NetworkTensors = ResNetTensors | LayerNetTensors;

interface ResNetTensors {
  spec: ResNetSpec;
  stemFilter: T4;
  stemBias: TfCore.Tensor1D;
  blocks: { name: string; t: BottleneckTensors }[];
  /** Classifier weight transposed, [2048, classes] (see se-ops.ts on why not transposeB). */
  fcWt: TfCore.Tensor2D;
  fcBias: TfCore.Tensor1D;
}

/** Uploads every weight (checked by the caller) with BatchNorm folded into the convs. */
export function uploadNetwork(tf: Tf, spec: NetworkSpec, weights: Weights): NetworkTensors {
  if (isLayerNet(spec)) return uploadLayerNet(tf, spec, weights);
  const stem = foldConv(weights, 'conv1', 'bn1', 64, spec.inChannels, 7, 1);
  const fc = weights['fc.weight']!;
  const [classes, features] = fc.shape as [number, number];
  return {
    spec,
    stemFilter: tf.tensor4d(stem.filter, stem.shape),
    stemBias: tf.tensor1d(stem.bias),
    blocks: networkBlocks(spec).map((b) => ({ name: b.name, t: uploadBottleneck(tf, b.spec, weightsUnder(weights, b.name)) })),
    fcWt: tf.tensor2d(transpose(fc.data, classes, features), [features, classes]),
    fcBias: tf.tensor1d(weights['fc.bias']!.data),
  };
}

/** Frees every tensor of the network. */
export function disposeNetwork(n: NetworkTensors): void {
  if ('trunk' in n) return disposeLayerNet(n);
  n.stemFilter.dispose();
  n.stemBias.dispose();
  for (const b of n.blocks) disposeBottleneck(b.t);
  n.fcWt.dispose();
  n.fcBias.dispose();
}

/** Forward pass; call inside tf.tidy. Stage outputs are the last block of each `layerN`. */
export function networkForward(tf: Tf, n: NetworkTensors, x: T4): { logits: TfCore.Tensor2D; stages: Record<string, T4>; gates: Record<string, TfCore.Tensor> } {
  if ('trunk' in n) return layerNetForward(tf, n, x);
  let t = tf.fused.conv2d({ x, filter: n.stemFilter, strides: 2, pad: 3, bias: n.stemBias, activation: 'relu' });
  // PyTorch pads max pooling with -inf; after ReLU every value is >= 0, so tfjs's explicit padding gives the same maxima.
  t = tf.maxPool(t, 3, 2, 1);
  const stages: Record<string, T4> = {};
  const gates: Record<string, TfCore.Tensor> = {};
  for (const b of n.blocks) {
    const r = bottleneckForward(tf, b.t, t);
    t = r.y;
    if (r.gate) gates[b.name] = r.gate;
    stages[b.name.split('.')[0]!] = t;
  }
  const pooled = tf.mean(t, [1, 2]) as TfCore.Tensor2D;
  const logits = tf.add(tf.matMul(pooled, n.fcWt), n.fcBias) as TfCore.Tensor2D;
  return { logits, stages, gates };
}
