/**
 * A layer network (MobileNetV3, EfficientNet, RegNetY) in tfjs ops, NHWC:
 * convs with BatchNorm folded (depthwise and grouped through
 * depthwiseConv2d), Hardswish and SiLU composed from tfjs ops (it has
 * neither), the SE blocks of se-ops.ts, residual adds, global average pool and
 * the classifier. Every stage output and SE gate is returned.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { type ConvLayer, type LayerActivation, type LayerNetSpec, type Weights } from '../../harness/api.ts';
import type { Tf } from './backends.ts';
import { conv, uploadConv, type FoldedConv } from './bottleneck-ops.ts';
import { disposeSe, seForward, transpose, uploadSe, type SeTensors } from './se-ops.ts';

type T4 = TfCore.Tensor4D;

interface ConvT { layer: ConvLayer; t: FoldedConv }
type BodyT = ConvT | { se: SeTensors; name: string };

/** Layer network weights on the current backend; free with disposeLayerNet. */
export interface LayerNetTensors {
  spec: LayerNetSpec;
  trunk: { stage: string; conv?: ConvT; body?: BodyT[]; shortcut?: ConvT | 'identity' | 'none'; act?: LayerActivation | null }[];
  head: { wt: TfCore.Tensor2D; bias: TfCore.Tensor1D; act: LayerActivation | null }[];
}

/** `act` in tfjs ops: Hardswish x * relu6(x + 3) / 6 and SiLU x * sigmoid(x), as PyTorch defines them. */
export function activate<T extends TfCore.Tensor>(tf: Tf, x: T, act: LayerActivation): T {
  switch (act) {
    case 'relu': return tf.relu(x);
    case 'hardswish': return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'silu': return tf.mul(x, tf.sigmoid(x));
  }
}

const upload = (tf: Tf, weights: Weights, l: ConvLayer): ConvT =>
  ({ layer: l, t: uploadConv(tf, weights, `${l.name}.0`, `${l.name}.1`, l.out, l.in, l.kernel, l.stride, l.groups, l.eps) });

/** Uploads every weight (checked by the caller), BatchNorm folded into the convs. */
export function uploadLayerNet(tf: Tf, spec: LayerNetSpec, weights: Weights): LayerNetTensors {
  return {
    spec,
    trunk: spec.trunk.map(({ stage, layer }) => (layer.op === 'conv'
      ? { stage, conv: upload(tf, weights, layer) }
      : {
        stage, act: layer.act,
        body: layer.body.map((l): BodyT => (l.op === 'conv' ? upload(tf, weights, l) : { name: l.name, se: uploadSe(tf, l.se, weights, `${l.name}.`) })),
        shortcut: typeof layer.shortcut === 'object' ? upload(tf, weights, layer.shortcut) : layer.shortcut,
      })),
    head: spec.head.map((h) => ({
      wt: tf.tensor2d(transpose(weights[`${h.name}.weight`]!.data, h.out, h.in), [h.in, h.out]),
      bias: tf.tensor1d(weights[`${h.name}.bias`]!.data), act: h.act,
    })),
  };
}

/** Frees every tensor of the network. */
export function disposeLayerNet(n: LayerNetTensors): void {
  const free = (c: BodyT | 'identity' | 'none' | undefined): void => {
    if (!c || typeof c === 'string') return;
    if ('se' in c) disposeSe(c.se);
    else {
      c.t.filter.dispose();
      c.t.bias.dispose();
    }
  };
  for (const t of n.trunk) {
    free(t.conv);
    t.body?.forEach(free);
    free(t.shortcut);
  }
  for (const h of n.head) {
    h.wt.dispose();
    h.bias.dispose();
  }
}

function convUnit(tf: Tf, x: T4, c: ConvT): T4 {
  const y = conv(tf, x, c.t, c.layer.act === 'relu');
  return c.layer.act && c.layer.act !== 'relu' ? activate(tf, y, c.layer.act) : y;
}

/** Forward pass; call inside tf.tidy. Gates by SE module name ([N, C]). */
export function layerNetForward(tf: Tf, n: LayerNetTensors, x: T4): { logits: TfCore.Tensor2D; stages: Record<string, T4>; gates: Record<string, TfCore.Tensor> } {
  const stages: Record<string, T4> = {};
  const gates: Record<string, TfCore.Tensor> = {};
  let t = x;
  for (const u of n.trunk) {
    if (u.conv) t = convUnit(tf, t, u.conv);
    else {
      let b = t;
      for (const l of u.body!) {
        if ('se' in l) {
          const r = seForward(tf, l.se, b);
          gates[l.name] = r.gate;
          b = r.y;
        } else b = convUnit(tf, b, l);
      }
      if (u.shortcut === 'identity') b = tf.add(b, t);
      else if (u.shortcut && u.shortcut !== 'none') b = tf.add(b, convUnit(tf, t, u.shortcut));
      t = u.act ? activate(tf, b, u.act) : b;
    }
    stages[u.stage] = t;
  }
  let v = tf.mean(t, [1, 2]) as TfCore.Tensor2D;
  for (const h of n.head) {
    v = tf.add(tf.matMul(v, h.wt), h.bias) as TfCore.Tensor2D;
    if (h.act) v = activate(tf, v, h.act);
  }
  return { logits: v, stages, gates };
}
