/**
 * Loading TensorFlow.js and its backends in Node, once per process each.
 *
 * tfjs has one global engine whose current backend every op uses, so
 * `withBackend` serialises all tfjs work and switches the engine to the
 * backend of the implementation that asks. Tensors stay on the backend they
 * were created on: a prepared block's weights are created and used under its
 * own backend only (using them under another would make tfjs copy them over).
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import { adapterLine, installNavigatorGpu, nodeWebGpu } from '../../harness/api.ts';

/** The tfjs API (tfjs-core's namespace; tfjs-node exports a superset). */
export type Tf = typeof TfCore;

/** Which tfjs backend an implementation runs on. */
export type TfjsBackendKind = 'cpu' | 'wasm' | 'webgpu' | 'node' | 'node-gpu';

/** A backend that initialised: the tfjs API to call and the engine's name for it. */
export interface TfjsBackend {
  tf: Tf;
  /** Engine backend name: cpu, wasm, webgpu, tensorflow. */
  name: string;
  /** One line for listings: versions, SIMD/threads, adapter. */
  detail: string;
  /** Compute threads, where the backend says (cpu: 1; wasm: its thread count). */
  threads?: number;
}

/** A backend that cannot run here, with what would fix it. */
export class BackendUnavailable extends Error {
  constructor(message: string, readonly installHint: string) {
    super(message);
    this.name = 'BackendUnavailable';
  }
}

const require = createRequire(import.meta.url);
const NPM_HINT = (pkg: string) => `npm install ${pkg} (se-bench pins tfjs 4.22.0; keep every @tensorflow package at one version)`;

async function core(): Promise<Tf> {
  const tf = (await import('@tensorflow/tfjs-core')) as Tf;
  await import('@tensorflow/tfjs-backend-cpu');
  return tf;
}

/**
 * setBackend, turning tfjs's "false plus a console warning" into an error
 * that carries the warning; on failure the engine goes back to cpu.
 */
export async function initialiseBackend(tf: Tf, name: string): Promise<void> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); };
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } finally {
    console.warn = warn;
  }
  if (!ok) {
    // A failed init leaves the engine pointing at a backend that does not exist; go back to cpu.
    await tf.setBackend('cpu').catch(() => false);
    // tfjs warns "Initialization of backend X failed", then the error's stack: keep the stack's first line.
    const cause = warnings.find((w) => !w.startsWith('Initialization of backend'))?.split('\n')[0]?.trim();
    throw new Error(`tfjs could not initialise backend "${name}": ${cause || 'no reason given'}`);
  }
}

async function loadCpu(): Promise<TfjsBackend> {
  const tf = await core();
  await initialiseBackend(tf, 'cpu');
  // The cpu backend's one-time advice to install tfjs-node: se-bench lists tfjs-node as its own implementation.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
  return { tf, name: 'cpu', detail: `tfjs ${tf.version_core}, plain JS kernels`, threads: 1 };
}

async function loadWasm(): Promise<TfjsBackend> {
  const tf = await core();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm files load from disk; the prefix is the package's dist/ folder.
  const dist = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}${sep}dist${sep}`;
  wasm.setWasmPaths(dist);
  await initialiseBackend(tf, 'wasm');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = wasm.getThreadsCount();
  return { tf, name: 'wasm', detail: `tfjs ${tf.version_core}, SIMD ${simd ? 'yes' : 'no'}, threads ${threads > 1 ? threads : 'no (1)'}`, threads };
}

async function loadWebGpu(): Promise<TfjsBackend> {
  const w = await nodeWebGpu();
  if (!w.ok) throw new BackendUnavailable(w.reason, w.installHint);
  const tf = await core();
  installNavigatorGpu(w);
  await import('@tensorflow/tfjs-backend-webgpu');
  await initialiseBackend(tf, 'webgpu');
  const via = w.report.icdOverride ? ` via VK_ICD_FILENAMES=${w.report.icdOverride}` : '';
  return { tf, name: 'webgpu', detail: `tfjs ${tf.version_core}, adapter ${adapterLine(w.report)}${via}` };
}

const NODE_PACKAGES = { node: '@tensorflow/tfjs-node', 'node-gpu': '@tensorflow/tfjs-node-gpu' } as const;
let nodePackageLoaded: string | undefined;

async function loadTfjsNode(kind: 'node' | 'node-gpu'): Promise<TfjsBackend> {
  const pkg = NODE_PACKAGES[kind];
  const gpuNeeds = kind === 'node-gpu' ? ' on Linux x64 with an NVIDIA driver, CUDA and cuDNN (versions in its README)' : '';
  const hint = `npm install ${pkg}${gpuNeeds} (not a dependency: its install script downloads libtensorflow)`;
  // Both packages register the same backend name ("tensorflow"); one process can hold only one of them.
  if (nodePackageLoaded && nodePackageLoaded !== pkg) {
    throw new BackendUnavailable(`${nodePackageLoaded} is already loaded in this process and both register backend "tensorflow"`, `run ${pkg} in its own process (--impl=...)`);
  }
  let tf: Tf;
  try {
    // require, not import(): the packages are CommonJS re-exporting all of tfjs, which import() may not list in full.
    tf = require(pkg) as Tf;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new BackendUnavailable(missing ? `${pkg} is not installed` : `${pkg} failed to load: ${(e as Error).message}`, hint);
  }
  nodePackageLoaded = pkg;
  await initialiseBackend(tf, 'tensorflow');
  const usingGpu = Boolean((tf.findBackend('tensorflow') as { isUsingGpuDevice?: boolean } | null)?.isUsingGpuDevice);
  if (kind === 'node-gpu' && !usingGpu) {
    throw new BackendUnavailable(`${pkg} loaded, but TensorFlow found no CUDA GPU and would run on the CPU`, hint);
  }
  return { tf, name: 'tensorflow', detail: `tfjs ${tf.version_core}, ${pkg}, TensorFlow on ${usingGpu ? 'CUDA GPU' : 'CPU'}` };
}

const LOADERS: Record<TfjsBackendKind, () => Promise<TfjsBackend>> = {
  cpu: loadCpu, wasm: loadWasm, webgpu: loadWebGpu, node: () => loadTfjsNode('node'), 'node-gpu': () => loadTfjsNode('node-gpu'),
};
const loads = new Map<TfjsBackendKind, Promise<TfjsBackend>>();

/**
 * The backend, initialised on first call and cached (a failure too: the
 * reason is kept rather than retrying a broken native library). Rejects with
 * BackendUnavailable, or another Error when initialisation itself threw.
 */
export function loadBackend(kind: TfjsBackendKind): Promise<TfjsBackend> {
  let p = loads.get(kind);
  if (!p) {
    p = LOADERS[kind]();
    loads.set(kind, p);
  }
  return p;
}

/** Install hint for a backend that failed in a way its loader did not anticipate. */
export function defaultInstallHint(kind: TfjsBackendKind): string {
  switch (kind) {
    case 'cpu': return NPM_HINT('@tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu');
    case 'wasm': return NPM_HINT('@tensorflow/tfjs-backend-wasm');
    case 'webgpu': return `${NPM_HINT('@tensorflow/tfjs-backend-webgpu webgpu')}; see se-bench devices`;
    default: return NPM_HINT(NODE_PACKAGES[kind]);
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` with the engine switched to `b`, after every earlier call has
 * finished: two implementations interleaving awaits would otherwise run ops
 * on each other's backend.
 */
export function withBackend<T>(b: TfjsBackend, fn: (tf: Tf) => T | Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    // setBackend re-binds every kernel even when the backend is current; skip it then.
    if (b.tf.getBackend() !== b.name || b.tf.findBackend(b.name) === null) {
      if (!(await b.tf.setBackend(b.name))) throw new Error(`tfjs could not switch to backend "${b.name}"`);
    }
    return fn(b.tf);
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
