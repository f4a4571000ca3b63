/**
 * SeSpec: every SE variant in the seeds and the SENet paper, validated at the
 * boundary with messages that say what was wrong and what is allowed.
 */

export type ReductionRule = 'floor' | 'divisor8';
export type Squeeze = 'avg' | 'max' | 'none';
export type WeightLayout = 'linear' | 'conv1x1';
export type HiddenActivation = 'relu' | 'tanh' | 'sigmoid' | 'silu';
/** `sigmoid`: the paper's; `hardsigmoid`: PyTorch's F.hardsigmoid, relu6(x + 3) / 6 (MobileNetV3; ONNX HardSigmoid with alpha 1/6, beta 0.5). */
export type Gate = 'sigmoid' | 'hardsigmoid';

/** A Squeeze-and-Excitation block, fully specified. */
export interface SeSpec {
  /** Input (and output) channels C, > 0. */
  channels: number;
  /**
   * Reduction ratio r, a positive integer; with an explicit `hidden` width it
   * is C / hidden (may be fractional, e.g. 120 / 32 = 3.75; 0 for hidden 0), for labels only.
   */
  ratio: number;
  /** Hidden width rule: `floor` = C // r (seeds, paper); `divisor8` = timm's make_divisible(C / r, 8). Ignored when `hidden` is given. */
  reduction: ReductionRule;
  /**
   * Explicit hidden width (>= 0), for blocks whose width comes from elsewhere:
   * MobileNetV3's make_divisible(C // 4, 8), EfficientNet's max(1, block input // 4),
   * RegNetY's round(0.25 * block input). Absent: the ratio rule decides.
   */
  hidden?: number;
  /** `avg` global average pool; `max` global max pool; `none` = the paper's NoSqueeze (1x1 convs at every position). */
  squeeze: Squeeze;
  /** Excitation weights as Linear `[out, in]` or 1x1 conv `[out, in, 1, 1]`: same math, different stored shape. */
  weightLayout: WeightLayout;
  /** Bias on the first (reducing) FC. */
  bias1: boolean;
  /** Bias on the second (expanding) FC. */
  bias2: boolean;
  /** Activation between the two FCs (`silu`: x * sigmoid(x), EfficientNet's). */
  hiddenActivation: HiddenActivation;
  /** The gate; the paper and every seed use a sigmoid, MobileNetV3 a hard sigmoid. */
  gate: Gate;
}

const ENUMS = {
  reduction: ['floor', 'divisor8'],
  squeeze: ['avg', 'max', 'none'],
  weightLayout: ['linear', 'conv1x1'],
  hiddenActivation: ['relu', 'tanh', 'sigmoid', 'silu'],
  gate: ['sigmoid', 'hardsigmoid'],
} as const;

const DEFAULTS: Omit<SeSpec, 'channels' | 'ratio' | 'hidden'> = {
  reduction: 'floor',
  squeeze: 'avg',
  weightLayout: 'linear',
  bias1: true,
  bias2: true,
  hiddenActivation: 'relu',
  gate: 'sigmoid',
};

/** Error raised for an invalid SE specification. */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

/**
 * Validates a partial spec (e.g. parsed JSON or CLI options), fills the
 * defaults (avg squeeze, floor rule, Linear weights, both biases, ReLU,
 * sigmoid gate) and returns a complete SeSpec. Unknown keys are rejected.
 */
export function makeSeSpec(input: Partial<Record<keyof SeSpec, unknown>>): SeSpec {
  if (typeof input !== 'object' || input === null) throw new SpecError('SE spec must be an object');
  const known = new Set<string>(['channels', 'ratio', 'hidden', ...Object.keys(DEFAULTS)]);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new SpecError(`SE spec: unknown option "${key}" (known: ${[...known].join(', ')})`);
  }
  const { channels, hidden } = input;
  let { ratio } = input;
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels <= 0) {
    throw new SpecError(`SE spec: channels must be an integer > 0, got ${JSON.stringify(channels)}`);
  }
  if (hidden !== undefined) {
    if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < 0) {
      throw new SpecError(`SE spec: hidden (the explicit hidden width) must be an integer >= 0, got ${JSON.stringify(hidden)}`);
    }
    const effective = hidden === 0 ? 0 : channels / hidden;
    if (ratio !== undefined && ratio !== effective) {
      throw new SpecError(`SE spec: give ratio or hidden, not both (hidden ${hidden} on ${channels} channels is ratio ${effective}, ratio says ${JSON.stringify(ratio)})`);
    }
    ratio = effective; // a label only (0 for hidden 0): the width is `hidden`
  } else if (typeof ratio !== 'number' || !Number.isInteger(ratio) || ratio <= 0) {
    throw new SpecError(`SE spec: ratio (r) must be an integer > 0, got ${JSON.stringify(ratio)}`);
  }
  const spec = { ...DEFAULTS, ...input, ratio } as SeSpec;
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const value = (spec as unknown as Record<string, unknown>)[key];
    if (!(allowed as readonly unknown[]).includes(value)) {
      throw new SpecError(`SE spec: ${key} must be one of ${allowed.join(' | ')}, got ${JSON.stringify(value)}`);
    }
  }
  for (const key of ['bias1', 'bias2'] as const) {
    if (typeof spec[key] !== 'boolean') throw new SpecError(`SE spec: ${key} must be true or false, got ${JSON.stringify(spec[key])}`);
  }
  return spec;
}

/** timm's make_divisible(v, divisor, round_limit=0.9): nearest multiple, never below 90% of v. */
export function makeDivisible(v: number, divisor = 8, roundLimit = 0.9): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < roundLimit * v) n += divisor;
  return n;
}

/** Hidden width of the excitation. `floor` may give 0 (C < r), which PyTorch accepts. */
export function hiddenWidth(spec: SeSpec): number {
  if (spec.hidden !== undefined) return spec.hidden;
  return spec.reduction === 'floor' ? Math.floor(spec.channels / spec.ratio) : makeDivisible(spec.channels / spec.ratio, 8);
}

/** Name, stored shape and presence of each SE weight tensor for `spec`. */
export function seWeightShapes(spec: SeSpec): Record<string, number[]> {
  const c = spec.channels;
  const h = hiddenWidth(spec);
  const tail = spec.weightLayout === 'conv1x1' ? [1, 1] : [];
  const shapes: Record<string, number[]> = {
    'fc1.weight': [h, c, ...tail],
    'fc2.weight': [c, h, ...tail],
  };
  if (spec.bias1) shapes['fc1.bias'] = [h];
  if (spec.bias2) shapes['fc2.bias'] = [c];
  return shapes;
}

/** Parameter count of one SE block (as `sum(p.numel())` in PyTorch). */
export function seParams(spec: SeSpec): number {
  return Object.values(seWeightShapes(spec)).reduce((acc, s) => acc + s.reduce((a, b) => a * b, 1), 0);
}
