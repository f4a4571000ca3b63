/**
 * `se-bench infer --model=NAME --weights=FILE --input=FILE --output=FILE [--impl=reference] [--gates] [network options]`:
 * runs a network with a user's state dict on a user's input and writes the
 * logits (and every SE gate with --gates) as safetensors, to compare with
 * the user's own PyTorch model.
 */
import { IMPLEMENTATION_OPTIONS, loadImplementations, type ImplementationValues } from '../implementations.ts';
import { NETWORK_OPTIONS, networkFromOptions, requireFile, writableFile, type NetworkOptionValues } from '../network-options.ts';
import { readSafetensors, SafetensorsError, getAsF32, writeSafetensors } from '../../data/safetensors.ts';
import { UsageError } from '../../data/select.ts';
import { fromLayout, nonFinite, shapeText, toLayout, type Tensor } from '../../data/tensor.ts';
import { loadNetworkWeights } from '../../data/weights-import.ts';
import { WeightsError } from '../../data/weights.ts';

export const INFER_OPTIONS = {
  ...NETWORK_OPTIONS,
  weights: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  impl: { type: 'string' },
  gates: { type: 'boolean' },
  ...IMPLEMENTATION_OPTIONS,
} as const;

type InferValues = NetworkOptionValues & ImplementationValues & { weights?: string; input?: string; output?: string; impl?: string; gates?: boolean };

/** The input image batch: the file's only tensor, or the one named `input`; [N, C, H, W]. */
function readInput(path: string, channels: number): Tensor {
  const file = readSafetensors(path);
  const names = [...file.entries.keys()];
  const name = names.length === 1 ? names[0]! : names.includes('input') ? 'input' : undefined;
  if (!name) {
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, ...` : names.join(', ') || 'none';
    throw new UsageError(`--input ${path} holds ${names.length} tensors (${shown}); give a file with one tensor, or name it "input"`);
  }
  const t = getAsF32(file, name, path);
  if (t.shape.length !== 4 || t.shape[1] !== channels) {
    throw new UsageError(`--input ${path}: tensor "${name}" is ${shapeText(t.shape)}; expected [N, ${channels}, H, W] (NCHW, as PyTorch)`);
  }
  const bad = nonFinite(t);
  if (bad) throw new UsageError(`--input ${path}: tensor "${name}" has ${bad.count} NaN or infinite value(s), the first at [${bad.first.join(', ')}]; logits of such an input mean nothing: fix the input`);
  return t;
}

export async function inferCommand(values: InferValues): Promise<number> {
  const { net } = networkFromOptions(values);
  if (values.resolution !== undefined) throw new UsageError('--resolution does not apply to infer: the input tensor sets the size');
  const weightsPath = requireFile('weights', values.weights);
  const inputPath = requireFile('input', values.input);
  const outputPath = writableFile('output', values.output, 'logits.safetensors', 'the logits');
  const { registry } = await loadImplementations(values);
  const implName = values.impl ?? 'reference';
  if (!registry.names().includes(implName)) throw new UsageError(`unknown implementation "${implName}"; valid implementations: ${registry.names().join(', ')}`);
  const impl = registry.get(implName);
  if (!impl.prepareNetwork) {
    const able = registry.names().filter((n) => registry.get(n).prepareNetwork);
    throw new UsageError(`implementation ${impl.name} cannot run whole networks; use one of: ${able.join(', ')}`);
  }
  const availability = await impl.probe();
  if (!availability.available) throw new UsageError(`implementation ${impl.name} is unavailable here: ${availability.reason} (fix: ${availability.installHint})`);
  let weights;
  let input;
  try {
    input = readInput(inputPath, net.inChannels); // the small file first: its mistakes show before the state dict is read
    weights = loadNetworkWeights(net, weightsPath);
  } catch (e) {
    if (e instanceof WeightsError || e instanceof SafetensorsError) throw new UsageError(e.message);
    throw e;
  }
  const prepared = await impl.prepareNetwork(net, weights);
  try {
    const out = await prepared.run(toLayout(input, impl.layout));
    const tensors: Record<string, Tensor> = { logits: out.logits };
    if (values.gates) {
      for (const [name, g] of Object.entries(out.gates)) tensors[`gate.${name}`] = g.shape.length === 4 ? fromLayout(g, impl.layout) : g;
    }
    writeSafetensors(outputPath, tensors, { model: net.name, implementation: impl.name, spec: JSON.stringify(net) });
    process.stdout.write(`wrote ${outputPath}: logits ${shapeText(out.logits.shape)}`
      + `${values.gates ? `, ${Object.keys(out.gates).length} SE gates (gate.<block>)` : ''} from ${net.name} on ${impl.name}\n`);
    // A finite input that gives NaN logits points at the weights or the implementation: written for a look, but not a success.
    const bad = nonFinite(out.logits);
    if (bad) {
      process.stderr.write(`error: the logits hold ${bad.count} NaN or infinite value(s), the first at [${bad.first.join(', ')}], from a finite input: check the weights (e.g. NaN in the state dict) and the implementation\n`);
      return 1;
    }
  } finally {
    await prepared.dispose();
  }
  return 0;
}
