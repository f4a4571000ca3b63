/**
 * Fitting one case to a user's ONNX file: whether the file was made for the
 * case's spec (the weight shapes, then the variant its operators show), and
 * the model with the case's weights swapped in. A case the file was not made
 * for is declined with the reason (the cell reads `unsupported`), never run
 * as something else.
 */
import onnxProto from 'onnx-proto';
import type { Tensor } from '../../data/tensor.ts';
import type { Weights } from '../../data/weights.ts';
import { hiddenWidth, type SeSpec } from '../../model/spec.ts';
import type { OnnxFile, WeightSlot } from './model.ts';

const { onnx } = onnxProto;

const shape = (dims: readonly number[]) => `[${dims.join(', ')}]`;
const squeezed = (dims: readonly number[]) => dims.filter((d) => d !== 1);

/** The golden tensor as the slot stores it: transposed for an [in, out] slot (first dim the rows, the rest the columns). */
function oriented(t: Tensor, slot: WeightSlot): Tensor {
  if (!slot.transposed || t.shape.length < 2) return t;
  const rows = t.shape[0]!;
  const cols = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c]!;
  return { shape: [cols, rows], data: out };
}

/** Operators by what they mean for the SE variant. */
const AVG = ['GlobalAveragePool', 'ReduceMean', 'AveragePool'];
const MAX = ['GlobalMaxPool', 'ReduceMax', 'MaxPool'];

/** What the graph's operators show: op counts, and Sigmoids inside an x * Sigmoid(x) (SiLU) apart from plain ones. */
function operators(file: OnnxFile): { has: (ops: string[]) => boolean; plainSigmoids: number; silus: number } {
  const ops = new Set(file.nodes.map((n) => n.op));
  let plainSigmoids = 0;
  let silus = 0;
  for (const n of file.nodes) {
    if (n.op !== 'Sigmoid') continue;
    const [x, s] = [n.inputs[0], n.outputs[0]];
    const silu = file.nodes.some((m) => m.op === 'Mul' && m.inputs.includes(x!) && m.inputs.includes(s!));
    if (silu) silus++;
    else plainSigmoids++;
  }
  return { has: (list) => list.some((o) => ops.has(o)), plainSigmoids, silus };
}

/** Why the graph's operators cannot compute `spec`'s squeeze, hidden activation and gate, or undefined. */
function variantMismatch(file: OnnxFile, spec: SeSpec): string | undefined {
  const ops = operators(file);
  const avg = ops.has(AVG);
  const max = ops.has(MAX);
  if (spec.squeeze === 'avg' && !avg) return `the case squeezes by average, the graph has no ${AVG.join(' / ')} node`;
  if (spec.squeeze === 'max' && !max) return `the case squeezes by max, the graph has no ${MAX.join(' / ')} node`;
  if (spec.squeeze === 'none' && (avg || max)) return 'the case has no squeeze (NoSqueeze), the graph pools';
  const gateSigmoids = spec.gate === 'sigmoid' ? 1 : 0;
  if (spec.gate === 'hardsigmoid' && !ops.has(['HardSigmoid'])) return 'the case\'s gate is hardsigmoid, the graph has no HardSigmoid node';
  if (spec.gate === 'sigmoid' && ops.plainSigmoids < 1) return 'the case\'s gate is sigmoid, the graph has no Sigmoid node (outside a SiLU)';
  if (hiddenWidth(spec) === 0) return undefined;
  switch (spec.hiddenActivation) {
    case 'relu': return ops.has(['Relu']) ? undefined : 'the case\'s hidden activation is relu, the graph has no Relu node';
    case 'tanh': return ops.has(['Tanh']) ? undefined : 'the case\'s hidden activation is tanh, the graph has no Tanh node';
    case 'silu': return ops.silus > 0 ? undefined : 'the case\'s hidden activation is silu, the graph has no x * Sigmoid(x)';
    case 'sigmoid': return ops.plainSigmoids > gateSigmoids ? undefined : 'the case\'s hidden activation is sigmoid, the graph has no Sigmoid besides the gate\'s';
    default: return undefined;
  }
}

/**
 * Why `file` was not made for this case (channels, hidden width, biases,
 * squeeze, activation, gate), or undefined when it fits. The harness has
 * checked `weights` against the spec.
 */
export function declineReason(file: OnnxFile, spec: SeSpec, weights: Weights): string | undefined {
  const c = file.input.dims[1];
  const theCase = `this case has ${spec.channels} channels, hidden width ${hiddenWidth(spec)}`;
  if (typeof c === 'number' && c !== spec.channels) return `the graph's input "${file.input.name}" has ${c} channels; ${theCase}`;
  for (const slot of file.slots) {
    const w = weights[slot.golden];
    const want = w && oriented(w, slot).shape;
    if (want && shape(squeezed(want)) !== shape(squeezed(slot.dims))) {
      const which = slot.name === slot.golden ? `"${slot.name}"` : `"${slot.name}" (${slot.golden})`;
      return `the graph's ${which} is ${shape(slot.dims)}, this case's is ${shape(want)}${slot.transposed ? ' (transposed: the graph stores it [in, out])' : ''}; ${theCase}`;
    }
  }
  const extra = file.slots.filter((s) => !weights[s.golden]).map((s) => s.golden);
  if (extra.length) return `the graph has ${extra.join(', ')}, this case has none (bias1 ${spec.bias1}, bias2 ${spec.bias2})`;
  const held = new Set(file.slots.map((s) => s.golden));
  const missing = Object.keys(weights).filter((g) => !held.has(g));
  if (missing.length) return `this case has ${missing.join(', ')}, the graph has no initializer or input for ${missing.length > 1 ? 'them' : 'it'} (--onnx-map names one)`;
  return variantMismatch(file, spec);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function float32Bytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** A weight input's value for each run. */
export interface WeightFeed {
  name: string;
  dims: number[];
  data: Float32Array;
}

/**
 * The file's model with `weights` in its initializers (in the slot's dims,
 * transposed where the slot stores [in, out]), and the feeds of its weight
 * inputs. Call declineReason first.
 */
export function modelWith(file: OnnxFile, weights: Weights): { model: Uint8Array; feeds: WeightFeed[] } {
  const model = onnx.ModelProto.decode(file.bytes);
  const inits = new Map((model.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
  const feeds: WeightFeed[] = [];
  for (const slot of file.slots) {
    const data = oriented(weights[slot.golden]!, slot).data;
    if (slot.fed) feeds.push({ name: slot.name, dims: slot.dims, data });
    const t = inits.get(slot.name);
    if (!t) continue;
    Object.assign(t, { dims: slot.dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: float32Bytes(data), floatData: [], externalData: [], dataLocation: onnx.TensorProto.DataLocation.DEFAULT });
  }
  return { model: new Uint8Array(onnx.ModelProto.encode(model).finish()), feeds };
}
