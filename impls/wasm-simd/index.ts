/**
 * `wasm-simd` (and `wasm-simd-mt`): a fused SE block hand-written in
 * WebAssembly text with SIMD128 (se.wat), assembled at run time by wabt.
 * Float32, NCHW. Per group of samples: pool every plane (f32x4), both FCs as a
 * GEMM over the group (f32x4 over the output dimension), SIMD sigmoid or hard
 * sigmoid gate (SiLU, tanh, sigmoid or ReLU between the FCs), scale
 * every plane. With `threads`, the work is split over worker threads sharing
 * one WebAssembly.Memory (threads.ts).
 */
import { availableParallelism } from 'node:os';
import { type Availability, type PreparedBlock, type SeImplementation, type SeSpec, type Weights } from '../../harness/api.ts';
import { AssembleError, kernelModule } from './assemble.ts';
import { WasmSeBlock, type BlockOptions } from './block.ts';
import { WasmSeBlockMt } from './threads.ts';

/** Options of WasmSimdImplementation. */
export interface WasmSimdOptions extends BlockOptions {
  /**
   * Most threads for avg/max-squeeze blocks, the calling thread included;
   * 'auto' = os.availableParallelism(). Each run uses as many of them as its
   * work pays for (thread-plan.ts). Absent: single-threaded, no workers.
   */
  threads?: number | 'auto';
  /** Registry name; default `wasm-simd`, or `wasm-simd-mt` when `threads` is given. */
  name?: string;
}

/** The hand-written WebAssembly SIMD128 SE kernel behind the SeImplementation interface. */
export class WasmSimdImplementation implements SeImplementation {
  readonly name: string;
  readonly device = 'cpu';
  readonly layout = 'NCHW';
  readonly precision = 'fp32';
  readonly description: string;
  /** Most threads an avg/max-squeeze run uses (1: no workers); threadsFor on a prepared block says how many a shape gets. */
  readonly threads: number;
  readonly #options: BlockOptions;

  constructor(options: WasmSimdOptions = {}) {
    const t = options.threads === 'auto' ? availableParallelism() : options.threads ?? 1;
    if (!Number.isInteger(t) || t < 1) throw new RangeError(`wasm-simd: threads must be an integer >= 1 or 'auto', got ${JSON.stringify(options.threads)}`);
    this.threads = t;
    this.name = options.name ?? (options.threads === undefined ? 'wasm-simd' : 'wasm-simd-mt');
    this.description = `hand-written WebAssembly SIMD128 (WAT, assembled by wabt), fused pool/FC/scale, ${t > 1 ? `up to ${t} threads, chosen per workload` : '1 thread'}`;
    this.#options = { ...(options.groupBytes !== undefined ? { groupBytes: options.groupBytes } : {}), ...(options.minUsPerThread !== undefined ? { minUsPerThread: options.minUsPerThread } : {}) };
  }

  /** Assembles and compiles the kernels on first call (cached); never throws. */
  async probe(): Promise<Availability> {
    try {
      if (this.threads > 1 && typeof SharedArrayBuffer !== 'function') {
        return { available: false, reason: 'SharedArrayBuffer is not available in this JavaScript engine', installHint: 'use Node >= 16, or wasm-simd (single-threaded)' };
      }
      await kernelModule(this.threads > 1);
      return { available: true, detail: `Node ${process.version}, WebAssembly SIMD128, ${this.threads > 1 ? `up to ${this.threads} threads (per workload)` : '1 thread'}` };
    } catch (e) {
      const installHint = e instanceof AssembleError ? e.installHint : 'npm install wabt';
      return { available: false, reason: e instanceof Error ? e.message : String(e), installHint };
    }
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<PreparedBlock> {
    if (this.threads === 1) return new WasmSeBlock(this.name, spec, weights, await kernelModule(), this.#options);
    const block = new WasmSeBlockMt(this.name, spec, weights, await kernelModule(true), this.#options, this.threads);
    await block.start();
    return block;
  }
}
