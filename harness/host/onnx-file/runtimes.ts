/**
 * The ONNX Runtime back ends a user's ONNX file runs on. They are the loaders
 * of the built-in ort-cpu, ort-wasm and ort-webgpu themselves (impls/ort),
 * handed in by the composition root (harness/cli/builtins.ts) because the
 * layer rule keeps host/ from importing impls/: so a file gets the same
 * session options (SE_BENCH_ORT_THREADS, SE_BENCH_ORT_GRAPH_OPT) and the same
 * unavailability reasons, and its rows compare with theirs.
 */
import type * as Ort from 'onnxruntime-common';
import type { DeviceKind } from '../../contract/implementation.ts';
import type { Tensor } from '../../data/tensor.ts';

/** What a loader gives: the package's API, the session options of its provider, and its one-line detail. */
export interface FileRuntime {
  ort: typeof Ort;
  options: Ort.InferenceSession.SessionOptions;
  detail: string;
  threads?: number;
}

/** impls/ort's own session glue, so a file's sessions, inputs and outputs are handled as the built-ins' are. */
export interface SessionGlue {
  /** A session of `model`; a refusal is an Error starting with `refusal`. */
  createSession(rt: FileRuntime, model: Uint8Array, refusal: string): Promise<Ort.InferenceSession>;
  /** The case input as an ORT tensor (a shared-memory view copied). */
  inputTensor(rt: FileRuntime, x: Tensor): Ort.Tensor;
  /** An output as a plain float32 tensor; another type is an Error naming `name`. */
  hostTensor(t: Ort.Tensor, name: string): Tensor;
}

export interface RuntimeKind {
  /** Name suffix: the built-in implementation whose loader this is. */
  builtin: string;
  device: DeviceKind;
  description: string;
  /** Throws, when the runtime cannot start here, an error whose `installHint` (if any) says the fix. */
  load: () => Promise<FileRuntime>;
  /** The fix when `load` throws an error without its own installHint. */
  installHint: string;
  glue: SessionGlue;
}

/** The fix a failed load names: the error's own (impls/ort's OrtUnavailable carries one), else the kind's. */
export function installHintOf(e: unknown, kind: RuntimeKind): string {
  const own = (e as { installHint?: unknown } | null)?.installHint;
  return typeof own === 'string' && own ? own : kind.installHint;
}
