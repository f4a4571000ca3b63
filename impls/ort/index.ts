/** The Node-side ONNX Runtime implementations (harness/cli/builtins.ts registers them; page.ts has the browser ones). */
import { createSession, hostTensor, inputTensor, OrtImplementation, type OrtOptions } from './implementation.ts';
import { nodeCpu, nodeCuda, nodeWebGpu } from './runtimes-node.ts';
import { webWasm } from './runtimes-web.ts';

export { OrtImplementation };
/** The session glue of the built-ins, which a user's ONNX file (--impl-onnx) runs through too. */
export const ORT_SESSION_GLUE = { createSession, hostTensor, inputTensor };

const HINT = 'npm install onnxruntime-node onnxruntime-web (se-bench\'s dependencies; ONNXRUNTIME_NODE_INSTALL=skip offline)';

/**
 * ort-cpu, ort-wasm, ort-webgpu, ort-cuda: each one's name, device, description and loader. The composition
 * root also runs a user's ONNX file (--impl-onnx) on the loaders of the first three (harness/cli/builtins.ts).
 */
export const ORT_NODE_RUNTIMES: readonly OrtOptions[] = [
  { name: 'ort-cpu', device: 'cpu', description: 'ONNX Runtime (onnxruntime-node), CPU execution provider (MLAS)', load: nodeCpu, installHint: HINT },
  { name: 'ort-wasm', device: 'cpu', description: 'ONNX Runtime Web (onnxruntime-web), wasm backend in Node', load: () => webWasm(), installHint: HINT },
  { name: 'ort-webgpu', device: 'webgpu', description: 'ONNX Runtime (onnxruntime-node), WebGPU execution provider (any adapter)', load: nodeWebGpu, installHint: HINT },
  { name: 'ort-cuda', device: 'gpu', description: 'ONNX Runtime (onnxruntime-node), CUDA execution provider', load: nodeCuda, installHint: HINT },
];

export function ortImplementations(): OrtImplementation[] {
  return ORT_NODE_RUNTIMES.map((o) => new OrtImplementation(o));
}
