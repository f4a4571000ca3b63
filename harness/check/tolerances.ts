/**
 * The tolerance table: one entry per (case class, implementation precision),
 * each with the reason for its numbers. Output and gate use the same entry.
 * Observed worst errors of the float64 reference against PyTorch float32 golden
 * (npm run conformance -- --impl=reference): SE blocks 1.5e-6 absolute
 * (stage5, C = 2048), bottlenecks 2.4e-6 absolute, whole networks 2.7e-5 absolute.
 */
import type { Precision } from '../contract/implementation.ts';
import type { ToleranceClass } from '../data/golden.ts';
import type { Tolerance } from './compare.ts';

export const TOLERANCES: Record<ToleranceClass, Record<Precision, Tolerance>> = {
  'se-block': {
    fp64: {
      atol: 1e-5, rtol: 1e-5,
      reason: 'golden is PyTorch float32: the pooled mean (up to 50,176 terms) and the FC dot products (up to 2,048 terms) '
        + 'each carry float32 rounding of order sqrt(n) * 2^-24 of their magnitude; the sigmoid (slope <= 1/4) damps it and '
        + 'the final multiply adds half an ulp. Observed worst 1.5e-6, so 1e-5 leaves ~7x headroom while a wrong squeeze, '
        + 'a missing sigmoid or a swapped weight moves outputs by 1e-2 or more.',
    },
    fp32: {
      atol: 1e-5, rtol: 1e-5,
      reason: 'as fp64: a float32 implementation sums in another order than PyTorch, which adds errors of the same order '
        + '(sqrt(n) * 2^-24 relative), still well below 1e-5 at these sizes.',
    },
    fp16: {
      atol: 2e-3, rtol: 2e-3,
      reason: 'half precision has an 11-bit significand (eps 9.8e-4): one rounding of inputs and gate already costs ~5e-4 '
        + 'relative; 2e-3 allows the products and a float32-accumulated mean.',
    },
  },
  bottleneck: {
    fp64: {
      atol: 5e-5, rtol: 1e-4,
      reason: 'three convolutions (dot products of 256 to 2,304 terms) and BatchNorm in float32 on the PyTorch side; '
        + 'outputs near 0 after ReLU make the absolute term matter. Observed worst 2.4e-6 absolute.',
    },
    fp32: {
      atol: 5e-5, rtol: 1e-4,
      reason: 'as fp64, plus a different summation order and, where an implementation folds BatchNorm into the conv '
        + 'weights, one extra rounding per weight (2^-24 relative each).',
    },
    fp16: {
      atol: 2e-2, rtol: 1e-2,
      reason: 'half precision through three convolutions: each dot product of up to 2,304 terms rounds to eps 9.8e-4.',
    },
  },
  network: {
    fp64: {
      atol: 1e-4, rtol: 1e-4,
      reason: 'the whole network: 53 convolutions (dot products of up to 4,608 terms), BatchNorm and 16 residual sums in '
        + 'float32 on the PyTorch side, on activations up to ~20. Float32 rounding compounds through depth: observed worst '
        + '2.7e-5 absolute (relative L2 1e-6) on layer4 of resnet50 at 64x64. 1e-4 keeps ~4x headroom; one changed weight '
        + 'moves the outputs after it by far more (test/network.test.ts).',
    },
    fp32: {
      atol: 5e-4, rtol: 5e-4,
      reason: 'as fp64, plus the implementation\'s own float32 rounding in another summation order and, where BatchNorm is '
        + 'folded into the conv weights, one extra rounding per weight: up to twice the fp64 error per layer, compounded '
        + 'over 16 blocks.',
    },
    fp16: {
      atol: 1e-1, rtol: 5e-2,
      reason: 'half precision (eps 9.8e-4) through 53 layers: each conv output carries ~1e-3 relative error, which '
        + 'compounds over depth; only gross errors are caught at this precision.',
    },
  },
};

/** The tolerance for a case class and precision. */
export function toleranceFor(cls: ToleranceClass, precision: Precision): Tolerance {
  const t = TOLERANCES[cls]?.[precision];
  if (!t) throw new Error(`no tolerance for case class "${cls}" at precision ${precision}`);
  return t;
}
