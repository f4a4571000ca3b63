/**
 * The composition root: the one module that names the built-in
 * implementations. Everything else reaches implementations through the
 * registry this builds (harness/cli/implementations.ts adds the plug-ins).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SeImplementation } from '../contract/implementation.ts';
import { BrowserImplementation } from '../host/browser/implementation.ts';
import type { BrowserHost } from '../host/browser/driver.ts';
import type { RuntimeKind } from '../host/onnx-file/index.ts';
import { ReferenceImplementation } from '../../impls/reference/index.ts';
import { tfjsImplementations } from '../../impls/tfjs/index.ts';
import { WasmSimdImplementation } from '../../impls/wasm-simd/index.ts';
import { parseWasmThreads } from '../../impls/wasm-simd/thread-plan.ts';
import { UsageError } from '../data/select.ts';
import { WgslImplementation } from '../../impls/wgsl/index.ts';
import { ORT_NODE_RUNTIMES, ORT_SESSION_GLUE, ortImplementations } from '../../impls/ort/index.ts';

/** Page modules bundled into every browser page (absolute paths); --page-module adds more. */
export const BUILTIN_PAGE_MODULES: readonly string[] = [
  fileURLToPath(new URL('../../impls/reference/page.ts', import.meta.url)),
  fileURLToPath(new URL('../../impls/tfjs/page.ts', import.meta.url)),
  fileURLToPath(new URL('../../impls/ort/page.ts', import.meta.url)),
];

/**
 * The built-in page modules' implementations as Node lists them, known
 * without starting Chromium (a page module's own implementations are only
 * known once the page has loaded it). A test checks this against the page.
 */
export function builtinBrowserImplementations(host?: BrowserHost): BrowserImplementation[] {
  const h = host ? { host } : {};
  const [reference, tfjs, ort] = BUILTIN_PAGE_MODULES as [string, string, string];
  return [
    new BrowserImplementation({ name: 'browser-reference', page: 'reference', module: reference, layout: 'NCHW', precision: 'fp64', description: 'naive JS, float64 accumulation, in Chromium', ...h }),
    new BrowserImplementation({ name: 'browser-tfjs-cpu', page: 'tfjs-cpu', module: tfjs, layout: 'NHWC', precision: 'fp32', description: 'TensorFlow.js cpu backend, in Chromium', ...h }),
    new BrowserImplementation({ name: 'browser-tfjs-wasm', page: 'tfjs-wasm', module: tfjs, layout: 'NHWC', precision: 'fp32', description: 'TensorFlow.js wasm backend (XNNPACK), in Chromium', ...h }),
    new BrowserImplementation({ name: 'browser-tfjs-webgpu', page: 'tfjs-webgpu', module: tfjs, layout: 'NHWC', precision: 'fp32', description: 'TensorFlow.js webgpu backend on Chromium\'s WebGPU (any adapter)', ...h }),
    new BrowserImplementation({ name: 'browser-ort-wasm', page: 'ort-wasm', module: ort, layout: 'NCHW', precision: 'fp32', description: 'ONNX Runtime Web, wasm backend, in Chromium', ...h }),
    new BrowserImplementation({ name: 'browser-ort-webgpu', page: 'ort-webgpu', module: ort, layout: 'NCHW', precision: 'fp32', description: 'ONNX Runtime Web, WebGPU backend on Chromium\'s WebGPU (any adapter)', ...h }),
  ];
}

/** wasm-simd-mt's thread cap: SE_BENCH_WASM_THREADS, else the cores; a bad value is a UsageError (exit 2). */
export function wasmSimdThreads(): number {
  const t = parseWasmThreads(process.env.SE_BENCH_WASM_THREADS, availableParallelism());
  if (typeof t !== 'number') throw new UsageError(t.error);
  return t;
}

/** Every built-in implementation (available or not; backends start lazily, in probe), in listing order. */
export function builtinImplementations(): SeImplementation[] {
  const wasmThreads = wasmSimdThreads();
  return [
    new ReferenceImplementation(),
    ...tfjsImplementations(),
    new WgslImplementation(), // wgsl-fused: hand-written WGSL on Dawn
    new WasmSimdImplementation(), // wasm-simd: one thread
    new WasmSimdImplementation({ threads: wasmThreads }), // wasm-simd-mt: up to one thread per core (SE_BENCH_WASM_THREADS), chosen per workload
    ...ortImplementations(), // ort-cpu, ort-wasm, ort-webgpu, ort-cuda: ONNX Runtime on se-bench's ONNX export
    ...builtinBrowserImplementations(),
  ];
}

/** The ONNX Runtime back ends a user's ONNX file runs on (--impl-onnx): the loaders of ort-cpu, ort-wasm and ort-webgpu. */
export function ortFileRuntimes(): RuntimeKind[] {
  return ORT_NODE_RUNTIMES.filter((o) => o.name !== 'ort-cuda').map((o) => ({
    builtin: o.name, device: o.device, description: o.description, load: o.load, installHint: o.installHint, glue: ORT_SESSION_GLUE,
  }));
}
