/**
 * Loads a user's state dict (safetensors) for a NetworkSpec. Accepted names:
 * torchvision's (resnet50, resnext50_32x4d) and timm's (seresnet50,
 * seresnext50_32x4d, whose SE is `layerX.Y.se.fc1` / `fc2`, as ours), with an
 * optional `module.` prefix (DataParallel). SE FC weights may be stored as
 * Linear [out, in] or 1x1 conv [out, in, 1, 1]: same numbers, reshaped to the
 * spec's layout. BatchNorm's `num_batches_tracked` counters are ignored. Any
 * other difference is a WeightsError listing missing, unexpected and
 * mis-shaped tensors, and naming the model the file does match, if any.
 */
import { MODEL_NAMES, makeNetwork, networkWeightShapes, type NetworkSpec } from '../model/network.ts';
import { getAsF32, readSafetensors, type SafetensorsFile } from './safetensors.ts';
import { sameShape, type Tensor } from './tensor.ts';
import { checkWeights, WeightsError } from './weights.ts';
import type { Weights } from './weights.ts';

const IGNORED = /\.num_batches_tracked$/;

/** An SE FC weight's shape in the other layout than the spec's ([o, i] vs [o, i, 1, 1]) becomes the spec's: same data. */
function seLayoutShape(name: string, shape: readonly number[], want: number[] | undefined): number[] {
  if (!want || !/\.se\.fc[12]\.weight$/.test(name) || sameShape(shape, want)) return [...shape];
  const flat = (s: readonly number[]): number[] => s.filter((d, i) => i < 2 || d !== 1);
  return sameShape(flat(shape), flat(want)) ? [...want] : [...shape];
}

/** Which model names (default SE options, biases on or off) these shapes fit exactly. */
function matchingModels(shapes: Record<string, readonly number[]>): string[] {
  const candidates: [string, NetworkSpec][] = [];
  for (const m of MODEL_NAMES) {
    if (!m.startsWith('se-')) candidates.push([m, makeNetwork(m)]);
    else for (const bias of [true, false]) candidates.push([`${m} --bias=${bias ? 'on' : 'off'}`, makeNetwork(m, { bias })]);
  }
  return candidates.filter(([, net]) => {
    const want = networkWeightShapes(net);
    const keys = Object.keys(shapes);
    return keys.length === Object.keys(want).length
      && keys.every((k) => want[k] !== undefined && sameShape(seLayoutShape(k, shapes[k]!, want[k]), want[k]!));
  }).map(([name]) => name);
}

/** The weights of `net` from a parsed state dict; throws WeightsError describing every mismatch. */
export function weightsFromStateDict(net: NetworkSpec, file: SafetensorsFile, source: string): Weights {
  const want = networkWeightShapes(net);
  const weights: Weights = {};
  for (const key of file.entries.keys()) {
    if (IGNORED.test(key)) continue;
    const name = key.startsWith('module.') ? key.slice('module.'.length) : key;
    const t = getAsF32(file, key, source);
    weights[name] = { shape: seLayoutShape(name, t.shape, want[name]), data: t.data };
  }
  try {
    checkWeights(weights, want, `${source} for ${net.name}`);
  } catch (e) {
    if (!(e instanceof WeightsError)) throw e;
    const fits = matchingModels(Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.shape])));
    const hint = fits.length ? ` The file matches --model=${fits.join(' or --model=')}.` : '';
    throw new WeightsError(`${e.message}.${hint}`);
  }
  return weights;
}

/** Reads `path` (safetensors) as weights for `net`. */
export function loadNetworkWeights(net: NetworkSpec, path: string): Weights {
  return weightsFromStateDict(net, readSafetensors(path), path);
}
