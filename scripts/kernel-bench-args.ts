/**
 * Options of the kernel authors' scripts (bench-wasm-simd.ts, bench-wgsl.ts):
 * `--name=value` and bare `--flag`, checked against the script's own list,
 * with the ResNet-50 stage shapes they time. A bad option prints what was
 * wrong and the usage, and exits 2 before any work.
 */
import { sampleStats } from '../harness/measure/stats.ts';

/** [stage, C, H (= W)] of the four ResNet-50 SE stages. */
export const STAGES = [[2, 256, 56], [3, 512, 28], [4, 1024, 14], [5, 2048, 7]] as const;

/** Median of samples in ms (NaN when there are none). */
export const medianOf = (v: number[]): number => (v.length ? sampleStats(v).medianMs : Number.NaN);

export interface ScriptArgs {
  has(name: string): boolean;
  /** A positive number, `fallback` when the option is absent. */
  num(name: string, fallback: number): number;
  /** The raw value; undefined when absent. */
  text(name: string): string | undefined;
  /** The --shapes=2,5 selection of STAGES (all four when absent). */
  stages: (typeof STAGES)[number][];
}

function fail(message: string, usage: string): never {
  process.stderr.write(`${message}\nusage: ${usage}\n`);
  process.exit(2);
}

/** Parses process.argv against `known` option names (without --). */
export function scriptArgs(usage: string, known: readonly string[]): ScriptArgs {
  const args = new Map<string, string>();
  for (const a of process.argv.slice(2)) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m || !known.includes(m[1]!)) fail(`unknown option "${a}"; options: ${known.map((k) => `--${k}`).join(', ')}`, usage);
    args.set(m[1]!, m[2] ?? 'true');
  }
  const num = (name: string, fallback: number): number => {
    const raw = args.get(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v <= 0) fail(`--${name} must be a positive number, got "${raw}"`, usage);
    return v;
  };
  const wanted = args.get('shapes')?.split(',').map((s) => {
    const stage = Number(s);
    if (!STAGES.some(([st]) => st === stage)) fail(`--shapes takes stage numbers 2, 3, 4, 5; got "${s}"`, usage);
    return stage;
  });
  return {
    has: (name) => args.has(name),
    num,
    text: (name) => args.get(name),
    stages: STAGES.filter(([s]) => !wanted || wanted.includes(s)),
  };
}
