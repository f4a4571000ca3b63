/**
 * The ONNX Runtime back ends a user's ONNX file runs on, set up exactly as
 * the built-in ort-cpu, ort-wasm and ort-webgpu (impls/ort/runtimes*.ts: the
 * same session options, SE_BENCH_ORT_THREADS and SE_BENCH_ORT_GRAPH_OPT), so
 * a file's rows compare with theirs. Kept here because the layer rule lets
 * only the composition root import impls/; keep the two in step.
 */
import type * as Ort from 'onnxruntime-common';
import type { DeviceKind } from '../../contract/implementation.ts';
import { nodeWebGpu } from '../webgpu-node.ts';

export interface FileRuntime {
  ort: typeof Ort;
  options: Ort.InferenceSession.SessionOptions;
  detail: string;
  threads?: number;
}

/** A runtime that cannot start here, with the fix. */
export class RuntimeUnavailable extends Error {
  constructor(message: string, readonly installHint: string) {
    super(message);
  }
}

export interface RuntimeKind {
  /** Name suffix, the built-in implementation it mirrors. */
  builtin: 'ort-cpu' | 'ort-wasm' | 'ort-webgpu';
  device: DeviceKind;
  description: string;
  load: () => Promise<FileRuntime>;
}

const HINT = 'npm install onnxruntime-node onnxruntime-web (se-bench\'s dependencies; ONNXRUNTIME_NODE_INSTALL=skip offline)';
const LOG_ERRORS_ONLY = 3;
const LEVELS = ['all', 'extended', 'basic', 'disabled'] as const;

function env(name: string): string | undefined {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

function level(): (typeof LEVELS)[number] {
  const v = env('SE_BENCH_ORT_GRAPH_OPT') ?? 'all';
  if (!(LEVELS as readonly string[]).includes(v)) throw new RuntimeUnavailable(`SE_BENCH_ORT_GRAPH_OPT must be one of ${LEVELS.join(', ')}, got "${v}"`, 'set SE_BENCH_ORT_GRAPH_OPT=all (or unset it)');
  return v as (typeof LEVELS)[number];
}

function threads(): number {
  const v = env('SE_BENCH_ORT_THREADS') ?? '1';
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new RuntimeUnavailable(`SE_BENCH_ORT_THREADS must be a positive integer, got "${v}"`, 'set SE_BENCH_ORT_THREADS=1 (or unset it)');
  return Number(v);
}

async function importOrt(name: 'onnxruntime-node' | 'onnxruntime-web'): Promise<typeof Ort> {
  try {
    return await import(name) as unknown as typeof Ort;
  } catch (e) {
    throw new RuntimeUnavailable(`${name} cannot be loaded: ${(e as Error).message.split('\n')[0]}`, HINT);
  }
}

const version = (ort: typeof Ort, key: 'node' | 'web') => (ort.env.versions as Record<string, string | undefined>)[key] ?? ort.env.versions.common;
const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

async function cpu(): Promise<FileRuntime> {
  const [lv, n, ort] = [level(), threads(), await importOrt('onnxruntime-node')];
  return {
    ort, threads: n,
    options: { executionProviders: ['cpu'], intraOpNumThreads: n, interOpNumThreads: 1, graphOptimizationLevel: lv, logSeverityLevel: LOG_ERRORS_ONLY },
    detail: `onnxruntime-node ${version(ort, 'node')}, CPU provider, ${plural(n)}, graph optimisation ${lv}`,
  };
}

async function wasm(): Promise<FileRuntime> {
  const [lv, n, ort] = [level(), threads(), await importOrt('onnxruntime-web')];
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = n;
  return {
    ort, threads: n,
    options: { executionProviders: ['wasm'], graphOptimizationLevel: lv, logSeverityLevel: LOG_ERRORS_ONLY },
    detail: `onnxruntime-web ${version(ort, 'web')}, wasm backend (SIMD), ${plural(n)}, graph optimisation ${lv}`,
  };
}

async function webgpu(): Promise<FileRuntime> {
  // Dawn finds the adapter first (setting VK_ICD_FILENAMES for SwiftShader without a GPU); ORT's own Dawn reads the same variable.
  const dawn = await nodeWebGpu();
  if (!dawn.ok) throw new RuntimeUnavailable(dawn.reason, dawn.installHint);
  const [lv, ort] = [level(), await importOrt('onnxruntime-node')];
  const backends = (ort as unknown as { listSupportedBackends?: () => { name: string }[] }).listSupportedBackends?.() ?? [];
  if (!backends.some((b) => b.name === 'webgpu')) throw new RuntimeUnavailable('this onnxruntime-node build has no WebGPU provider', 'onnxruntime-node >= 1.22 on Linux x64, Windows or macOS');
  return {
    ort,
    options: { executionProviders: ['webgpu'], graphOptimizationLevel: lv, logSeverityLevel: LOG_ERRORS_ONLY },
    detail: `onnxruntime-node ${version(ort, 'node')}, WebGPU provider, graph optimisation ${lv}`,
  };
}

/** The runtimes, in listing order. */
export const FILE_RUNTIMES: readonly RuntimeKind[] = [
  { builtin: 'ort-cpu', device: 'cpu', description: 'ONNX Runtime (onnxruntime-node), CPU execution provider', load: cpu },
  { builtin: 'ort-wasm', device: 'cpu', description: 'ONNX Runtime Web (onnxruntime-web), wasm backend in Node', load: wasm },
  { builtin: 'ort-webgpu', device: 'webgpu', description: 'ONNX Runtime (onnxruntime-node), WebGPU execution provider (any adapter)', load: webgpu },
];

export { HINT as RUNTIME_HINT };
