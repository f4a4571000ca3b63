/**
 * A ResNet bottleneck block with SE at a chosen integration position
 * (SENet paper, figure 5 and table 14; seed 003's "standard" placement).
 *
 *   standard : x -> [1x1, 3x3, 1x1 + BN] -> SE -> (+ shortcut(x)) -> ReLU
 *   pre      : x -> SE -> [residual branch] -> (+ shortcut(x)) -> ReLU
 *   post     : x -> [residual branch] -> (+ shortcut(x)) -> ReLU -> SE
 *   identity : x -> [residual branch] -> (+ SE(shortcut(x))) -> ReLU
 *   3x3      : SE after the 3x3 conv's BN + ReLU, on the bottleneck width
 *   none     : plain bottleneck
 */
import { makeSeSpec, seWeightShapes, SpecError, type SeSpec } from './spec.ts';

export type SePosition = 'standard' | 'pre' | 'post' | 'identity' | '3x3' | 'none';
export const SE_POSITIONS: readonly SePosition[] = ['standard', 'pre', 'post', 'identity', '3x3', 'none'];

/** Bottleneck block geometry plus its SE. */
export interface BottleneckSpec {
  inChannels: number;
  midChannels: number;
  outChannels: number;
  /** 1 or 2. */
  stride: number;
  /** Groups of the 3x3 conv (32 for ResNeXt-50 32x4d). */
  groups: number;
  /** `3x3`: torchvision / ResNet v1.5; `1x1`: original ResNet v1 (stride on the first conv). */
  strideOn: '1x1' | '3x3';
  position: SePosition;
  /** SE options; its `channels` must match the position (see seChannels). */
  se?: SeSpec;
}

/** BatchNorm epsilon used by torchvision and our reference. */
export const BN_EPS = 1e-5;

/** Channels the SE block sees at `position`. */
export function seChannels(b: Pick<BottleneckSpec, 'inChannels' | 'midChannels' | 'outChannels' | 'position'>): number {
  switch (b.position) {
    case 'pre': return b.inChannels;
    case '3x3': return b.midChannels;
    default: return b.outChannels;
  }
}

/** True when the shortcut needs a 1x1 projection (stride or channel change). */
export function hasProjection(b: BottleneckSpec): boolean {
  return b.stride !== 1 || b.inChannels !== b.outChannels;
}

/** Validates a bottleneck spec, with messages naming the bad field. */
export function checkBottleneckSpec(b: BottleneckSpec): BottleneckSpec {
  for (const key of ['inChannels', 'midChannels', 'outChannels', 'groups'] as const) {
    if (!Number.isInteger(b[key]) || b[key] <= 0) throw new SpecError(`bottleneck: ${key} must be an integer > 0, got ${b[key]}`);
  }
  if (b.stride !== 1 && b.stride !== 2) throw new SpecError(`bottleneck: stride must be 1 or 2, got ${b.stride}`);
  if (b.midChannels % b.groups !== 0) throw new SpecError(`bottleneck: midChannels ${b.midChannels} is not divisible by groups ${b.groups}`);
  if (b.strideOn !== '1x1' && b.strideOn !== '3x3') throw new SpecError(`bottleneck: strideOn must be 1x1 or 3x3, got ${b.strideOn}`);
  if (!SE_POSITIONS.includes(b.position)) throw new SpecError(`bottleneck: position must be one of ${SE_POSITIONS.join(' | ')}, got ${b.position}`);
  if (b.position === 'none') {
    if (b.se) throw new SpecError('bottleneck: position "none" takes no SE spec');
    return b;
  }
  if (!b.se) throw new SpecError(`bottleneck: position "${b.position}" needs an SE spec`);
  const se = makeSeSpec(b.se);
  const want = seChannels(b);
  if (se.channels !== want) throw new SpecError(`bottleneck: SE at position "${b.position}" sees ${want} channels, spec says ${se.channels}`);
  return { ...b, se };
}

function bnShapes(prefix: string, c: number): Record<string, number[]> {
  return Object.fromEntries(['weight', 'bias', 'running_mean', 'running_var'].map((k) => [`${prefix}.${k}`, [c]]));
}

/** Weight names (torchvision's) and shapes of a bottleneck block; SE weights under `se.`. */
export function bottleneckWeightShapes(b: BottleneckSpec): Record<string, number[]> {
  const shapes: Record<string, number[]> = {
    'conv1.weight': [b.midChannels, b.inChannels, 1, 1],
    ...bnShapes('bn1', b.midChannels),
    'conv2.weight': [b.midChannels, b.midChannels / b.groups, 3, 3],
    ...bnShapes('bn2', b.midChannels),
    'conv3.weight': [b.outChannels, b.midChannels, 1, 1],
    ...bnShapes('bn3', b.outChannels),
  };
  if (hasProjection(b)) {
    shapes['downsample.0.weight'] = [b.outChannels, b.inChannels, 1, 1];
    Object.assign(shapes, bnShapes('downsample.1', b.outChannels));
  }
  if (b.se) for (const [k, s] of Object.entries(seWeightShapes(b.se))) shapes[`se.${k}`] = s;
  return shapes;
}
