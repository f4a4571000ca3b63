/**
 * Golden tensors: reads golden/manifest.json, checks every file's sha256 before
 * use, regenerates PRNG-drawn tensors that are not stored, rebuilds an SE
 * block's output from its input and gate where PyTorch's output is exactly
 * their float32 product, and checks each tensor's own sha256 (PyTorch's), so
 * a corrupt file or a drifting PRNG is named, never used.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BottleneckSpec } from '../model/bottleneck.ts';
import { makeNetwork, type NetworkSpec } from '../model/network.ts';
import { TORCHVISION_NETS } from '../model/torchvision-nets.ts';
import { goldenSource, REPO_ROOT } from './paths.ts';
import { PRNG_ID, uniform, type PrngDraw } from './prng.ts';
import { getF32, parseSafetensors, type SafetensorsFile } from './safetensors.ts';
import type { SeSpec } from '../model/spec.ts';
import { sameShape, sizeOf, type Tensor } from './tensor.ts';

/** The checkout's golden directory (what `npm run golden` writes); GoldenSet reads goldenSource(), this unless `--golden` chose another. */
export const GOLDEN_DIR = resolve(REPO_ROOT, 'golden');

/**
 * Where a tensor lives: in a file (by key), drawn from the PRNG, or both; or,
 * for an SE block's output, `derived: 'input*gate'`: golden.py found PyTorch's
 * output bit-identical to input x gate (broadcast over the plane) and stored
 * only its sha256, which the rebuilt tensor must match.
 */
export interface TensorRef {
  shape: number[];
  sha256: string;
  file?: string;
  key?: string;
  prng?: PrngDraw;
  derived?: 'input*gate';
}

export type ToleranceClass = 'se-block' | 'bottleneck' | 'network';

interface CaseCommon {
  id: string;
  source: string;
  tolerance: ToleranceClass;
  params: number;
  tensors: { input: TensorRef; output: TensorRef; gate?: TensorRef };
  weights: Record<string, TensorRef>;
}

/** A whole network: `output` is the logits; stage outputs and SE gates are checked too. */
export interface NetworkCase extends CaseCommon {
  kind: 'network';
  /** In the manifest, torchvision's layer networks are just `{ "name": ... }`; GoldenSet expands them with makeNetwork. */
  spec: NetworkSpec;
  /** Outputs of layer1..layer4 (paper stages 2..5), or of each stage of a layer network (`features.3`). */
  stages: Record<string, TensorRef>;
  /** SE gate of each block that has one, by block name (`layer1.0`), or by SE module name in a layer network (`features.4.block.2`). */
  gates: Record<string, TensorRef>;
  /** Conv + FC multiply-adds per image at the case's resolution, counted by PyTorch forward hooks. */
  macs: number;
  /** Params and MACs at 224x224, counted by PyTorch: an independent check of harness/model/count.ts. */
  cost224: { params: number; macs: number };
}

/** A golden case as recorded in the manifest. */
export type GoldenCase = (CaseCommon & { kind: 'se'; spec: SeSpec }) | (CaseCommon & { kind: 'bottleneck'; spec: BottleneckSpec }) | NetworkCase;

export interface GoldenManifest {
  schema: number;
  generator: Record<string, string>;
  files: Record<string, string>;
  cases: GoldenCase[];
}

/** A case with its tensors loaded and verified. */
export interface LoadedCase {
  case: GoldenCase;
  input: Tensor;
  output: Tensor;
  gate?: Tensor;
  weights: Record<string, Tensor>;
  /** Network cases: stage outputs and SE gates by name. */
  stages?: Record<string, Tensor>;
  gates?: Record<string, Tensor>;
}

/** Error for missing, corrupt or inconsistent golden data; the message says how to fix it. */
export class GoldenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoldenError';
  }
}

/** The fix for se-bench's own golden data: the committed copy can be regenerated or restored. */
const REGENERATE = 'run `npm run golden` to regenerate it (needs python3-torch), or `git checkout golden/` to restore the committed copy';
/** The fix for a folder of the user's own cases: git has no copy of it, and golden --cases never overwrites one. */
const REGENERATE_OWN = 'this folder holds your own cases: regenerate them with `se-bench golden --cases=FILE.json --out=NEW_DIR` '
  + '(the cases file it was made from, into a new or empty folder; needs python3-torch) and pass --golden=NEW_DIR';

function sameDir(a: string, b: string): boolean {
  const real = (d: string) => (existsSync(d) ? realpathSync(d) : resolve(d));
  return real(a) === real(b);
}

/**
 * A folder `se-bench golden --cases` made: SE cases only (our golden/ always
 * holds bottleneck and network cases too), and not the checkout's golden/.
 */
function isOwnCases(dir: string, manifest: GoldenManifest | undefined): boolean {
  const cases: unknown = manifest?.cases;
  return Array.isArray(cases) && cases.length > 0 && cases.every((c) => (c as GoldenCase | null)?.kind === 'se') && !sameDir(dir, GOLDEN_DIR);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `t` if its shape and sha256 are the manifest's; otherwise a GoldenError naming where it came from. */
function verified(t: Tensor, ref: TensorRef, what: string, origin: string, fix: string): Tensor {
  if (!sameShape(t.shape, ref.shape)) {
    throw new GoldenError(`${what} ${origin}: shape [${t.shape.join(', ')}] differs from the manifest's [${ref.shape.join(', ')}]; ${fix}`);
  }
  const got = sha256(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  if (got !== ref.sha256) throw new GoldenError(`${what} ${origin} has sha256 ${got}, manifest says ${ref.sha256}; ${fix}`);
  return t;
}

/**
 * y = x * gate in float32, the gate broadcast over each plane ([N, C]) or
 * elementwise (NoSqueeze's [N, C, H, W]). One float32 multiply per element,
 * correctly rounded, as PyTorch's: bit-identical, which the digest confirms.
 */
function inputTimesGate(x: Tensor, gate: Tensor, fix: string): Tensor {
  const y = new Float32Array(x.data.length);
  const per = x.data.length / Math.max(1, gate.data.length);
  if (!Number.isInteger(per)) throw new GoldenError(`input [${x.shape.join(', ')}] and gate [${gate.shape.join(', ')}] do not broadcast; ${fix}`);
  for (let i = 0; i < y.length; i++) y[i] = x.data[i]! * gate.data[Math.floor(i / per)]!;
  return { shape: [...x.shape], data: y };
}

/** Golden data in one directory; files are verified once and cached. */
export class GoldenSet {
  readonly manifest: GoldenManifest;
  readonly #files = new Map<string, SafetensorsFile>();
  /** How to repair this folder, ending every integrity message: ours is restored, a user's own is regenerated. */
  readonly #fix: string;

  constructor(readonly dir = goldenSource().dir) {
    const path = join(dir, 'manifest.json');
    const pinned = dir === goldenSource().dir ? goldenSource() : undefined;
    if (!existsSync(path)) {
      throw new GoldenError(`golden manifest not found at ${path}: ${pinned?.hint ?? 'run `npm run golden` to create it (needs python3-torch)'}`);
    }
    const bytes = readFileSync(path);
    let manifest: GoldenManifest | undefined;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as GoldenManifest;
    } catch (e) {
      if (!pinned?.manifestSha256) throw new GoldenError(`${path} is not valid JSON (${(e as Error).message}); ${REGENERATE}`);
    }
    // The pin (the portable pack) ties the code to our golden/ at build time; a user's own cases are no part of
    // that data, are self-checked by their digests and PRNG id below, so any build may read them.
    const own = isOwnCases(dir, manifest);
    if (pinned?.manifestSha256 && sha256(bytes) !== pinned.manifestSha256 && !own) {
      throw new GoldenError(`${path} is not the golden data this build was made with (manifest sha256 ${sha256(bytes).slice(0, 12)}..., `
        + `expected ${pinned.manifestSha256.slice(0, 12)}...): ${pinned.hint ?? 'point --golden at the matching golden/ folder'}`);
    }
    this.manifest = manifest!;
    this.#fix = own ? REGENERATE_OWN : REGENERATE;
    if (this.manifest?.schema !== 1 || !Array.isArray(this.manifest.cases)) {
      throw new GoldenError(`${path}: unsupported manifest schema ${JSON.stringify(this.manifest?.schema)}; ${this.#fix}`);
    }
    if (this.manifest.generator?.prng !== PRNG_ID) {
      throw new GoldenError(`${path} was made with PRNG ${this.manifest.generator?.prng}, this harness has ${PRNG_ID}; ${this.#fix}`);
    }
    for (const c of this.manifest.cases) {
      if (c.kind !== 'network' || 'blocks' in c.spec || 'trunk' in c.spec) continue;
      // torchvision's layer networks are recorded by name (scripts/golden.py builds torchvision's own modules).
      const name = (c.spec as { name?: unknown }).name;
      if (typeof name !== 'string' || !(name in TORCHVISION_NETS)) throw new GoldenError(`${path}: case ${c.id} names an unknown network ${JSON.stringify(name)}; ${this.#fix}`);
      c.spec = makeNetwork(name);
    }
  }

  /** Case ids in manifest order. */
  ids(): string[] {
    return this.manifest.cases.map((c) => c.id);
  }

  /** The named case's manifest entry. */
  get(id: string): GoldenCase {
    const c = this.manifest.cases.find((x) => x.id === id);
    if (!c) throw new GoldenError(`unknown golden case "${id}"; valid ids: ${this.ids().join(', ')}`);
    return c;
  }

  #file(name: string): SafetensorsFile {
    const cached = this.#files.get(name);
    if (cached) return cached;
    const want = this.manifest.files[name];
    const path = join(this.dir, name);
    if (want === undefined) throw new GoldenError(`manifest refers to ${name} but lists no sha256 for it; ${this.#fix}`);
    if (!existsSync(path)) throw new GoldenError(`golden file ${path} is missing; ${this.#fix}`);
    const bytes = readFileSync(path);
    const got = sha256(bytes);
    if (got !== want) {
      throw new GoldenError(`golden file ${path} is corrupt or edited: sha256 ${got}, manifest says ${want}; ${this.#fix}`);
    }
    const parsed = parseSafetensors(bytes, path);
    this.#files.set(name, parsed);
    return parsed;
  }

  /** Resolves one tensor reference and checks its shape and sha256. */
  tensor(ref: TensorRef, what: string): Tensor {
    if (ref.file && ref.key) return verified(getF32(this.#file(ref.file), ref.key, join(this.dir, ref.file)), ref, what, `from ${ref.file}`, this.#fix);
    if (ref.prng) {
      const origin = `regenerated from PRNG stream "${ref.prng.stream}" (seed ${ref.prng.seed})`;
      return verified({ shape: [...ref.shape], data: uniform(sizeOf(ref.shape), ref.prng) }, ref, what, origin, this.#fix);
    }
    throw new GoldenError(`${what}: manifest entry has neither a file nor a PRNG draw; ${this.#fix}`);
  }

  /** Loads and verifies every tensor of a case. */
  load(id: string): LoadedCase {
    const c = this.get(id);
    const weights: Record<string, Tensor> = {};
    for (const [name, ref] of Object.entries(c.weights)) weights[name] = this.tensor(ref, `${id} weight ${name}`);
    const input = this.tensor(c.tensors.input, `${id} input`);
    const gate = c.tensors.gate && this.tensor(c.tensors.gate, `${id} gate`);
    const out = c.tensors.output;
    let output: Tensor;
    if (out.derived === 'input*gate') {
      if (!gate) throw new GoldenError(`${id} output: derived from input*gate, but the case has no gate; ${this.#fix}`);
      output = verified(inputTimesGate(input, gate, this.#fix), out, `${id} output`, 'rebuilt as input*gate', this.#fix);
    } else {
      output = this.tensor(out, `${id} output`);
    }
    const loaded: LoadedCase = { case: c, input, output, weights };
    if (gate) loaded.gate = gate;
    if (c.kind === 'network') {
      const all = (refs: Record<string, TensorRef>, what: string): Record<string, Tensor> =>
        Object.fromEntries(Object.entries(refs).map(([k, r]) => [k, this.tensor(r, `${id} ${what} ${k}`)]));
      loaded.stages = all(c.stages, 'stage');
      loaded.gates = all(c.gates, 'gate');
    }
    return loaded;
  }
}
