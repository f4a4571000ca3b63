/**
 * Implementations that exist to be right, not fast (the float64 reference,
 * tfjs's plain-JS kernels: 0.2-1.2 s per SE block call, 17-23 s per
 * ResNet-50): unless named in --impl, their SE blocks are timed at one ratio,
 * where they anchor the others, and their networks not at all. The sweep over
 * r adds nothing for them, and timing them cost over two minutes of a default
 * run; named in --impl, everything is timed.
 */
import type { SeImplementation } from '../contract/implementation.ts';
import { ratioClosestToPaper } from '../model/paper.ts';
import type { BenchPlan, Workload } from './options.ts';

const CORRECTNESS_BASELINES = ['reference', 'tfjs-cpu', 'browser-reference', 'browser-tfjs-cpu'];

/** The SE block ratio the baselines are timed at: 16, or the plan's ratio closest to it. */
export function primaryBlockRatio(plan: Pick<BenchPlan, 'workloads'>): number | undefined {
  return ratioClosestToPaper(plan.workloads.flatMap((w) => (w.kind === 'se-block' && w.ratio !== undefined ? [w.ratio] : [])));
}

/** Why `impl` is not timed on `w` (a correctness baseline not named in --impl), or undefined when it is. */
export function baselineSkip(impl: SeImplementation, w: Workload, plan: Pick<BenchPlan, 'workloads' | 'impls'>): string | undefined {
  if (!CORRECTNESS_BASELINES.includes(impl.name) || (plan.impls?.includes(impl.name) ?? false)) return undefined;
  if (w.kind === 'network') return 'a correctness baseline, not timed on whole networks; name it in --impl to time it';
  const primary = primaryBlockRatio(plan);
  return w.ratio === primary ? undefined : `a correctness baseline, timed at r = ${primary} only; name it in --impl to time every ratio`;
}
