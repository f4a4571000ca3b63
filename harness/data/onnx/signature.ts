/** Reads back what an exported model declares (versions, inputs, outputs), for messages and tests. */
import onnxProto from 'onnx-proto';
import type { Dim } from './graph.ts';

const { onnx } = onnxProto;

/** A declared graph input or output. */
export interface OnnxValueSignature {
  name: string;
  dims: Dim[];
}

/** Versions and declared inputs and outputs of a ModelProto. */
export interface OnnxSignature {
  irVersion: number;
  /** Default-domain opset. */
  opset: number;
  inputs: OnnxValueSignature[];
  outputs: OnnxValueSignature[];
}

function values(list: onnxProto.onnx.IValueInfoProto[] | null | undefined): OnnxValueSignature[] {
  return (list ?? []).map((v) => ({
    name: v.name ?? '',
    dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : null)),
  }));
}

/** Decodes `bytes` (a ModelProto) and returns its versions, inputs and outputs. */
export function onnxSignature(bytes: Uint8Array): OnnxSignature {
  const m = onnx.ModelProto.decode(bytes);
  const opset = m.opsetImport.find((o) => !o.domain);
  return {
    irVersion: Number(m.irVersion),
    opset: opset ? Number(opset.version) : Number.NaN,
    inputs: values(m.graph?.input),
    outputs: values(m.graph?.output),
  };
}

/** Dims as text: `[N, 3, H, W]`, `?` for an unknown one. */
export function dimsText(dims: readonly Dim[]): string {
  return `[${dims.map((d) => d ?? '?').join(', ')}]`;
}
