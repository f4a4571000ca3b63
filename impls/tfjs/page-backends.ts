/**
 * tfjs backends inside the page: the browser counterpart of
 * backends.ts's loaders (which are written for Node: they read the
 * wasm files from disk and install Dawn as navigator.gpu). Here the wasm
 * files come from the se-bench server and WebGPU is Chromium's own.
 * initialiseBackend and withBackend (the engine switching queue) are reused.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Registers the 'webgpu' backend when navigator.gpu exists; the adapter is requested at setBackend.
import '@tensorflow/tfjs-backend-webgpu';
import { BackendUnavailable, initialiseBackend, type Tf, type TfjsBackend } from './backends.ts';

const WEBGPU_HINT = 'a GPU with a WebGPU-capable driver, or Chromium\'s SwiftShader (se-bench passes --use-webgpu-adapter=swiftshader '
  + 'when no GPU device is present; SE_BENCH_BROWSER_WEBGPU=swiftshader forces it)';

/** Page-side backends the browser implementations use. */
export type PageBackendKind = 'cpu' | 'wasm' | 'webgpu';

const api = tf as unknown as Tf;

/** The adapter tfjs-backend-webgpu will get (it asks for high-performance), as one line; throws BackendUnavailable when there is none. */
async function adapterLine(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new BackendUnavailable(`navigator.gpu is missing (secure context: ${isSecureContext}); Chromium needs --enable-unsafe-webgpu on Linux`, WEBGPU_HINT);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new BackendUnavailable('navigator.gpu.requestAdapter() returned null: Chromium found no WebGPU adapter', WEBGPU_HINT);
  const info = adapter.info;
  const fallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const name = [info.vendor, info.architecture, info.description || info.device].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${fallback ? ' (fallback adapter)' : ''}`;
}

async function loadCpu(): Promise<TfjsBackend> {
  await initialiseBackend(api, 'cpu');
  // The cpu backend's one-time console advice to install tfjs-node does not apply in a page.
  const cpu = api.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
  return { tf: api, name: 'cpu', detail: `tfjs ${api.version_core}, plain JS kernels` };
}

async function loadWasm(): Promise<TfjsBackend> {
  // The server serves node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm under /wasm/.
  setWasmPaths(`${location.origin}/wasm/`);
  await initialiseBackend(api, 'wasm');
  const simd = Boolean(await api.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const multithread = Boolean(await api.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const threads = getThreadsCount();
  // The threaded build needs SharedArrayBuffer, i.e. a cross-origin isolated page (server.ts sends COOP/COEP).
  const build = multithread && simd ? 'threaded SIMD build' : simd ? 'SIMD build' : 'plain build';
  const why = multithread ? '' : crossOriginIsolated ? ' (no wasm threads here)' : ' (page not cross-origin isolated)';
  return { tf: api, name: 'wasm', detail: `tfjs ${api.version_core}, ${build}, ${threads} thread${threads === 1 ? '' : 's'}${why}` };
}

async function loadWebGpu(): Promise<TfjsBackend> {
  const line = await adapterLine();
  await initialiseBackend(api, 'webgpu');
  return { tf: api, name: 'webgpu', detail: `tfjs ${api.version_core}, adapter ${line}` };
}

const LOADERS: Record<PageBackendKind, () => Promise<TfjsBackend>> = { cpu: loadCpu, wasm: loadWasm, webgpu: loadWebGpu };
const loads = new Map<PageBackendKind, Promise<TfjsBackend>>();

/** The backend, initialised once per page (a failure too: its reason is kept). */
export function loadPageBackend(kind: PageBackendKind): Promise<TfjsBackend> {
  let p = loads.get(kind);
  if (!p) {
    p = LOADERS[kind]();
    loads.set(kind, p);
  }
  return p;
}
