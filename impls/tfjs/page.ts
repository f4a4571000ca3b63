/**
 * Page module (browser device): TensorFlow.js on the page's cpu, wasm and
 * webgpu backends, listed as `browser-tfjs-cpu`, `browser-tfjs-wasm`,
 * `browser-tfjs-webgpu`.
 */
import { TfjsImplementation } from './index.ts';
import { loadPageBackend, type PageBackendKind } from './page-backends.ts';

const DESCRIPTIONS: Record<PageBackendKind, string> = {
  cpu: 'TensorFlow.js cpu backend, in Chromium',
  wasm: 'TensorFlow.js wasm backend (XNNPACK), in Chromium',
  webgpu: 'TensorFlow.js webgpu backend on Chromium\'s WebGPU (any adapter)',
};

export default (Object.keys(DESCRIPTIONS) as PageBackendKind[]).map((backend) => new TfjsImplementation({
  name: `tfjs-${backend}`, device: 'browser', backend, description: DESCRIPTIONS[backend], load: () => loadPageBackend(backend),
}));
