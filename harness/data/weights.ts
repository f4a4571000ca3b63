/** Checks a weight dictionary against the names and shapes a block needs. */
import { sameShape, type Tensor } from './tensor.ts';

/** Error listing every missing, unexpected and mis-shaped weight at once. */
/** Weight tensors by canonical name (see seWeightShapes / bottleneckWeightShapes). */
export type Weights = Record<string, Tensor>;

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/** Most names shown per category; a whole network can miss hundreds. */
const SHOWN = 20;

function listed(label: string, items: string[], sep: string): string {
  if (!items.length) return '';
  const more = items.length > SHOWN ? `${sep}... and ${items.length - SHOWN} more` : '';
  return `${label} (${items.length}): ${items.slice(0, SHOWN).join(sep)}${more}`;
}

/** Throws a WeightsError naming each problem unless `weights` matches `expected` exactly. */
export function checkWeights(weights: Record<string, Tensor>, expected: Record<string, number[]>, what: string): void {
  const missing = Object.keys(expected).filter((k) => !(k in weights));
  const unexpected = Object.keys(weights).filter((k) => !(k in expected));
  const misShaped = Object.entries(expected)
    .filter(([k, shape]) => k in weights && !sameShape(weights[k]!.shape, shape))
    .map(([k, shape]) => `${k} is [${weights[k]!.shape.join(', ')}], expected [${shape.join(', ')}]`);
  const problems = [
    listed('missing', missing, ', '),
    listed('unexpected', unexpected, ', '),
    listed('mis-shaped', misShaped, '; '),
  ].filter(Boolean);
  if (problems.length) throw new WeightsError(`${what} weights do not match the spec: ${problems.join(' | ')}`);
}

/** The entries of `weights` under `prefix.` (a block name such as `layer1.0`, or `se`), with the prefix removed; no copies. */
export function weightsUnder<T>(weights: Record<string, T>, prefix: string): Record<string, T> {
  const out: Record<string, T> = {};
  const p = `${prefix}.`;
  for (const [k, v] of Object.entries(weights)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}
