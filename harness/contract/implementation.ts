/**
 * The one interface every SE implementation sits behind:
 * probe availability -> prepare with spec and weights -> run on tensors -> dispose.
 * The harness converts golden NCHW tensors to `layout` outside any timed region.
 */
import type { BottleneckSpec } from '../model/bottleneck.ts';
import type { NetworkSpec } from '../model/network.ts';
import type { SeSpec } from '../model/spec.ts';
import type { Layout, Tensor } from '../data/tensor.ts';
import type { Weights } from '../data/weights.ts';

/**
 * Version of this contract. An implementation may state the version it was
 * written for (`apiVersion`); the harness refuses a different one with a
 * message, instead of failing later in an obscure way.
 */
export const API_VERSION = 1;

/** Where an implementation computes: see README "Devices". */
export const DEVICE_KINDS = ['cpu', 'webgpu', 'gpu', 'browser'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
/** Arithmetic precision; selects the tolerance column (harness/check/tolerances.ts). */
export const PRECISIONS = ['fp64', 'fp32', 'fp16'] as const;
export type Precision = (typeof PRECISIONS)[number];
/** Tensor layouts an implementation may take and return. */
export const LAYOUTS: readonly Layout[] = ['NCHW', 'NHWC'];

/**
 * What prepare* throws for a spec the implementation does not run (a gate or
 * activation it has no kernel for, a network family it cannot build): the
 * cell is `unsupported` with this message, not an error, and the bench skips
 * the row saying why. Recognised by its name, so a plug-in's own copy of the
 * class (or `Object.assign(new Error(m), { name: 'UnsupportedError' })`) counts too.
 */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

/** True for an UnsupportedError (by name: see the class). */
export function isUnsupported(e: unknown): e is Error {
  return e instanceof Error && e.name === 'UnsupportedError';
}

/** Result of probing: available, or why not and how to fix it. */
export type Availability =
  /** `threads`: the threads it computes on, where it knows (1 lets the bench record each network call's process CPU time beside its wall time). */
  | { available: true; detail?: string; threads?: number }
  | { available: false; reason: string; installHint: string };

export type { Weights };

/** What one run produces: the output and, for diagnosis, the SE gate. */
export interface BlockOutput {
  /** Output, in the implementation's layout. */
  y: Tensor;
  /** SE gate after the sigmoid: [N, C], or [N, C, H, W] (in `layout`) for squeeze "none". */
  gate?: Tensor;
}

/**
 * An SE (or bottleneck) block ready to run; call dispose when done. Outputs may
 * alias the implementation's memory (e.g. a WASM heap view): they are valid
 * until the next run or dispose; copy them to keep them.
 */
export interface PreparedBlock {
  run(x: Tensor): Promise<BlockOutput>;
  /**
   * Optional: copies `x` to where `run` reads it directly (e.g. into WASM
   * memory) and returns a tensor viewing that place. The harness calls it
   * outside timed regions; `run(staged)` then skips its own input copy, as
   * PyTorch's timings start from a tensor already in place.
   */
  stage?(x: Tensor): Tensor;
  /** Optional: times `run` where it executes (see InPageTimer); the benchmark prefers it to timing `run` from Node. */
  measureInPage?: InPageTimer;
  /**
   * Optional, GPU implementations: runs the kernels again on the last staged
   * input without uploading or reading back, resolving when the device is done
   * (onSubmittedWorkDone); returns the kernels' GPU time in ms from timestamp
   * queries, or NaN when the adapter has none.
   */
  runDeviceOnly?(): Promise<number>;
  /**
   * Optional: how many CPU threads a run on an input of `shape` uses. The
   * bench records it per row and sets the row against the copy roofline and
   * floor of as many threads; absent, a CPU row is set against one thread's.
   */
  threadsFor?(shape: readonly number[]): number;
  dispose(): void | Promise<void>;
}

/**
 * Times runs on `x` where the implementation executes (a browser page), so
 * the Node <-> page transfers of `run` stay out of the samples: warm-up, then
 * samples until minTimeMs and minSamples, each ending after the output is read
 * back there. Returns raw samples; the harness computes the statistics.
 */
export type InPageTimer = (x: Tensor, opts: { minTimeMs: number; minSamples: number; warmupMs: number }) => Promise<{ coldMs: number; samplesMs: number[] }>;

/** What a network run produces; every tensor in the implementation's layout except the [N, classes] logits. */
export interface NetworkOutput {
  logits: Tensor;
  /** Outputs of `layer1`..`layer4` (paper stages 2..5), by that name. */
  stages: Record<string, Tensor>;
  /** SE gate of every block that has one, by block name (`layer1.0`); [N, C], or 4-D for squeeze "none". */
  gates: Record<string, Tensor>;
}

/** A whole network ready to run; call dispose when done. */
/** Time per operator type of one network call, from the engine's own profiler. */
export interface OperatorTimes {
  /** What measured it, e.g. `onnxruntime enableProfiling`, `tf.profile`. */
  profiler: string;
  /** Per operator type and part of the network (`se`: inside an SE block, by node name or shape; `trunk`: the rest), ms per call. */
  ops: { op: string; part: 'se' | 'trunk'; ms: number; nodes: number }[];
  /** Calls profiled (after one untimed call); `ops` are their mean. */
  calls: number;
}

/** A network's operator times, or why there are none (bench --profile; the row's timing stands either way). */
export type OperatorProfile = ({ available: true } & OperatorTimes) | { available: false; reason: string };

export interface PreparedNetwork {
  run(x: Tensor): Promise<NetworkOutput>;
  /** Optional, as PreparedBlock.measureInPage. */
  measureInPage?: InPageTimer;
  /** Optional: `calls` runs of `x` under the engine's profiler, per operator type (bench --profile). Not timed; may be slower than run. */
  profile?(x: Tensor, calls: number): Promise<OperatorTimes>;
  dispose(): void | Promise<void>;
}

/** What a spec builds: an SE block, a bottleneck block, a whole network. */
export type SpecKind = 'se' | 'bottleneck' | 'network';

/** Any spec, with its kind: what `supports` is asked about. */
export type KindedSpec = { kind: 'se'; spec: SeSpec } | { kind: 'bottleneck'; spec: BottleneckSpec } | { kind: 'network'; spec: NetworkSpec };

/** An SE implementation (one backend, one precision). */
export interface SeImplementation {
  /** Stable id, e.g. `reference`, `tfjs-wasm`: letters, digits, `.`, `_`, `-`; unique among all implementations of a run. */
  readonly name: string;
  /** Optional: the contract version this implementation was written for (API_VERSION); another one is refused at load. */
  readonly apiVersion?: number;
  readonly device: DeviceKind;
  /** Tensor layout `run` takes and returns. */
  readonly layout: Layout;
  /** Arithmetic precision; selects the tolerance column. */
  readonly precision: Precision;
  /** One line for listings. */
  readonly description: string;
  /** Whether this implementation can run here; never throws. */
  probe(): Promise<Availability>;
  /**
   * Optional: whether it runs this (validated) spec. `true`, or the reason it
   * declines, e.g. "NoSqueeze: not implemented". A declined spec is never
   * prepared: its conformance cell is `unsupported` with the reason and the
   * bench skips its rows; only the supported cells decide the gate. For a
   * decision only prepare* can make, throw UnsupportedError there instead.
   */
  supports?(spec: SeSpec | BottleneckSpec | NetworkSpec, kind: SpecKind): true | string;
  /**
   * Builds an SE block. The harness has already validated `spec` (normalised
   * by makeSeSpec) and checked `weights` against seWeightShapes(spec), so an
   * implementation need not repeat it; it throws for what it cannot do.
   */
  prepareSe(spec: SeSpec, weights: Weights): Promise<PreparedBlock>;
  /** Builds a bottleneck block with SE (spec and weights validated, as for prepareSe); absent when the implementation only does SE blocks. */
  prepareBottleneck?(spec: BottleneckSpec, weights: Weights): Promise<PreparedBlock>;
  /**
   * Builds a whole network (weights named as torchvision / timm state dicts, see
   * networkWeightShapes; spec and weights validated, as for prepareSe);
   * absent when the implementation only does blocks.
   */
  prepareNetwork?(spec: NetworkSpec, weights: Weights): Promise<PreparedNetwork>;
}

/**
 * What a plug-in module default-exports: one implementation, an array of
 * them, or a (possibly async) factory returning either.
 */
export type ImplementationExport =
  | SeImplementation
  | readonly SeImplementation[]
  | (() => SeImplementation | readonly SeImplementation[] | Promise<SeImplementation | readonly SeImplementation[]>);
