/**
 * Compute pipelines cached by kernel key. A key holds compile-time facts only
 * (kernel kind, squeeze, activation, biases, vec4 or scalar, workgroup size);
 * shapes travel as uniforms, so one pipeline serves every shape and a new
 * input size never recompiles.
 */
import type { GpuContext } from './gpu.ts';
import type { KernelSource } from './wgsl-common.ts';

/** Rewrites WGSL before compilation; a test hook (e.g. to provoke a compile error). */
export type ShaderTransform = (kernel: KernelSource) => string;

/** Pipelines of one device, by key. */
export class PipelineCache {
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Pipelines compiled so far (failed compilations included): one per distinct key. */
  created = 0;

  constructor(private readonly ctx: GpuContext, private readonly transform?: ShaderTransform) {}

  /** Keys compiled so far, in order. */
  keys(): string[] {
    return [...this.#pipelines.keys()];
  }

  /** The pipeline for `kernel`, compiled on first use; a compile error rejects with the WGSL diagnostics. */
  get(kernel: KernelSource): Promise<GPUComputePipeline> {
    let p = this.#pipelines.get(kernel.key);
    if (!p) {
      p = this.#compile(kernel);
      this.#pipelines.set(kernel.key, p);
      // A failure is not cached: a lost device replaced later may compile it.
      p.catch(() => this.#pipelines.delete(kernel.key));
    }
    return p;
  }

  async #compile(kernel: KernelSource): Promise<GPUComputePipeline> {
    this.created++;
    const device = this.ctx.device;
    const code = this.transform ? this.transform(kernel) : kernel.code;
    const what = `wgsl kernel ${kernel.key}`;
    let module: GPUShaderModule | undefined;
    try {
      return await this.ctx.scoped(what, async () => {
        module = device.createShaderModule({ code, label: kernel.key });
        return device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: kernel.key });
      });
    } catch (e) {
      // Dawn's pipeline error may only say "invalid shader module"; the compilation messages say where and why.
      const info = module ? await module.getCompilationInfo().catch(() => undefined) : undefined;
      const diagnostics = (info?.messages ?? []).filter((m) => m.type === 'error').map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`);
      const message = e instanceof Error ? e.message : String(e);
      const fresh = diagnostics.filter((d) => !message.includes(d.replace(/^line \S+ /, '')));
      throw new Error(fresh.length ? `${message}; WGSL errors: ${fresh.join('; ')}` : message);
    }
  }
}
