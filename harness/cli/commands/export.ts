/**
 * `se-bench export [--format=onnx] --out=FILE (--model=NAME [network options] [--weights=FILE] | --se=C [SE options] | --case=ID)`:
 * writes a network, one SE block or a golden case's block or network as an
 * ONNX model (opset 17), with PRNG, user or golden weights, for other
 * runtimes and tools (Netron, onnxruntime, onnx.checker).
 */
import { writeFileSync } from 'node:fs';
import { drawWeights } from '../../bench/workloads.ts';
import { GoldenSet } from '../../data/golden.ts';
import { dimsText, exportOnnx, GATE_OUTPUT_PREFIX, onnxSignature, type OnnxModelSpec } from '../../data/onnx/index.ts';
import { SafetensorsError } from '../../data/safetensors.ts';
import { positiveInt, UsageError } from '../../data/select.ts';
import { loadNetworkWeights } from '../../data/weights-import.ts';
import { WeightsError, type Weights } from '../../data/weights.ts';
import { networkWeightShapes } from '../../model/network.ts';
import { makeSeSpec, seWeightShapes, SpecError, type SeSpec } from '../../model/spec.ts';
import { NETWORK_OPTIONS, networkFromOptions, parseBias, requireFile, writableFile, type NetworkOptionValues } from '../network-options.ts';

/** parseArgs options of `export`: the network options plus the format, the output and the other sources. */
export const EXPORT_OPTIONS = {
  ...NETWORK_OPTIONS,
  format: { type: 'string' },
  out: { type: 'string' },
  se: { type: 'string' },
  case: { type: 'string' },
  weights: { type: 'string' },
} as const;

/** Export formats; ONNX is the only one so far. */
export const EXPORT_FORMATS = ['onnx'] as const;

/** Parsed `export` options. */
export type ExportValues = NetworkOptionValues & { format?: string; out?: string; se?: string; case?: string; weights?: string };

/** Options that only a network (--model) takes, beyond the SE ones --se shares. */
const NETWORK_ONLY = ['stages', 'position', 'resolution', 'weights'] as const;

function given(values: ExportValues, names: readonly (keyof ExportValues)[]): string[] {
  return names.filter((n) => values[n] !== undefined).map((n) => `--${n}`);
}

/** A UsageError for options that would do nothing with the chosen source. */
function notApplicable(stray: string[], to: string, why: string): UsageError {
  return new UsageError(`${stray.join(', ')} ${stray.length > 1 ? 'do' : 'does'} not apply to ${to}: ${why}`);
}

/** One SE block from --se=C and the SE options (r = 16, the paper's defaults otherwise). */
function seFromOptions(values: ExportValues): SeSpec {
  const stray = given(values, NETWORK_ONLY);
  if (stray.length) throw notApplicable(stray, '--se', 'one SE block takes --ratio, --rule, --bias, --squeeze');
  const bias = values.bias === undefined || parseBias(values.bias);
  try {
    return makeSeSpec({
      channels: positiveInt('se', values.se!), ratio: values.ratio === undefined ? 16 : positiveInt('ratio', values.ratio),
      ...(values.rule !== undefined ? { reduction: values.rule } : {}), ...(values.squeeze !== undefined ? { squeeze: values.squeeze } : {}),
      bias1: bias, bias2: bias,
    });
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message.replace(/^SE spec: reduction/, '--rule').replace(/^SE spec: squeeze/, '--squeeze'));
    throw e;
  }
}

interface Source {
  model: OnnxModelSpec;
  weights: Weights;
  /** What the model is and where its weights come from, for the message and the model's metadata. */
  what: string;
  metadata: Record<string, string>;
}

const PRNG_WEIGHTS = 'PRNG weights (as the bench draws them)';

function sourceFromOptions(values: ExportValues): Source {
  const picked = given(values, ['model', 'se', 'case']);
  if (picked.length === 0) throw new UsageError('say what to export: --model=NAME (a network), --se=C (one SE block with C channels) or --case=ID (a golden case with its weights)');
  if (picked.length > 1) throw new UsageError(`${picked.join(' and ')} are exclusive: export one network (--model), SE block (--se) or golden case (--case)`);
  if (values.case !== undefined) {
    const stray = given(values, [...Object.keys(NETWORK_OPTIONS) as (keyof ExportValues)[], 'weights']);
    if (stray.length) throw notApplicable(stray, '--case', 'the golden case fixes the spec and weights');
    const golden = new GoldenSet();
    if (!golden.ids().includes(values.case)) throw new UsageError(`unknown golden case "${values.case}"; valid ids: ${golden.ids().join(', ')}`);
    const loaded = golden.load(values.case);
    const c = loaded.case;
    return {
      model: c, weights: loaded.weights, what: `golden case ${c.id} (${c.kind}) with its golden weights`,
      metadata: { 'se-bench.case': c.id, 'se-bench.weights': 'golden', 'se-bench.golden-input-shape': JSON.stringify(loaded.input.shape) },
    };
  }
  if (values.se !== undefined) {
    const spec = seFromOptions(values);
    return { model: { kind: 'se', spec }, weights: drawWeights(seWeightShapes(spec)), what: `SE block C=${spec.channels} r=${spec.ratio} with ${PRNG_WEIGHTS}`, metadata: { 'se-bench.weights': 'prng' } };
  }
  const { net, resolution } = networkFromOptions(values);
  // The input is symbolic (any H, W); the resolution is only recorded, as the one the user had in mind.
  const metadata: Record<string, string> = { 'se-bench.resolution': String(resolution) };
  if (values.weights === undefined) {
    return { model: { kind: 'network', spec: net }, weights: drawWeights(networkWeightShapes(net)), what: `${net.name} with ${PRNG_WEIGHTS}`, metadata: { ...metadata, 'se-bench.weights': 'prng' } };
  }
  const path = requireFile('weights', values.weights);
  try {
    return { model: { kind: 'network', spec: net }, weights: loadNetworkWeights(net, path), what: `${net.name} with weights from ${path}`, metadata: { ...metadata, 'se-bench.weights': path } };
  } catch (e) {
    if (e instanceof WeightsError || e instanceof SafetensorsError) throw new UsageError(e.message);
    throw e;
  }
}

function sizeText(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** The outputs for the one-line summary; a network's many gates collapse to a count and a range. */
function outputsText(outputs: { name: string; dims: (number | string | null)[] }[]): string {
  const gates = outputs.filter((o) => o.name.startsWith(GATE_OUTPUT_PREFIX));
  const rest = outputs.filter((o) => !o.name.startsWith(GATE_OUTPUT_PREFIX)).map((o) => `${o.name} ${dimsText(o.dims)}`);
  if (gates.length) rest.push(`${gates.length} SE gates ${gates[0]!.name} .. ${gates.at(-1)!.name}`);
  return rest.join(', ');
}

/**
 * Writes the model the options name (exactly one of --model, --se, --case) to --out in --format (default and only
 * format: onnx) and prints one line; 0 on success. Bad usage is a UsageError (exit 2), raised before anything is built.
 */
export async function exportCommand(values: ExportValues): Promise<number> {
  const format = values.format ?? 'onnx';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of: ${EXPORT_FORMATS.join(', ')}; got "${format}"`);
  const out = writableFile('out', values.out, 'model.onnx', 'the model');
  const source = sourceFromOptions(values);
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(source.model, source.weights, { metadata: source.metadata });
  } catch (e) {
    if (e instanceof SpecError || e instanceof WeightsError) throw new UsageError(e.message);
    throw e;
  }
  writeFileSync(out, bytes);
  const sig = onnxSignature(bytes);
  process.stdout.write(`wrote ${out}: ${sizeText(bytes.length)} ONNX (opset ${sig.opset}, IR ${sig.irVersion}), ${source.what}; `
    + `input ${sig.inputs.map((i) => `${i.name} ${dimsText(i.dims)}`).join(', ')}; outputs ${outputsText(sig.outputs)}\n`);
  return 0;
}
