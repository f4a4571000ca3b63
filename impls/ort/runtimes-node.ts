/** onnxruntime-node's providers (Node only: a native addon). */
import type * as Ort from 'onnxruntime-common';
import { nodeWebGpu as nodeWebGpuHost } from '../../harness/api.ts';
import { profileSession } from './profile-node.ts';
import { CUDA_HINT, ortGraphOptimization, LOG_ERRORS_ONLY, importFailure, ortThreads, OrtUnavailable, version, type OrtRuntime } from './runtimes.ts';

async function importPackage(): Promise<typeof Ort> {
  try {
    return await import('onnxruntime-node') as unknown as typeof Ort;
  } catch (e) {
    throw importFailure('onnxruntime-node', e);
  }
}

/** The CPU provider (MLAS). */
export async function nodeCpu(): Promise<OrtRuntime> {
  const level = ortGraphOptimization();
  const ort = await importPackage();
  const threads = ortThreads();
  const options: Ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: level, logSeverityLevel: LOG_ERRORS_ONLY };
  return {
    ort, options, threads,
    profile: (model, feeds, calls, isSe) => profileSession(ort, options, model, feeds, calls, isSe),
    detail: `onnxruntime-node ${version(ort, 'node')}, CPU provider, ${threads} thread${threads === 1 ? '' : 's'}, graph optimisation ${level}`,
  };
}

/** The bundled WebGPU provider. */
export async function nodeWebGpu(): Promise<OrtRuntime> {
  // The harness's Dawn finds the adapter first and, without a GPU, points VK_ICD_FILENAMES at SwiftShader:
  // ORT's own Dawn, created later in this process, reads the same variable.
  const dawn = await nodeWebGpuHost();
  if (!dawn.ok) throw new OrtUnavailable(dawn.reason, dawn.installHint);
  const level = ortGraphOptimization();
  const ort = await importPackage();
  const backends = (ort as unknown as { listSupportedBackends?: () => { name: string }[] }).listSupportedBackends?.() ?? [];
  if (!backends.some((b) => b.name === 'webgpu')) throw new OrtUnavailable('this onnxruntime-node build has no WebGPU provider', 'onnxruntime-node >= 1.22 on Linux x64, Windows or macOS');
  return {
    ort, options: { executionProviders: ['webgpu'], graphOptimizationLevel: level, logSeverityLevel: LOG_ERRORS_ONLY },
    detail: `onnxruntime-node ${version(ort, 'node')}, WebGPU provider (its own Dawn${process.env.VK_ICD_FILENAMES ? `, VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}` : ''}), graph optimisation ${level}`,
  };
}

/** The CUDA provider, when its libraries were installed. */
export async function nodeCuda(): Promise<OrtRuntime> {
  const level = ortGraphOptimization();
  const ort = await importPackage();
  const { createRequire } = await import('node:module');
  const { existsSync, readdirSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const binDir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin');
  const libs = existsSync(binDir) ? readdirSync(binDir, { recursive: true }).map(String).filter((f) => /libonnxruntime_providers_cuda\.so$/.test(f)) : [];
  if (libs.length === 0) throw new OrtUnavailable(`the CUDA provider library (libonnxruntime_providers_cuda.so) is not installed under ${binDir}`, CUDA_HINT);
  return {
    ort, options: { executionProviders: ['cuda'], graphOptimizationLevel: level, logSeverityLevel: LOG_ERRORS_ONLY },
    detail: `onnxruntime-node ${version(ort, 'node')}, CUDA provider, graph optimisation ${level}`,
  };
}

