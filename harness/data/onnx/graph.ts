/**
 * A small ONNX graph builder over onnx-proto's generated protobufjs classes:
 * the exporters name values and nodes, this file turns them into a
 * ModelProto. No Node APIs, so the browser page can bundle it too.
 */
import onnxProto from 'onnx-proto';
import { ONNX_IR_VERSION, ONNX_OPSET } from './names.ts';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** One dimension of a declared input or output: a size, a symbolic name (dim_param), or null for unknown. */
export type Dim = number | string | null;

/** Extra model-level text: the model's doc string and metadata_props entries. */
export interface OnnxExportOptions {
  docString?: string;
  metadata?: Record<string, string>;
}

const { AttributeType } = onnx.AttributeProto;

/** Node attributes, typed as ONNX wants them (an int is not a float). */
export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints }),
  float: (name: string, f: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f }),
};

/** Joins a name prefix (a block such as `layer1.0`, or '' for a standalone block) and a name. */
export function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 values as ONNX raw_data, which is little-endian whatever the host is; no copy on little-endian hosts. */
function float32Bytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function valueInfo(name: string, dims: readonly Dim[]): ValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}

/**
 * Collects inputs, float32 initializers, nodes and outputs in topological
 * order. Every value and node name is checked to be new and every node input
 * to exist already, so an exporter bug fails here with the name rather than
 * in a runtime's loader.
 */
export class GraphBuilder {
  readonly #nodes: NodeProto[] = [];
  readonly #initializers: TensorProto[] = [];
  readonly #inputs: ValueInfoProto[] = [];
  readonly #outputs: ValueInfoProto[] = [];
  readonly #values = new Set<string>();
  readonly #nodeNames = new Set<string>();

  constructor(readonly name: string) {}

  #define(value: string): string {
    if (this.#values.has(value)) throw new Error(`ONNX export: value "${value}" is defined twice (exporter bug)`);
    this.#values.add(value);
    return value;
  }

  /** Declares a float32 graph input. */
  input(name: string, dims: readonly Dim[]): string {
    this.#inputs.push(valueInfo(name, dims));
    return this.#define(name);
  }

  /** Adds a float32 initializer (stored as raw_data) and returns its name; `dims` may reshape the data (same order). */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`ONNX export: ${name} has ${data.length} values, [${dims.join(', ')}] needs ${size}`);
    this.#initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: float32Bytes(data) });
    return this.#define(name);
  }

  /** Adds a node with one output, named `output` (default: the node's name), and returns the output's name. */
  node(opType: string, name: string, inputs: string[], attributes: AttributeProto[] = [], output = name): string {
    if (this.#nodeNames.has(name)) throw new Error(`ONNX export: node "${name}" is defined twice (exporter bug)`);
    for (const i of inputs) if (!this.#values.has(i)) throw new Error(`ONNX export: node "${name}" reads "${i}", which is not defined yet (exporter bug)`);
    this.#nodeNames.add(name);
    this.#nodes.push({ name, opType, input: inputs, output: [output], attribute: attributes });
    return this.#define(output);
  }

  /** Declares graph output `name` holding `value` (through an Identity node when the names differ). */
  output(value: string, name: string, dims: readonly Dim[]): void {
    if (value !== name) this.node('Identity', name, [value]);
    this.#outputs.push(valueInfo(name, dims));
  }

  /**
   * The serialised ModelProto (IR ONNX_IR_VERSION, default domain at
   * ONNX_OPSET), in memory of its own: protobufjs returns a Node Buffer, often
   * a view into a slab shared with other small messages, whose `slice()` is a
   * view too, so a caller editing a "copy" would edit the model.
   */
  encode(options: OnnxExportOptions = {}): Uint8Array {
    const metadataProps = Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value }));
    const bytes = onnx.ModelProto.encode({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'se-bench',
      docString: options.docString ?? '',
      metadataProps,
      graph: {
        name: this.name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    }).finish();
    return new Uint8Array(bytes);
  }
}
