/**
 * se-bench's model descriptions as ONNX graphs (opset ONNX_OPSET, IR
 * ONNX_IR_VERSION), built with onnx-proto's generated protobuf classes:
 * one SE block, one bottleneck, or a whole network, with the harness's
 * output contract (y / gate; logits / stage.* / gate.*).
 */
import type { Weights } from '../weights.ts';
import { bottleneckOnnx } from './bottleneck.ts';
import type { OnnxExportOptions } from './graph.ts';
import type { OnnxModelSpec } from './names.ts';
import { networkOnnx } from './network.ts';
import { seOnnx } from './se.ts';

export { bottleneckOnnx } from './bottleneck.ts';
export type { Dim, OnnxExportOptions } from './graph.ts';
export {
  GATE_OUTPUT, GATE_OUTPUT_PREFIX, INPUT_NAME, LOGITS_OUTPUT, ONNX_IR_VERSION, ONNX_OPSET, onnxOutputNames,
  STAGE_OUTPUT_PREFIX, Y_OUTPUT, type OnnxModelSpec,
} from './names.ts';
export { networkOnnx } from './network.ts';
export { seOnnx } from './se.ts';
export { dimsText, onnxSignature, type OnnxSignature, type OnnxValueSignature } from './signature.ts';

/** ONNX bytes for any exportable model (an SE block, a bottleneck or a network), e.g. a golden case's kind and spec. */
export function exportOnnx(model: OnnxModelSpec, weights: Weights, options: OnnxExportOptions = {}): Uint8Array {
  switch (model.kind) {
    case 'se': return seOnnx(model.spec, weights, options);
    case 'bottleneck': return bottleneckOnnx(model.spec, weights, options);
    case 'network': return networkOnnx(model.spec, weights, options);
    default: throw new Error(`ONNX export: unknown model kind ${JSON.stringify((model as { kind: unknown }).kind)} (se, bottleneck, network)`);
  }
}
