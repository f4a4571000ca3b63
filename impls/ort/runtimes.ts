/**
 * What the ONNX Runtime runtimes share (runtimes-node.ts: onnxruntime-node;
 * runtimes-web.ts: onnxruntime-web, in Node and in the page). Each runtime
 * loads on first use; one that cannot load is unavailable with the reason
 * and the fix, never a crash of the run.
 *   node-cpu     onnxruntime-node, CPU execution provider (MLAS)
 *   node-webgpu  onnxruntime-node's bundled WebGPU provider (its own Dawn; Vulkan, or SwiftShader via VK_ICD_FILENAMES)
 *   node-cuda    onnxruntime-node's CUDA provider: its libraries are not in the npm package (see CUDA_HINT)
 *   web-wasm     onnxruntime-web's WebAssembly backend (SIMD), in Node or in the page
 *   web-webgpu   onnxruntime-web's WebGPU backend, in the page (Chromium's WebGPU)
 */
import type * as Ort from 'onnxruntime-common';
import type { OperatorTimes } from '../../harness/api.ts';

/** Whether an exported ONNX node (by name) is inside an SE block: the profile's `se` part. */
export type SeNodeTest = (node: string) => boolean;

/** What a session needs: the package's API and the session options for this provider. */
export interface OrtRuntime {
  ort: typeof Ort;
  options: Ort.InferenceSession.SessionOptions;
  /** One line: package and version, provider, threads, graph optimisation level. */
  detail: string;
  /** Compute threads (CPU and wasm providers). */
  threads?: number;
  /** `calls` runs of a model under ONNX Runtime's profiler, per operator type (onnxruntime-node only: profile-node.ts). */
  profile?: (model: Uint8Array, feeds: Ort.InferenceSession.FeedsType, calls: number, isSe: SeNodeTest) => Promise<OperatorTimes>;
}

/** A runtime that cannot start here, with the fix. */
export class OrtUnavailable extends Error {
  constructor(message: string, readonly installHint: string) {
    super(message);
    this.name = 'OrtUnavailable';
  }
}

type GraphOptimization = NonNullable<Ort.InferenceSession.SessionOptions['graphOptimizationLevel']>;
const GRAPH_OPTIMIZATIONS: readonly GraphOptimization[] = ['all', 'extended', 'basic', 'disabled'];

/** An environment variable the ORT runtimes read; undefined when unset or empty (the page has no process). */
function envValue(name: string): string | undefined {
  const v = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Graph optimisation level of every session: SE_BENCH_ORT_GRAPH_OPT, default
 * `all` (ORT's own default; on the CPU provider it adds the NCHWc layout
 * transform). Recorded in each implementation's detail line.
 */
export function ortGraphOptimization(): GraphOptimization {
  const v = envValue('SE_BENCH_ORT_GRAPH_OPT');
  if (v === undefined) return 'all';
  if (!(GRAPH_OPTIMIZATIONS as readonly string[]).includes(v)) {
    throw new OrtUnavailable(`SE_BENCH_ORT_GRAPH_OPT must be one of ${GRAPH_OPTIMIZATIONS.join(', ')}, got "${v}"`, 'set SE_BENCH_ORT_GRAPH_OPT=all (or unset it)');
  }
  return v as GraphOptimization;
}

/** Session log level: errors only (3); ORT's warnings are advice about provider placement, not failures. */
export const LOG_ERRORS_ONLY = 3;

/** How to get the CUDA provider libraries that onnxruntime-node's npm package leaves out. */
export const CUDA_HINT = 'on Linux x64 with an NVIDIA driver, CUDA 12 and cuDNN 9: '
  + 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js (downloads the CUDA provider libraries from api.nuget.org, outside the npm registry; se-bench\'s setup skips it)';

/**
 * Intra-op threads: SE_BENCH_ORT_THREADS, default 1 (as the wasm-simd kernel
 * and the PyTorch anchor, so rows compare one thread with one thread).
 */
export function ortThreads(): number {
  const v = envValue('SE_BENCH_ORT_THREADS');
  if (v === undefined) return 1;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new OrtUnavailable(`SE_BENCH_ORT_THREADS must be a positive integer, got "${v}"`, 'set SE_BENCH_ORT_THREADS=1 (or unset it)');
  }
  return Number(v);
}

/** The package's version as it reports it. */
export function version(ort: typeof Ort, key: 'node' | 'web'): string {
  return (ort.env.versions as Record<string, string | undefined>)[key] ?? ort.env.versions.common;
}

/** The message of a failed package import, first line only. */
export function importFailure(name: string, e: unknown): OrtUnavailable {
  return new OrtUnavailable(`${name} cannot be loaded: ${(e as Error).message.split('\n')[0]}`, `npm install ${name} (ONNXRUNTIME_NODE_INSTALL=skip for onnxruntime-node without network)`);
}
