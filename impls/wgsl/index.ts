/**
 * `wgsl-fused`: hand-written WGSL SE kernels on WebGPU in Node (Dawn), NCHW,
 * float32. Small planes (stage 5's 7x7) run one fused dispatch per batch, one
 * workgroup per sample; larger ones run squeeze, fc1, fc2 and scale
 * (kernels-split.ts); NoSqueeze runs two per-pixel kernels. Pipelines are
 * cached per device by compile-time key; shapes are uniforms.
 */
import { type Availability, type SeImplementation, type SeSpec, type Weights } from '../../harness/api.ts';
import { WgslSeBlock, type BlockConfig } from './block.ts';
import { defaultAdapterSource, GpuContext, NoAdapter, openContext, type AdapterSource } from './gpu.ts';
import { PipelineCache, type ShaderTransform } from './pipelines.ts';
import { DEFAULT_FUSED_MAX_HW, type PathOption } from './plan.ts';

export type { Path, PathOption } from './plan.ts';
export { WgslSeBlock } from './block.ts';

interface Opened {
  ctx: GpuContext;
  cache: PipelineCache;
}

/** Options of WgslImplementation; all optional. */
export interface WgslOptions {
  /** Registry name; default `wgsl-fused`. */
  name?: string;
  /** `auto` (default): fused when H*W <= fusedMaxHw and the block fits workgroup memory; `fused` / `split` force one path. */
  path?: PathOption;
  /** Largest H*W that `auto` sends to the fused kernel; default 64 (7x7 and 8x8 planes). */
  fusedMaxHw?: number;
  /**
   * Split path: process the batch in chunks of about this many input bytes, so
   * the scale pass can re-read x from L2 (try ~half the GPU's L2); default 0 =
   * the whole batch in one chunk.
   */
  chunkBytes?: number;
  /** Where the adapter comes from; default the process's Dawn instance. Tests inject a failing one. */
  requestAdapter?: AdapterSource;
  /** Test hook: rewrites each kernel's WGSL before compilation. */
  shaderTransform?: ShaderTransform;
  /**
   * Run on that implementation's device and share its pipeline cache (each
   * keeps its own path options): blocks of both compare on one device, and
   * kernels compile once. Excludes requestAdapter and shaderTransform.
   */
  sameDeviceAs?: WgslImplementation;
}

/** Hand-written WGSL SE kernels behind the SeImplementation interface (SE blocks only). */
export class WgslImplementation implements SeImplementation {
  readonly name: string;
  readonly device = 'webgpu';
  readonly layout = 'NCHW';
  readonly precision = 'fp32';
  readonly description: string;
  readonly #config: BlockConfig;
  readonly #source: AdapterSource;
  readonly #transform: ShaderTransform | undefined;
  /** The open device and its pipelines; replaced when the device is lost. */
  #current: Opened | undefined;
  #opening: Promise<Opened> | undefined;
  readonly #owner: WgslImplementation | undefined;
  /** Pipelines compiled on earlier, lost devices. */
  #createdBefore = 0;

  constructor(options: WgslOptions = {}) {
    this.name = options.name ?? 'wgsl-fused';
    const fusedMaxHw = options.fusedMaxHw ?? DEFAULT_FUSED_MAX_HW;
    const chunkBytes = options.chunkBytes ?? 0;
    if (!(fusedMaxHw >= 0)) throw new RangeError(`${this.name}: fusedMaxHw must be >= 0, got ${fusedMaxHw}`);
    if (!(chunkBytes >= 0)) throw new RangeError(`${this.name}: chunkBytes must be >= 0, got ${chunkBytes}`);
    this.#config = { path: options.path ?? 'auto', fusedMaxHw, chunkBytes };
    if (options.sameDeviceAs && (options.requestAdapter || options.shaderTransform)) {
      throw new Error(`${this.name}: sameDeviceAs takes the other implementation's adapter and compiled kernels; do not combine it with requestAdapter or shaderTransform`);
    }
    const other = options.sameDeviceAs;
    this.#owner = other ? (other.#owner ?? other) : undefined;
    this.#source = options.requestAdapter ?? defaultAdapterSource;
    this.#transform = options.shaderTransform;
    const path = this.#config.path === 'auto' ? `fused when H*W <= ${fusedMaxHw}, else squeeze/fc/scale` : `${this.#config.path} path forced`;
    this.description = `hand-written WGSL kernels on WebGPU (Dawn), fp32 NCHW; ${path}`;
  }

  /** The device context, opened on first call and reopened after the device was lost; a failed open is retried next time. */
  #context(): Promise<Opened> {
    if (this.#owner) return this.#owner.#context();
    const current = this.#current;
    if (current && current.ctx.lostReason === undefined) return Promise.resolve(current);
    if (current) {
      this.#createdBefore += current.cache.created;
      this.#current = undefined;
    }
    this.#opening ??= openContext(this.#source)
      .then((ctx) => (this.#current = { ctx, cache: new PipelineCache(ctx, this.#transform) }))
      .finally(() => { this.#opening = undefined; });
    return this.#opening;
  }

  /** Opens the adapter and device on first call; never throws. */
  async probe(): Promise<Availability> {
    try {
      const { ctx } = await this.#context();
      return { available: true, detail: ctx.detail };
    } catch (e) {
      const installHint = e instanceof NoAdapter ? e.installHint : 'npm install webgpu; see se-bench devices for the adapter Dawn finds';
      const message = e instanceof Error ? e.message : String(e);
      return { available: false, reason: message, installHint };
    }
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<WgslSeBlock> {
    const { ctx, cache } = await this.#context();
    return ctx.locked(() => ctx.scoped(`${this.name} SE prepare`, () => new WgslSeBlock(this.name, ctx, cache, spec, weights, this.#config)));
  }

  /** Pipelines compiled so far on this implementation's devices (shared with sameDeviceAs): one per distinct compile-time key. */
  get pipelinesCreated(): number {
    if (this.#owner) return this.#owner.pipelinesCreated;
    return this.#createdBefore + (this.#current?.cache.created ?? 0);
  }

  /** The GPUDevice the kernels run on (for the GPU roofline and tests); opens it if needed. */
  async gpuDevice(): Promise<GPUDevice> {
    return (await this.#context()).ctx.device;
  }
}
