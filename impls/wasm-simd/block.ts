/**
 * One prepared SE block on its own WebAssembly.Memory: packed weights at the
 * bottom, then input, output, gate and scratch, sized for the largest input
 * seen so far (the memory grows on a bigger one). Outputs are views into the
 * heap: valid until the next run, stage or dispose.
 */
import { type BlockOutput, type PreparedBlock, type SeSpec, type Tensor, type Weights, dims4, hiddenWidth } from '../../harness/api.ts';
import { MAX_PAGES, activationCode, instantiate, type SeKernels } from './assemble.ts';
import { squeezeJob, type JobParams } from './pipeline.mjs';
import type { RunWork } from './thread-plan.ts';

const PAGE = 65536;
/** Region alignment in bytes: a cache line, so regions never share one. */
const ALIGN = 64;
/** GEMM tiles are 16 outputs wide, so padded widths are multiples of 16. */
const pad16 = (v: number): number => Math.ceil(v / 16) * 16;
const align = (bytes: number): number => Math.ceil(bytes / ALIGN) * ALIGN;

/** Tuning of a block. */
export interface BlockOptions {
  /**
   * Samples are processed in groups of at most this many input bytes (at
   * least one sample). The FCs are a GEMM over the group's samples, so bigger
   * groups read each weight fewer times; each group after the first is pooled
   * inside the previous group's scale loop (pipeline.mjs), so where a batch
   * exceeds the L3 its second read still comes from cache. Measured here
   * (interleaved, 20 rounds, 8x256x56x56 and 8x512x28x28): 1-sample groups
   * lost 5-14% (the FC weights re-read per sample, a call per sample), 4 MB
   * groups were level with 16 MiB, and the whole batch in L3 (512x28x28 on)
   * leaves nothing for the schedule to win. Default 16 MiB: 5 samples of
   * 256x56x56, a whole batch of 8 from 512x28x28 on.
   */
  groupBytes?: number;
  /** wasm-simd-mt: estimated work per thread below which a run uses fewer threads (thread-plan.ts; 0 always uses every thread). */
  minUsPerThread?: number;
}

/** Sizes in float32 elements of every run-dependent region. */
interface Sizes { x: number; gate: number; s: number; z: number; o: number }
/** Byte offsets of the regions for the current sizes. */
interface Layout extends Sizes { xOff: number; yOff: number; gateOff: number; sOff: number; zOff: number; oOff: number }

/**
 * A Linear weight [out, in] (row-major) packed for the GEMM kernel: transposed
 * to [in, out], out zero-padded to a multiple of 16 and cut into panels of 16
 * outputs, each panel `in` consecutive rows of 16 floats.
 */
export function packPanels(w: Float32Array, out: number, inner: number): Float32Array {
  const packed = new Float32Array(pad16(out) * inner);
  for (let o = 0; o < out; o++) {
    const panel = (o >> 4) * inner * 16 + (o & 15);
    for (let i = 0; i < inner; i++) packed[panel + i * 16] = w[o * inner + i]!;
  }
  return packed;
}

/** Weights packed for the GEMM kernel, biases zero-padded (and all zero when the spec has none). */
export function packWeights(spec: SeSpec, weights: Weights): { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array } {
  const c = spec.channels;
  const rd = hiddenWidth(spec);
  // Linear [out, in] and conv1x1 [out, in, 1, 1] hold the same numbers in the same order.
  const w1 = packPanels(weights['fc1.weight']!.data, rd, c);
  const w2 = packPanels(weights['fc2.weight']!.data, c, rd);
  const b1 = new Float32Array(pad16(rd));
  const b2 = new Float32Array(pad16(c));
  if (spec.bias1) b1.set(weights['fc1.bias']!.data);
  if (spec.bias2) b2.set(weights['fc2.bias']!.data);
  return { w1, b1, w2, b2 };
}

/** The SE block behind PreparedBlock; `name` prefixes error messages. */
export class WasmSeBlock implements PreparedBlock {
  readonly #spec: SeSpec;
  /** The compiled kernels (the shared-memory build when threads > 1), for worker threads. */
  protected readonly module: WebAssembly.Module;
  readonly #rd: number;
  readonly #rdPad: number;
  readonly #cPad: number;
  readonly #groupBytes: number;
  /** `activate` codes of the hidden activation and the gate. */
  readonly #act: number;
  readonly #gateAct: number;
  #memory: WebAssembly.Memory | undefined;
  /** The kernels instantiated on this block's memory (main thread). */
  protected readonly kernels: SeKernels;
  /** Byte offsets of the packed weights. */
  readonly #w: { w1: number; b1: number; w2: number; b2: number; end: number };
  #layout: Layout | undefined;
  #heap: Float32Array;
  /** The view stage() returned last, while the input region still holds it. */
  #staged: Float32Array | undefined;
  /** Every view stage() returned, to refuse stale ones instead of reading whatever the region holds now. */
  readonly #handedOut = new WeakSet<Float32Array>();

  /** Scratch copies, one per thread of a job. */
  readonly #threads: number;

  /**
   * `threads` > 1 (wasm-simd-mt): a shared memory, so `module` must be
   * kernelModule(true), and one scratch set per thread.
   */
  constructor(readonly name: string, spec: SeSpec, weights: Weights, module: WebAssembly.Module, options: BlockOptions = {}, threads = 1) {
    const shared = threads > 1;
    // Before any allocation: an unsupported activation or gate is refused, by name.
    this.#act = activationCode(name, 'hiddenActivation', spec.hiddenActivation);
    this.#gateAct = activationCode(name, 'gate', spec.gate);
    this.#threads = threads;
    this.#spec = spec;
    this.module = module;
    this.#rd = hiddenWidth(spec);
    this.#rdPad = pad16(this.#rd);
    this.#cPad = pad16(spec.channels);
    this.#groupBytes = options.groupBytes ?? 16 << 20;
    const p = packWeights(spec, weights);
    const w1 = 0;
    const b1 = align(w1 + p.w1.byteLength);
    const w2 = align(b1 + p.b1.byteLength);
    const b2 = align(w2 + p.w2.byteLength);
    const end = align(b2 + p.b2.byteLength);
    this.#w = { w1, b1, w2, b2, end };
    const initial = Math.max(1, Math.ceil(end / PAGE));
    // A shared memory must declare its maximum; growing it keeps one buffer alive for every thread.
    this.#memory = new WebAssembly.Memory(shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial });
    this.kernels = instantiate(module, this.#memory);
    this.#heap = new Float32Array(this.#memory.buffer);
    this.#heap.set(p.w1, w1 / 4);
    this.#heap.set(p.b1, b1 / 4);
    this.#heap.set(p.w2, w2 / 4);
    this.#heap.set(p.b2, b2 / 4);
  }

  /** Samples per group for planes of `hw` values (NoSqueeze always goes one sample at a time). */
  #groupRows(n: number, hw: number): number {
    const sampleBytes = this.#spec.channels * hw * 4;
    return Math.max(1, Math.min(n, Math.floor(this.#groupBytes / Math.max(1, sampleBytes))));
  }

  #sizes(n: number, hw: number): Sizes {
    const c = this.#spec.channels;
    const x = n * c * hw;
    if (this.#spec.squeeze === 'none') return { x, gate: x, s: hw * c, z: hw * this.#rdPad, o: hw * this.#cPad };
    const g = this.#groupRows(n, hw);
    const t = this.#threads;
    return { x, gate: n * c, s: t * align(g * c * 4) / 4, z: t * g * this.#rdPad, o: t * g * this.#cPad };
  }

  /** Makes the heap hold regions of at least `need`; re-plans (and grows the memory) only when they do not fit. */
  #ensure(need: Sizes): Layout {
    const memory = this.#memory;
    if (!memory) throw new Error(`${this.name}: the block was disposed`);
    const old = this.#layout;
    if (old && old.x >= need.x && old.gate >= need.gate && old.s >= need.s && old.z >= need.z && old.o >= need.o) return old;
    const size = (k: keyof Sizes): number => Math.max(need[k], old?.[k] ?? 0);
    const s: Sizes = { x: size('x'), gate: size('gate'), s: size('s'), z: size('z'), o: size('o') };
    // Input first, right after the weights, so it moves only when it must grow.
    const xOff = this.#w.end;
    const yOff = align(xOff + s.x * 4);
    const gateOff = align(yOff + s.x * 4);
    const sOff = align(gateOff + s.gate * 4);
    const zOff = align(sOff + s.s * 4);
    const oOff = align(zOff + s.z * 4);
    const end = align(oOff + s.o * 4);
    const pages = Math.ceil(end / PAGE);
    if (pages > MAX_PAGES) {
      throw new RangeError(`${this.name}: this input needs ${(end / 2 ** 30).toFixed(2)} GiB of WebAssembly memory; wasm32 allows 4 GiB: use a smaller batch`);
    }
    const have = memory.buffer.byteLength / PAGE;
    if (pages > have) {
      try {
        memory.grow(pages - have);
      } catch (e) {
        throw new RangeError(`${this.name}: cannot grow WebAssembly memory to ${pages * PAGE} bytes: ${(e as Error).message}`);
      }
    }
    this.#layout = { ...s, xOff, yOff, gateOff, sOff, zOff, oOff };
    return this.#layout;
  }

  /** A Float32Array over the whole heap, renewed after growth detached the old buffer. */
  #view(): Float32Array {
    const buffer = this.#memory!.buffer;
    if (this.#heap.buffer !== buffer) this.#heap = new Float32Array(buffer);
    return this.#heap;
  }

  #check(x: Tensor): [number, number, number, number] {
    const d = dims4(x, `${this.name} SE`);
    if (d[1] !== this.#spec.channels) throw new RangeError(`${this.name} SE: input has ${d[1]} channels, the block expects ${this.#spec.channels}`);
    const elems = d[0] * d[1] * d[2] * d[3];
    if (x.data.length !== elems) {
      throw new RangeError(`${this.name} SE: input data has ${x.data.length} elements, shape [${d.join(', ')}] needs ${elems}`
        + (x.data.length === 0 ? ' (a staged tensor is invalid once a bigger input grew the memory: stage it again)' : ''));
    }
    return d;
  }

  /**
   * Copies x into the heap's input region and returns a tensor viewing it; run
   * on that tensor skips its copy-in. It stays valid until another input is
   * staged or copied in by run (then run refuses it, naming the fix) or, for a
   * non-shared memory, until a bigger input grows the memory (its buffer is
   * detached). The input region never moves, as it sits right after the weights.
   */
  stage(x: Tensor): Tensor {
    const [n, , h, w] = this.#check(x);
    const l = this.#ensure(this.#sizes(n, h * w));
    const heap = this.#view();
    heap.set(x.data, l.xOff / 4);
    const data = heap.subarray(l.xOff / 4, l.xOff / 4 + x.data.length);
    this.#staged = data;
    this.#handedOut.add(data);
    return { shape: [...x.shape], data };
  }

  async run(x: Tensor): Promise<BlockOutput> {
    const [n, c, h, w] = this.#check(x);
    const hw = h * w;
    const l = this.#ensure(this.#sizes(n, hw));
    const heap = this.#view();
    const elems = n * c * hw;
    // The current staged tensor is read in place; an older one no longer holds
    // its values; anything else (another view of this heap included) is copied in.
    if (x.data !== this.#staged) {
      if (this.#handedOut.has(x.data)) {
        throw new Error(`${this.name} SE: this staged tensor is stale (another input was staged or run since): stage it again`);
      }
      heap.set(x.data, l.xOff / 4);
      this.#staged = undefined;
    }
    if (this.#spec.squeeze === 'none') this.#runNoSqueeze(l, n, hw);
    else this.runJob(this.#job(l, n, hw));
    const buffer = heap.buffer;
    const gateShape = this.#spec.squeeze === 'none' ? [n, c, h, w] : [n, c];
    const gateLen = this.#spec.squeeze === 'none' ? elems : n * c;
    return {
      y: { shape: [n, c, h, w], data: new Float32Array(buffer, l.yOff, elems) },
      gate: { shape: gateShape, data: new Float32Array(buffer, l.gateOff, gateLen) },
    };
  }

  /** The avg/max-squeeze job for the whole batch (see squeezeJob in pipeline.mjs). */
  #job(l: Layout, n: number, hw: number): JobParams {
    const c = this.#spec.channels;
    const g = this.#groupRows(n, hw);
    return {
      n, c, hw, group: g, rd: this.#rd, rdPad: this.#rdPad, cPad: this.#cPad,
      max: this.#spec.squeeze === 'max' ? 1 : 0, act: this.#act, gateAct: this.#gateAct,
      x: l.xOff, y: l.yOff, gate: l.gateOff, s: l.sOff, z: l.zOff, o: l.oOff,
      // Per-thread scratch strides; the layout holds #threads copies (sized by #sizes for this n and hw).
      sStride: align(g * c * 4), zStride: g * this.#rdPad * 4, oStride: g * this.#cPad * 4,
      w1: this.#w.w1, b1: this.#w.b1, w2: this.#w.w2, b2: this.#w.b2, threads: this.threadsFor([n, c, hw, 1]),
    };
  }

  /**
   * Threads a run on an input of `shape` [N, C, H, W] uses (the bench records
   * it per row and sets the row against the copy of as many threads). One
   * here; wasm-simd-mt chooses per workload (thread-plan.ts).
   */
  threadsFor(shape: readonly number[]): number {
    void shape;
    return 1;
  }

  /** The workload of a run on `shape`, for the thread choice. */
  protected runWork(shape: readonly number[]): RunWork {
    const c = this.#spec.channels;
    return { n: shape[0]!, sampleBytes: c * shape[2]! * shape[3]! * 4, fcMacsPerSample: 2 * c * this.#rd };
  }

  /** True for NoSqueeze blocks, which run on the calling thread alone. */
  protected get noSqueeze(): boolean {
    return this.#spec.squeeze === 'none';
  }

  /** Runs an avg/max-squeeze job; the multi-threaded block overrides this to share it with workers. */
  protected runJob(job: JobParams): void {
    squeezeJob(this.kernels, job, 0, 1);
  }

  /**
   * NoSqueeze (the paper's ablation): the excitation runs on every pixel's
   * channel vector. Each sample's [C, HW] planes are transposed to [HW, C] rows
   * so the same GEMM serves, and the [HW, C] gate is transposed back.
   */
  #runNoSqueeze(l: Layout, n: number, hw: number): void {
    const k = this.kernels;
    const c = this.#spec.channels;
    const act = this.#act;
    const sampleBytes = c * hw * 4;
    for (let b = 0; b < n; b++) {
      const xs = l.xOff + b * sampleBytes;
      const gs = l.gateOff + b * sampleBytes;
      k.transpose(xs, hw, l.sOff, c, c, hw);
      k.gemm(l.sOff, c, hw, this.#w.w1, c, this.#rdPad, this.#w.b1, l.zOff, 0, this.#rdPad / 16);
      k.activate(l.zOff, hw * this.#rdPad, act);
      k.gemm(l.zOff, this.#rdPad, hw, this.#w.w2, this.#rd, this.#cPad, this.#w.b2, l.oOff, 0, this.#cPad / 16);
      k.activate(l.oOff, hw * this.#cPad, this.#gateAct);
      k.transpose(l.oOff, this.#cPad, gs, hw, hw, c);
      k.mul(xs, gs, l.yOff + b * sampleBytes, c * hw);
    }
  }

  /** Bytes of WebAssembly memory this block holds now. */
  get memoryBytes(): number {
    return this.#memory?.buffer.byteLength ?? 0;
  }

  /** The block's memory; throws once disposed. */
  protected get memory(): WebAssembly.Memory {
    if (!this.#memory) throw new Error(`${this.name}: the block was disposed`);
    return this.#memory;
  }

  dispose(): void | Promise<void> {
    // Dropping the last reference frees the memory; a later run fails clearly.
    this.#memory = undefined;
    this.#layout = undefined;
    this.#heap = new Float32Array(0);
  }
}
