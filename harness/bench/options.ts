/**
 * `bench` options resolved once into a BenchPlan, every bad value rejected
 * with a specific message (exit 2) before any work starts.
 */
import { parseDevices } from '../host/devices.ts';
import { layerNetSeShapes } from '../model/layers.ts';
import { isLayerNet, isLayerNetModel, isSeModel, makeNetwork, MODEL_NAMES, resNetSe } from '../model/network.ts';
import { hiddenWidth, type SeSpec } from '../model/spec.ts';
import { positiveInt } from '../data/select.ts';
import { ratioClosestToPaper } from '../model/paper.ts';

const MAX_MIN_TIME_MS = 600_000;
const MAX_MIN_SAMPLES = 10_000;
/**
 * Pairs each network comparison takes at least (bench/pairs.ts): with 10, the
 * 95% bootstrap interval of a median of per-pair ratios spans order
 * statistics 2-9, so a first check of the precision is not set by one pair.
 */
const NET_MIN_PAIRS = 10;
/** Default --precision: the SE overhead resolved to +-1.5% of the ratio (the paper's CPU overhead is 1.8%). */
const PRECISION_PCT = 1.5;
/** Above this a "precision" says nothing: an interval +-50% wide holds ratios from 0.5 to 1.5. */
const MAX_PRECISION_PCT = 50;
/**
 * Default --pair-budget, seconds per comparison: the default run's four
 * network engines (ort-cpu, ort-wasm, tfjs-wasm, PyTorch) each get at most
 * this after their minimum pairs, and the run stays within 5 minutes.
 */
const PAIR_BUDGET_S = 30;
import { selectByGlobs, splitList, UsageError } from '../data/select.ts';
import type { DeviceKind } from '../contract/implementation.ts';

/** parseArgs table of `bench`. */
export const BENCH_OPTIONS = {
  device: { type: 'string' },
  impl: { type: 'string' },
  case: { type: 'string' },
  blocks: { type: 'string' },
  batch: { type: 'string' },
  ratios: { type: 'string' },
  model: { type: 'string' },
  'net-batch': { type: 'string' },
  'net-ratios': { type: 'string' },
  'net-samples': { type: 'string' },
  precision: { type: 'string' },
  'pair-budget': { type: 'string' },
  profile: { type: 'boolean' },
  resolution: { type: 'string' },
  quick: { type: 'boolean' },
  'min-time': { type: 'string' },
  'min-samples': { type: 'string' },
  'torch-threads': { type: 'string' },
  'no-torch': { type: 'boolean' },
  out: { type: 'string' },
  compare: { type: 'string' },
  'max-slowdown': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export type BenchValues = { [K in keyof typeof BENCH_OPTIONS]?: (typeof BENCH_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The ResNet-50 stage output shapes [C, H, W], by paper stage number. */
export const STAGE_SHAPES: Record<number, [number, number, number]> = { 2: [256, 56, 56], 3: [512, 28, 28], 4: [1024, 14, 14], 5: [2048, 7, 7] };

/** SE block families of --blocks: ResNet-50's stage shapes swept over ratios, and the SE blocks of each torchvision layer network with SE. */
export const BLOCK_FAMILIES = ['resnet50', ...MODEL_NAMES.filter((m) => isLayerNetModel(m) && isSeModel(m))];
const DEFAULT_BLOCK_FAMILIES = ['resnet50', 'mobilenet_v3_large'];
/** Default --model: ResNet-50 and MobileNetV3-Large, each with its plain twin. */
const DEFAULT_MODELS = ['resnet50', 'se-resnet50', 'mobilenet_v3_large-no-se', 'mobilenet_v3_large'];

/** A layer network's SE block as torchvision builds it: its hidden width, gate and hidden activation (1x1 convs with biases, avg squeeze). */
export interface FamilySe { hidden: number; gate: SeSpec['gate']; hiddenActivation: SeSpec['hiddenActivation'] }

/** One thing to time; `id` is stable across runs (baseline matching, --case globs). */
export type Workload =
  /** `family` resnet50: a ResNet-50 stage shape at `ratio`; another family: one of its network's SE blocks at 224 (`se`), no ratio. */
  | { kind: 'se-block'; id: string; family: string; shape: [number, number, number, number]; ratio?: number; se?: FamilySe }
  | { kind: 'network'; id: string; model: string; batch: number; resolution: number; ratio?: number };

/** The distinct SE blocks of layer network `model` at 224x224 (shape, hidden width, gate, activation), in network order. */
export function familyBlocks(model: string): { shape: [number, number, number]; se: FamilySe }[] {
  const net = makeNetwork(model);
  if (!isLayerNet(net)) return [];
  const seen = new Map<string, { shape: [number, number, number]; se: FamilySe }>();
  for (const s of layerNetSeShapes(net, 224)) {
    const se = { hidden: hiddenWidth(s.se), gate: s.se.gate, hiddenActivation: s.se.hiddenActivation };
    seen.set(`${s.shape.join('x')}-h${se.hidden}-${se.gate}-${se.hiddenActivation}`, { shape: s.shape, se });
  }
  return [...seen.values()];
}

/** Every workload the options describe: SE blocks (ResNet-50 stage x batch x ratio; each other family's blocks x batch), networks (model x batch, SE models x network ratio). */
export function workloadsFor(families: string[], batches: number[], ratios: number[], models: string[], netBatches: number[], netRatios: number[], resolution: number): Workload[] {
  const out: Workload[] = [];
  if (families.includes('resnet50')) {
    for (const ratio of ratios) {
      for (const stage of [2, 3, 4, 5]) {
        const [c, h, w] = STAGE_SHAPES[stage]!;
        for (const n of batches) out.push({ kind: 'se-block', id: `se/stage${stage}-${c}x${h}x${w}/b${n}/r${ratio}`, family: 'resnet50', shape: [n, c, h, w], ratio });
      }
    }
  }
  for (const family of families.filter((f) => f !== 'resnet50')) {
    for (const { shape: [c, h, w], se } of familyBlocks(family)) {
      for (const n of batches) out.push({ kind: 'se-block', id: `se/${family}/${c}x${h}x${w}-h${se.hidden}/b${n}`, family, shape: [n, c, h, w], se });
    }
  }
  for (const model of models) {
    for (const batch of netBatches) {
      const rs = resNetSe(makeNetwork(model)) ? netRatios : [undefined];
      for (const ratio of rs) {
        const name = ratio === undefined ? model : `${model}-r${ratio}`;
        out.push({ kind: 'network', id: `net/${name}/${resolution}/b${batch}`, model, batch, resolution, ...(ratio === undefined ? {} : { ratio }) });
      }
    }
  }
  return out;
}

/** Everything a bench run does, resolved. */
export interface BenchPlan {
  devices: DeviceKind[] | undefined;
  impls: string[] | undefined;
  /** What is timed, after the --case filter. */
  workloads: Workload[];
  ratios: number[];
  resolution: number;
  quick: boolean;
  minTimeMs: number;
  minSamples: number;
  /** Pairs of each network comparison at least (samples of each network row: pairs.ts). */
  netMinSamples: number;
  /** Pairs go on until the SE overhead's 95% interval is within +-this percent of the ratio... */
  precisionPct: number;
  /** ...or this many seconds per comparison have passed. */
  pairBudgetS: number;
  /** Also profile each network per operator type, plain against SE (bench/profile.ts). */
  profile: boolean;
  torch: { threads: number } | undefined;
  out: string | undefined;
  compare: { path: string; maxSlowdownPct: number } | undefined;
  json: boolean;
}

function intList(option: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const parts = splitList(value);
  if (parts.length === 0) throw new UsageError(`--${option} is empty; give a comma-separated list of positive integers`);
  return [...new Set(parts.map((p) => positiveInt(option, p)))];
}

function percent(option: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!m) throw new UsageError(`--${option} must be a percentage such as 10%, got "${value}"`);
  return Number(m[1]);
}

/** --precision: a percentage in (0, 50]. */
function precision(value: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  const p = m ? Number(m[1]) : NaN;
  if (!m || !(p > 0) || p > MAX_PRECISION_PCT) {
    throw new UsageError(`--precision must be a percentage above 0 and at most ${MAX_PRECISION_PCT}%, such as 1.5%, got "${value}"`);
  }
  return p;
}

/** --pair-budget: seconds per comparison, above 0 and at most an hour. */
function pairBudget(value: string): number {
  const s = Number(value);
  if (value.trim() === '' || !Number.isFinite(s) || s <= 0 || s > 3600) throw new UsageError(`--pair-budget must be a number of seconds above 0 and at most 3600, such as 30, got "${value}"`);
  return s;
}

/** --out: a path, never empty (an empty value would write into the current folder). */
function outFolder(value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError('--out is empty; give the folder to write the results into (created if missing), or leave --out out for reports/<time>-<host>/');
  return value;
}

function filterWorkloads(all: Workload[], globs: string | undefined): Workload[] {
  if (globs === undefined) return all;
  const ids = selectByGlobs(all.map((w) => w.id), splitList(globs), 'workload');
  return all.filter((w) => ids.includes(w.id));
}

/** Resolves and validates the options; throws UsageError naming the bad value. */
export function benchPlan(v: BenchValues): BenchPlan {
  const quick = v.quick ?? false;
  const families = v.blocks === undefined ? DEFAULT_BLOCK_FAMILIES : splitList(v.blocks);
  if (v.blocks !== undefined && families.length === 0) throw new UsageError(`--blocks is empty; give one or more of ${BLOCK_FAMILIES.join(', ')}, or --blocks=none`);
  const blockFamilies = families.length === 1 && families[0] === 'none' ? [] : [...new Set(families)];
  for (const f of blockFamilies) {
    if (!BLOCK_FAMILIES.includes(f)) throw new UsageError(`--blocks: unknown SE block family "${f}"; valid: ${BLOCK_FAMILIES.join(', ')}, none`);
  }
  const batches = intList('batch', v.batch, quick ? [2] : [8]);
  const ratios = intList('ratios', v.ratios, quick ? [16] : [2, 4, 8, 16, 32]);
  for (const r of ratios) {
    const c = STAGE_SHAPES[2]![0];
    if (r > c) throw new UsageError(`--ratios: ratio ${r} is larger than the ${c} channels of stage 2 (the smallest SE block), whose hidden width would be 0; use ratios up to ${c}`);
  }
  const models = v.model === undefined ? DEFAULT_MODELS : splitList(v.model);
  if (v.model !== undefined && models.length === 0) throw new UsageError(`--model is empty; give one or more of ${MODEL_NAMES.join(', ')}, or --model=none`);
  const netModels = models.length === 1 && models[0] === 'none' ? [] : models;
  for (const m of netModels) if (!MODEL_NAMES.includes(m)) throw new UsageError(`unknown model "${m}"; valid models: ${MODEL_NAMES.join(', ')}, none`);
  const resolution = v.resolution === undefined ? (quick ? 64 : 224) : positiveInt('resolution', v.resolution);
  const minTimeMs = v['min-time'] === undefined ? (quick ? 50 : 400) : Number(v['min-time']);
  if (!Number.isFinite(minTimeMs) || minTimeMs <= 0) throw new UsageError(`--min-time must be a positive number of milliseconds, got "${v['min-time']}"`);
  // Upper limits: past them one measurement would run for hours (the run has dozens).
  if (minTimeMs > MAX_MIN_TIME_MS) throw new UsageError(`--min-time=${v['min-time']} is over ${MAX_MIN_TIME_MS} ms (10 minutes) per measurement; give ${MAX_MIN_TIME_MS} or less`);
  const minSamples = v['min-samples'] === undefined ? (quick ? 5 : 10) : positiveInt('min-samples', v['min-samples']);
  if (minSamples > MAX_MIN_SAMPLES) throw new UsageError(`--min-samples=${v['min-samples']} is over ${MAX_MIN_SAMPLES} per measurement (a slow implementation would take hours); give ${MAX_MIN_SAMPLES} or less`);
  const maxSlowdown = v['max-slowdown'];
  if (maxSlowdown !== undefined && v.compare === undefined) throw new UsageError('--max-slowdown needs --compare=BASELINE.json');
  // Networks at one ratio unless asked: a whole network's latency barely moves with r (its FCs are a fraction of a percent
  // of its MACs), so a network sweep measures mostly noise and costs a minute per ratio; the SE block sweep shows the trade.
  const netRatios = intList('net-ratios', v['net-ratios'], [ratioClosestToPaper(ratios)!]);
  for (const r of netRatios) {
    if (r > STAGE_SHAPES[2]![0]) throw new UsageError(`--net-ratios: ratio ${r} is larger than the ${STAGE_SHAPES[2]![0]} channels of the first SE block, whose hidden width would be 0; use ratios up to ${STAGE_SHAPES[2]![0]}`);
  }
  const netSamples = v['net-samples'] === undefined ? (quick ? 3 : NET_MIN_PAIRS) : positiveInt('net-samples', v['net-samples']);
  if (netSamples > MAX_MIN_SAMPLES) throw new UsageError(`--net-samples=${v['net-samples']} is over ${MAX_MIN_SAMPLES} per network; give ${MAX_MIN_SAMPLES} or less`);
  const workloads = filterWorkloads(workloadsFor(blockFamilies, batches, ratios, netModels, intList('net-batch', v['net-batch'], [1]), netRatios, resolution), v.case);
  return {
    devices: parseDevices(v.device),
    impls: v.impl === undefined ? undefined : splitList(v.impl),
    workloads,
    ratios, resolution,
    quick, minTimeMs,
    minSamples,
    netMinSamples: netSamples,
    precisionPct: v.precision === undefined ? PRECISION_PCT : precision(v.precision),
    pairBudgetS: v['pair-budget'] === undefined ? (quick ? 2 : PAIR_BUDGET_S) : pairBudget(v['pair-budget']),
    profile: v.profile ?? false,
    torch: v['no-torch'] ? undefined : { threads: v['torch-threads'] === undefined ? 1 : positiveInt('torch-threads', v['torch-threads']) },
    out: outFolder(v.out),
    compare: v.compare === undefined ? undefined : { path: v.compare, maxSlowdownPct: maxSlowdown === undefined ? 10 : percent('max-slowdown', maxSlowdown) },
    json: v.json ?? false,
  };
}
