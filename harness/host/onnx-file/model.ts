/**
 * A user's ONNX file (--impl-onnx), read once when the implementations load:
 * its one data input, its outputs, and its weight slots (float initializers
 * or graph inputs) matched to golden weight names, by name or through
 * --onnx-map. Anything that cannot be matched is one UsageError naming it,
 * before any case runs; match.ts then fits each case's weights in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { UsageError } from '../../data/select.ts';
import { makeSeSpec, seWeightShapes } from '../../model/spec.ts';
import type { OnnxMap } from './map.ts';

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.IGraphProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** A file that cannot be used; the CLI prints the one line and exits 2. */
export class OnnxFileError extends UsageError {
  constructor(readonly path: string, what: string) {
    super(`--impl-onnx=${path}: ${what}`);
    this.name = 'OnnxFileError';
  }
}

/** The golden weight names an SE block's file may hold: fc1.weight, fc1.bias, fc2.weight, fc2.bias. */
export const GOLDEN_SE_WEIGHTS: readonly string[] = Object.keys(seWeightShapes(makeSeSpec({ channels: 8, ratio: 2, bias1: true, bias2: true })));

/** A declared dimension: a size, a symbolic name, or null (unknown). */
export type Dim = number | string | null;

/** Where one golden weight goes in the graph. */
export interface WeightSlot {
  /** Its name in the file. */
  name: string;
  golden: string;
  dims: number[];
  /**
   * A graph input without an initializer (torch's export_params=False): fed on every run. An input that
   * has an initializer too (keep_initializers_as_inputs) gets the weight in the initializer: onnxruntime-web
   * refuses feeds for those.
   */
  fed: boolean;
  /** Stored [in, out] (a MatMul's second input, a Gemm's B without transB), as torch exports a bias-free Linear: the golden [out, in] is transposed. */
  transposed: boolean;
}

/** One node, as the variant checks read it (match.ts). */
export interface FileNode {
  op: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxFile {
  /** As given on the command line. */
  path: string;
  stem: string;
  bytes: Uint8Array;
  /** The data input, fed the case input (NCHW). */
  input: { name: string; dims: Dim[] };
  /** Output names in order: the first is y, a second may be the gate. */
  outputs: string[];
  slots: WeightSlot[];
  nodes: FileNode[];
  /** One line: opset, producer and the file's sha256 (first 12 hex digits), for results files. */
  summary: string;
}

function dimsOf(v: ValueInfo): Dim[] | undefined {
  const shape = v.type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : null));
}

function decode(path: string): { bytes: Uint8Array; model: onnxProto.onnx.ModelProto; graph: Graph } {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new OnnxFileError(path, `no such file (resolved to ${abs})`);
  if (!statSync(abs).isFile()) throw new OnnxFileError(path, 'is not a file');
  const bytes = new Uint8Array(readFileSync(abs));
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxFileError(path, `is not an ONNX model (protobuf: ${(e as Error).message.split('\n')[0]})`);
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length || !graph.output?.length) throw new OnnxFileError(path, 'is not an ONNX model: it has no graph with nodes and outputs');
  return { bytes, model, graph };
}

/** True when `name` is read as a matrix stored [in, out]: a MatMul's B, or a Gemm's B with transB = 0. */
function storedTransposed(graph: Graph, name: string): boolean {
  for (const n of graph.node ?? []) {
    const at = (n.input ?? []).indexOf(name);
    if (at !== 1) continue;
    if (n.opType === 'MatMul') return true;
    if (n.opType === 'Gemm') return Number(n.attribute?.find((a) => a.name === 'transB')?.i ?? 0) === 0;
  }
  return false;
}

const list = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/** Reads and checks `path`; every problem found is named in one OnnxFileError. */
export function loadOnnxFile(path: string, map: OnnxMap): OnnxFile {
  const { bytes, model, graph } = decode(path);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const inputs = new Map((graph.input ?? []).map((v) => [v.name ?? '', v]));
  const problems: string[] = [];
  for (const [k, v] of map) {
    if (!inits.has(k) && !inputs.has(k)) problems.push(`--onnx-map names "${k}", which is neither an initializer nor an input of the graph`);
    if (v !== null && !GOLDEN_SE_WEIGHTS.includes(v)) problems.push(`--onnx-map maps "${k}" to "${v}", which is not a golden SE weight (${GOLDEN_SE_WEIGHTS.join(', ')})`);
  }
  const slots: WeightSlot[] = [];
  const unmapped: string[] = [];
  const data: string[] = [];
  for (const name of new Set([...inputs.keys(), ...inits.keys()])) {
    const init = inits.get(name);
    const input = inputs.get(name);
    const golden: string | null | undefined = map.has(name) ? map.get(name) : GOLDEN_SE_WEIGHTS.includes(name) ? name : undefined;
    const float = init ? init.dataType === FLOAT : input?.type?.tensorType?.elemType === FLOAT;
    if (golden === null) {
      if (!init) problems.push(`--onnx-map keeps "${name}" (null), but it is a graph input with no initializer`);
    } else if (golden !== undefined) {
      if (!float) { problems.push(`"${name}" (${golden}) is not float32; se-bench swaps in float32 weights`); continue; }
      const dims = init ? (init.dims ?? []).map(Number) : dimsOf(input!);
      if (!dims || dims.some((d) => typeof d !== 'number')) { problems.push(`weight input "${name}" (${golden}) has no fixed shape`); continue; }
      slots.push({ name, golden, dims: dims as number[], fed: init === undefined, transposed: storedTransposed(graph, name) });
    } else if (init) {
      if (float) unmapped.push(name);
      else if (init.dataLocation === EXTERNAL) problems.push(`initializer "${name}" is stored in an external file; save the model with its data inside`);
    } else data.push(name);
  }
  if (unmapped.length) {
    problems.push(`float initializer${unmapped.length > 1 ? 's' : ''} ${list(unmapped)} ${unmapped.length > 1 ? 'are' : 'is'} neither a golden SE weight (${GOLDEN_SE_WEIGHTS.join(', ')}) nor in --onnx-map; `
      + `map ${unmapped.length > 1 ? 'each' : 'it'} to one ('{"${unmapped[0]}": "fc1.weight"}'), or to null to keep it as a constant`);
  }
  if (data.length !== 1) {
    problems.push(data.length === 0 ? 'the graph has no data input (every input is a weight)'
      : `the graph has ${data.length} inputs that are not weights (${list(data)}); it needs exactly one, the NCHW data input (map the others with --onnx-map)`);
  }
  if (!problems.length && slots.length === 0) problems.push(`no initializer or input is a golden SE weight (${GOLDEN_SE_WEIGHTS.join(', ')}); name them so or map them with --onnx-map`);
  const inputInfo = data.length === 1 ? inputs.get(data[0]!)! : undefined;
  const inputDims = inputInfo ? dimsOf(inputInfo) : undefined;
  if (inputInfo && inputInfo.type?.tensorType?.elemType !== FLOAT) problems.push(`data input "${data[0]}" is not float32`);
  if (inputDims && inputDims.length !== 4) problems.push(`data input "${data[0]}" has rank ${inputDims.length}; se-bench feeds NCHW (rank 4)`);
  if (problems.length) throw new OnnxFileError(path, problems.join('; '));
  const opset = model.opsetImport.find((o) => !o.domain)?.version;
  return {
    path, bytes, slots,
    stem: basename(path, extname(path)),
    input: { name: data[0]!, dims: inputDims ?? [null, null, null, null] },
    outputs: graph.output!.map((o) => o.name ?? ''),
    nodes: graph.node!.map((n) => ({ op: n.opType ?? '', inputs: n.input ?? [], outputs: n.output ?? [] })),
    summary: [
      `opset ${opset === undefined ? '?' : Number(opset)}`,
      ...(model.producerName ? [`from ${model.producerName} ${model.producerVersion ?? ''}`.trimEnd()] : []),
      `sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`,
    ].join(', '),
  };
}
