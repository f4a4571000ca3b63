/**
 * se-bench's public contract: everything an SE implementation needs, and the
 * only harness module the built-in implementations (impls/) and outside
 * plug-ins (--impl-module, --page-module) import. Published as the package's
 * main export (`import { seWeightShapes } from 'se-bench'`); README's "Bring
 * your own implementation" documents each field.
 */
export {
  API_VERSION, DEVICE_KINDS, isUnsupported, LAYOUTS, PRECISIONS, UnsupportedError,
  type Availability, type BlockOutput, type DeviceKind, type ImplementationExport, type InPageTimer, type NetworkOutput,
  type KindedSpec, type OperatorProfile, type OperatorTimes, type Precision, type PreparedBlock, type PreparedNetwork, type SeImplementation, type SpecKind, type Weights,
} from './contract/implementation.ts';
export { dims4, fromLayout, sizeOf, tensor, toLayout, type Layout, type Tensor } from './data/tensor.ts';
export { weightsUnder } from './data/weights.ts';
export {
  hiddenWidth, makeSeSpec, seWeightShapes,
  type Gate, type HiddenActivation, type ReductionRule, type SeSpec, type Squeeze, type WeightLayout,
} from './model/spec.ts';
export { BN_EPS, bottleneckWeightShapes, hasProjection, type BottleneckSpec, type SePosition } from './model/bottleneck.ts';
export { isLayerNet, networkBlocks, networkWeightShapes, type NetworkBlock, type NetworkSe, type NetworkSpec, type ResNetSpec } from './model/network.ts';
export { layerNetSes, type BlockLayer, type ConvLayer, type HeadLayer, type LayerActivation, type LayerNetSpec, type SeLayer, type TrunkLayer } from './model/layers.ts';
export { adapterLine, installNavigatorGpu, nodeWebGpu, type AdapterReport, type NodeWebGpu } from './host/webgpu-node.ts';
export { AssembleError, assembleWat, simdSupported } from './host/wat.ts';
export {
  bottleneckOnnx, exportOnnx, GATE_OUTPUT_PREFIX, networkOnnx, ONNX_OPSET, seOnnx, STAGE_OUTPUT_PREFIX, type OnnxModelSpec,
} from './data/onnx/index.ts';
