// The package's main export ('se-bench') for plain Node: loads harness/api.ts through tsx, scoped to this import
// (tsImport: no loader is registered for the rest of the caller's process). TypeScript users get the types from
// harness/api.ts directly (package.json "types"). test/package.test.ts checks this list against the module.
import { tsImport } from 'tsx/esm/api';

const api = await tsImport('../harness/api.ts', import.meta.url);
export const {
  API_VERSION, DEVICE_KINDS, isUnsupported, LAYOUTS, PRECISIONS, UnsupportedError,
  dims4, fromLayout, sizeOf, tensor, toLayout, weightsUnder,
  hiddenWidth, makeSeSpec, seWeightShapes,
  BN_EPS, bottleneckWeightShapes, hasProjection, isLayerNet, layerNetSes, networkBlocks, networkWeightShapes,
  adapterLine, installNavigatorGpu, nodeWebGpu, AssembleError, assembleWat, simdSupported,
  bottleneckOnnx, exportOnnx, GATE_OUTPUT_PREFIX, networkOnnx, ONNX_OPSET, seOnnx, STAGE_OUTPUT_PREFIX,
} = api;
