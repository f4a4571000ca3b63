/**
 * Page module (browser device): ONNX Runtime Web inside Chromium, listed as
 * `browser-ort-wasm` and `browser-ort-webgpu`. The page server serves
 * onnxruntime-web's .wasm and .mjs files under /ort/ (harness/host/browser/server.ts).
 */
import { OrtImplementation } from './implementation.ts';
import { webWasm, webWebGpu } from './runtimes-web.ts';

const wasmPaths = () => `${location.origin}/ort/`;
const HINT = 'see the reason (onnxruntime-web is a se-bench dependency)';

export default [
  new OrtImplementation({ name: 'ort-wasm', device: 'browser', description: 'ONNX Runtime Web, wasm backend, in Chromium', load: () => webWasm(wasmPaths()), installHint: HINT }),
  new OrtImplementation({ name: 'ort-webgpu', device: 'browser', description: 'ONNX Runtime Web, WebGPU backend on Chromium\'s WebGPU (any adapter)', load: () => webWebGpu(wasmPaths()), installHint: HINT }),
];
