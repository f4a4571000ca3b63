/**
 * The exported graphs' fixed versions and output names: the contract between
 * the exporter (harness/data/onnx) and whoever runs the graphs (ONNX Runtime
 * implementations, `se-bench export` users).
 */
import { layerNetSes } from '../../model/layers.ts';
import { isLayerNet, networkBlocks, type NetworkSpec } from '../../model/network.ts';
import type { BottleneckSpec } from '../../model/bottleneck.ts';
import type { SeSpec } from '../../model/spec.ts';

/**
 * Default-domain opset of every exported graph. Fixed (not "latest") so a
 * graph means the same on every runtime; 17 is the newest opset Debian's
 * python3-onnx 1.12 checker knows, and it has everything used here
 * (Shape with start/end needs 15, BatchNormalization without training outputs 15).
 */
export const ONNX_OPSET = 17;

/** IR version of every exported model: 8 is what onnx 1.12 (opset 17) writes and its checker accepts. */
export const ONNX_IR_VERSION = 8;

/** The only graph input: float32 NCHW activations (N, H, W symbolic). */
export const INPUT_NAME = 'x';

/** SE block and bottleneck output (the block's result). */
export const Y_OUTPUT = 'y';

/** SE block and bottleneck gate output: [N, C] (avg/max squeeze) or the SE input's shape (squeeze "none"). */
export const GATE_OUTPUT = 'gate';

/** Network classifier output, [N, classes]. */
export const LOGITS_OUTPUT = 'logits';

/** Prefix of a network's stage outputs: `stage.layer1` .. `stage.layer4` (the last block of each layer). */
export const STAGE_OUTPUT_PREFIX = 'stage.';

/** Prefix of a network's SE gate outputs, one per SE block: `gate.layer1.0`. */
export const GATE_OUTPUT_PREFIX = 'gate.';

/** What can be exported: the same kind/spec pair a golden case carries. */
export type OnnxModelSpec =
  | { kind: 'se'; spec: SeSpec }
  | { kind: 'bottleneck'; spec: BottleneckSpec }
  | { kind: 'network'; spec: NetworkSpec };

/** The graph output names an export of `model` has, in graph order. */
export function onnxOutputNames(model: OnnxModelSpec): string[] {
  switch (model.kind) {
    case 'se': return [Y_OUTPUT, GATE_OUTPUT];
    case 'bottleneck': return model.spec.position === 'none' ? [Y_OUTPUT] : [Y_OUTPUT, GATE_OUTPUT];
    case 'network': {
      if (isLayerNet(model.spec)) {
        return [
          LOGITS_OUTPUT,
          ...[...new Set(model.spec.trunk.map((t) => t.stage))].map((s) => `${STAGE_OUTPUT_PREFIX}${s}`),
          ...layerNetSes(model.spec).map((s) => `${GATE_OUTPUT_PREFIX}${s.layer.name}`),
        ];
      }
      const blocks = networkBlocks(model.spec);
      const stages = [...new Set(blocks.map((b) => b.name.split('.')[0]!))];
      return [
        LOGITS_OUTPUT,
        ...stages.map((s) => `${STAGE_OUTPUT_PREFIX}${s}`),
        ...blocks.filter((b) => b.spec.se).map((b) => `${GATE_OUTPUT_PREFIX}${b.name}`),
      ];
    }
  }
}
