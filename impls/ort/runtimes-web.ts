/** onnxruntime-web's backends: wasm (in Node and in the page) and WebGPU (in the page). */
import type * as Ort from 'onnxruntime-common';
import { ortGraphOptimization, importFailure, LOG_ERRORS_ONLY, ortThreads, OrtUnavailable, version, type OrtRuntime } from './runtimes.ts';

async function importPackage(): Promise<typeof Ort> {
  try {
    const ort = await import('onnxruntime-web') as unknown as typeof Ort;
    // Warnings (e.g. "some nodes were not assigned to the preferred execution provider") go to console.error in a
    // page, which the browser device treats as a failure of the running call: only errors are logged.
    ort.env.logLevel = 'error';
    return ort;
  } catch (e) {
    throw importFailure('onnxruntime-web', e);
  }
}

/** onnxruntime-web's wasm backend; in a page, `wasmPaths` says where its .wasm and .mjs files are served. */
export async function webWasm(wasmPaths?: string): Promise<OrtRuntime> {
  const level = ortGraphOptimization();
  const ort = await importPackage();
  const threads = ortThreads();
  ort.env.wasm.numThreads = threads;
  if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
  return {
    ort, options: { executionProviders: ['wasm'], graphOptimizationLevel: level, logSeverityLevel: LOG_ERRORS_ONLY },
    threads,
    detail: `onnxruntime-web ${version(ort, 'web')}, wasm backend (SIMD), ${threads} thread${threads === 1 ? '' : 's'}, graph optimisation ${level}`,
  };
}

/** onnxruntime-web's WebGPU backend (a page: Chromium's navigator.gpu). */
export async function webWebGpu(wasmPaths?: string): Promise<OrtRuntime> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) throw new OrtUnavailable('navigator.gpu is missing: no WebGPU here', 'a browser with WebGPU (se-bench starts Chromium with it)');
  if (!(await gpu.requestAdapter())) throw new OrtUnavailable('navigator.gpu.requestAdapter() returned null', 'a GPU with a WebGPU driver, or Chromium\'s SwiftShader');
  const level = ortGraphOptimization();
  const ort = await importPackage();
  if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
  return {
    ort, options: { executionProviders: ['webgpu'], graphOptimizationLevel: level, logSeverityLevel: LOG_ERRORS_ONLY },
    detail: `onnxruntime-web ${version(ort, 'web')}, WebGPU backend, graph optimisation ${level}`,
  };
}

