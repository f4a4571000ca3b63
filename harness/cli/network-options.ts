/**
 * Command-line options that pick a network (`--model`, `--ratio`, `--rule`,
 * `--bias`, `--squeeze`, `--stages`, `--position`, `--resolution`) and its
 * weights file, shared by count, infer, export and bench so each is parsed
 * and checked one way.
 */
import { existsSync } from 'node:fs';
import { checkResolution, makeNetwork, MODEL_NAMES, type NetworkSe, type NetworkSpec } from '../model/network.ts';
import { positiveInt, splitList, UsageError } from '../data/select.ts';
import { SpecError } from '../model/spec.ts';

/** parseArgs option table for the network options. */
export const NETWORK_OPTIONS = {
  model: { type: 'string' },
  ratio: { type: 'string' },
  rule: { type: 'string' },
  bias: { type: 'string' },
  squeeze: { type: 'string' },
  stages: { type: 'string' },
  position: { type: 'string' },
  resolution: { type: 'string' },
} as const;

/** Usage text for the network options. */
export const NETWORK_USAGE = '--model=NAME [--ratio=16] [--rule=floor|divisor8] [--bias=on|off] [--squeeze=avg|max|none] '
  + '[--stages=2,3,4,5] [--position=standard|pre|post|identity|3x3] [--resolution=224]';

export interface NetworkOptionValues {
  model?: string;
  ratio?: string;
  rule?: string;
  bias?: string;
  squeeze?: string;
  stages?: string;
  position?: string;
  resolution?: string;
}

/** `--bias=on|off` as a boolean; anything else is a UsageError. */
export function parseBias(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new UsageError(`--bias must be on or off, got "${value}"`);
  return value === 'on';
}

/** A file option that must be given and exist (`--weights`, `--input`). */
export function requireFile(option: string, path: string | undefined): string {
  if (!path) throw new UsageError(`--${option}=FILE.safetensors is required`);
  if (!existsSync(path)) throw new UsageError(`--${option}: file ${path} does not exist`);
  return path;
}

/** The network and resolution the options describe; bad values are UsageErrors listing what is valid. */
export function networkFromOptions(values: NetworkOptionValues): { net: NetworkSpec; resolution: number } {
  if (!values.model) throw new UsageError(`--model is required; valid models: ${MODEL_NAMES.join(', ')}`);
  const se: Partial<NetworkSe> = {};
  if (values.ratio !== undefined) se.ratio = positiveInt('ratio', values.ratio);
  if (values.rule !== undefined) se.reduction = values.rule as NetworkSe['reduction'];
  if (values.bias !== undefined) se.bias = parseBias(values.bias);
  if (values.squeeze !== undefined) se.squeeze = values.squeeze as NetworkSe['squeeze'];
  if (values.position !== undefined) se.position = values.position as NetworkSe['position'];
  if (values.stages !== undefined) {
    se.stages = splitList(values.stages).map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
    if (se.stages.some(Number.isNaN)) throw new UsageError(`--stages must list stage numbers from 2, 3, 4, 5, got "${values.stages}"`);
  }
  const resolution = values.resolution === undefined ? 224 : positiveInt('resolution', values.resolution);
  try {
    return { net: makeNetwork(values.model, se), resolution: checkResolution(resolution) };
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message.replace(/^SE spec: reduction/, '--rule'));
    throw e;
  }
}
