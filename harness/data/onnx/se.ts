/**
 * SE block as ONNX: squeeze (GlobalAveragePool | GlobalMaxPool | none),
 * FC1 -> hidden activation -> FC2 -> gate as 1x1 Convs on NCHW, y = x * gate.
 * Same semantics as impls/reference/se-math.ts. SiLU is x * Sigmoid(x) (ONNX
 * has no SiLU op at opset 17); the hard sigmoid is HardSigmoid with PyTorch's
 * alpha = 1/6, beta = 0.5, given explicitly: ONNX's default alpha is 0.2.
 */
import { hiddenWidth, makeSeSpec, seWeightShapes, type SeSpec } from '../../model/spec.ts';
import { checkWeights, type Weights } from '../weights.ts';
import { attr, GraphBuilder, join, type OnnxExportOptions } from './graph.ts';
import { GATE_OUTPUT, INPUT_NAME, Y_OUTPUT } from './names.ts';

const HIDDEN_OPS: Record<string, string> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', silu: 'SiLU' };
const SQUEEZE_OPS: Record<string, string | undefined> = { avg: 'GlobalAveragePool', max: 'GlobalMaxPool', none: undefined };

/** Value names of an SE block inside a graph: its output and its gate ([N, C], or [N, C, H, W] for squeeze "none"). */
export interface SeValues {
  y: string;
  gate: string;
}

/** PyTorch's hardsigmoid, relu6(x + 3) / 6, as ONNX HardSigmoid max(0, min(1, alpha * x + beta)). */
export const HARDSIGMOID_ATTRS = [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)];

/** The gate `gate` on `input`, as node `<prefix>.sigmoid` or `<prefix>.hardsigmoid`. */
export function addGate(g: GraphBuilder, gate: SeSpec['gate'], prefix: string, input: string): string {
  if (gate === 'hardsigmoid') return g.node('HardSigmoid', join(prefix, 'hardsigmoid'), [input], HARDSIGMOID_ATTRS);
  return g.node('Sigmoid', join(prefix, 'sigmoid'), [input]);
}

/** SiLU as x * Sigmoid(x): nodes `<name>.sigmoid` and `<name>`. */
export function addSilu(g: GraphBuilder, name: string, input: string): string {
  return g.node('Mul', name, [input, g.node('Sigmoid', `${name}.sigmoid`, [input])]);
}

/** Weight `name` under `prefix`, which the caller has checked against the spec's shapes. */
function data(weights: Weights, name: string): Float32Array {
  const t = weights[name];
  if (!t) throw new Error(`ONNX export: weight ${name} is missing`);
  return t.data;
}

/**
 * Hidden width 0 (C < r with the floor rule): PyTorch's empty Linear gives
 * its bias (or 0), so the gate is the constant sigmoid(fc2.bias), broadcast.
 * Emitted without zero-sized tensors, which ONNX Runtime handles unevenly.
 */
function constantGate(g: GraphBuilder, spec: SeSpec, weights: Weights, prefix: string, x: string): SeValues {
  const at = (name: string): string => join(prefix, name);
  const c = spec.channels;
  const logits = spec.bias2
    ? g.weight(at('fc2.bias'), [1, c, 1, 1], data(weights, at('fc2.bias')))
    : g.weight(at('fc2.zero_bias'), [1, c, 1, 1], new Float32Array(c));
  const gate4 = addGate(g, spec.gate, prefix, logits); // [1, C, 1, 1]
  const y = g.node('Mul', at('scale'), [x, gate4]);
  if (spec.squeeze === 'none') {
    return { y, gate: g.node('Expand', at('expand'), [gate4, g.node('Shape', at('shape'), [x])]) };
  }
  // [1, C] expanded to x's [N, C] (Shape's start/end attributes need opset 15).
  const nc = g.node('Shape', at('shape'), [x], [attr.int('end', 2)]);
  return { y, gate: g.node('Expand', at('expand'), [g.node('Flatten', at('flatten'), [gate4], [attr.int('axis', 1)]), nc]) };
}

/**
 * Adds an SE block reading value `x` ([N, C, H, W]) to `g`. Weights are read
 * as `<prefix>.fc1.weight` etc. (prefix '' for a standalone block) and stored
 * under those names, FC weights reshaped to [out, in, 1, 1] (same order).
 * The caller validates spec and weights.
 */
export function addSe(g: GraphBuilder, spec: SeSpec, weights: Weights, prefix: string, x: string): SeValues {
  if (spec.gate !== 'sigmoid' && spec.gate !== 'hardsigmoid') throw new Error(`ONNX export: SE gate "${spec.gate}" is not supported (sigmoid, hardsigmoid)`);
  const hiddenOp = HIDDEN_OPS[spec.hiddenActivation];
  if (!hiddenOp) throw new Error(`ONNX export: hidden activation "${spec.hiddenActivation}" is not supported (${Object.keys(HIDDEN_OPS).join(', ')})`);
  if (!(spec.squeeze in SQUEEZE_OPS)) throw new Error(`ONNX export: squeeze "${spec.squeeze}" is not supported (avg, max, none)`);
  const h = hiddenWidth(spec);
  if (h === 0) return constantGate(g, spec, weights, prefix, x);
  const at = (name: string): string => join(prefix, name);
  const c = spec.channels;
  const squeezeOp = SQUEEZE_OPS[spec.squeeze];
  // NoSqueeze: the 1x1 convs run at every position, which is exactly the paper's variant.
  const s = squeezeOp ? g.node(squeezeOp, at('squeeze'), [x]) : x;
  const fc = (name: string, input: string, out: number, inp: number, bias: boolean): string => {
    const inputs = [input, g.weight(at(`${name}.weight`), [out, inp, 1, 1], data(weights, at(`${name}.weight`)))];
    if (bias) inputs.push(g.weight(at(`${name}.bias`), [out], data(weights, at(`${name}.bias`))));
    return g.node('Conv', at(name), inputs, [attr.ints('kernel_shape', [1, 1])]);
  };
  const z1 = fc('fc1', s, h, c, spec.bias1);
  const z = hiddenOp === 'SiLU' ? addSilu(g, at('act'), z1) : g.node(hiddenOp, at('act'), [z1]);
  const gate4 = addGate(g, spec.gate, prefix, fc('fc2', z, c, h, spec.bias2));
  const y = g.node('Mul', at('scale'), [x, gate4]);
  const gate = squeezeOp ? g.node('Flatten', at('flatten'), [gate4], [attr.int('axis', 1)]) : gate4;
  return { y, gate };
}

/**
 * One SE block as ONNX ModelProto bytes. Input `x` float32 [N, C, H, W]
 * (N, H, W symbolic); outputs `y` (x's shape) and `gate` ([N, C], or
 * [N, C, H, W] for squeeze "none"). Throws SpecError / WeightsError for a
 * bad spec or weights, Error for what the exporter does not support.
 */
export function seOnnx(spec: SeSpec, weights: Weights, options: OnnxExportOptions = {}): Uint8Array {
  const s = makeSeSpec(spec);
  checkWeights(weights, seWeightShapes(s), 'SE block');
  const g = new GraphBuilder('se_block');
  const x = g.input(INPUT_NAME, ['N', s.channels, 'H', 'W']);
  const { y, gate } = addSe(g, s, weights, '', x);
  g.output(y, Y_OUTPUT, ['N', s.channels, 'H', 'W']);
  g.output(gate, GATE_OUTPUT, s.squeeze === 'none' ? ['N', s.channels, 'H', 'W'] : ['N', s.channels]);
  return g.encode({ docString: `se-bench SE block: ${JSON.stringify(s)}`, ...options, metadata: { 'se-bench.kind': 'se', 'se-bench.spec': JSON.stringify(s), ...options.metadata } });
}
