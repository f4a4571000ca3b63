/**
 * `bench --profile`: each timed network run under its engine's own profiler
 * (PreparedNetwork.profile: ONNX Runtime's enableProfiling, tf.profile;
 * PyTorch's torch.profiler in its process), after its timing and apart from
 * it (a profiler slows the calls it watches). The report then sets the SE
 * network's operators against the plain one's (report/operators.ts).
 */
import { unguarded } from '../contract/guard.ts';
import type { OperatorProfile, PreparedNetwork } from '../contract/implementation.ts';
import type { Tensor } from '../data/tensor.ts';

/** Calls profiled per network (after one untimed call): the mean of a few, as the profile is an account, not the measurement. */
export const PROFILE_CALLS = 5;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `prepared`'s operator times on `x`, or why there are none (no profiler hook, or it failed). Never throws. */
export async function profileNetwork(prepared: PreparedNetwork, x: Tensor, implName: string): Promise<OperatorProfile> {
  const raw = unguarded(prepared);
  if (!raw.profile) return { available: false, reason: `${implName} has no profiler (PreparedNetwork.profile); its timing stands` };
  try {
    return { available: true, ...(await prepared.profile!(x, PROFILE_CALLS)) };
  } catch (e) {
    return { available: false, reason: `profiling failed: ${errorText(e)}` };
  }
}
