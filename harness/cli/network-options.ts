/**
 * Command-line options that pick a network (`--model`, `--ratio`, `--rule`,
 * `--bias`, `--squeeze`, `--stages`, `--position`, `--resolution`) and its
 * weights file, shared by count, infer, export and bench so each is parsed
 * and checked one way.
 */
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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

/**
 * An output file option (`--out`, `--output`), checked before anything is
 * computed: given, its folder exists, it is not a folder itself, and it can
 * be opened for writing (tried for real, since permission bits say nothing
 * for root or a read-only mount; a file created by the probe is removed).
 */
export function writableFile(option: string, path: string | undefined, example: string, what: string): string {
  if (!path) throw new UsageError(`--${option}=FILE is required: where to write ${what} (e.g. --${option}=${example})`);
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new UsageError(`--${option}: folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`--${option}: ${folder} is not a folder`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--${option}: ${path} is a folder; give a file name such as ${join(path, basename(example))}`);
  const existed = existsSync(path);
  try {
    closeSync(openSync(path, existed ? 'r+' : 'wx'));
    if (!existed) unlinkSync(path);
  } catch (e) {
    throw new UsageError(`--${option}: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
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
