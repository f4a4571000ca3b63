/**
 * One prepared SE block on the GPU: weights uploaded once; input, output,
 * gate and scratch buffers sized to the largest input seen and reused; bind
 * groups and uniforms rebuilt only when the shape or the buffers change.
 */
import { type BlockOutput, type PreparedBlock, type SeSpec, type Tensor, type Weights, dims4, hiddenWidth } from '../../harness/api.ts';
import { MAP_MODE_READ, USAGE, type GpuContext } from './gpu.ts';
import type { PipelineCache } from './pipelines.ts';
import { choosePath, planDispatches, type Dispatch, type Path, type PathOption } from './plan.ts';
import { PARAM_WORDS, type BufferName } from './wgsl-common.ts';

/** How a block chooses its kernels (see WgslOptions). */
export interface BlockConfig {
  path: PathOption;
  fusedMaxHw: number;
  /** Split path: input bytes per batch chunk; 0 = the whole batch at once. */
  chunkBytes: number;
}

/** Uniform slots sit 256 bytes apart: WebGPU's minUniformBufferOffsetAlignment. */
const SLOT_BYTES = 256;
const STORAGE = USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC;

/** The bind groups and commands of one shape; rebuilt when the shape or a buffer changes. */
interface Plan {
  key: string;
  path: Path;
  dispatches: Dispatch[];
  pipelines: GPUComputePipeline[];
  bindGroups: GPUBindGroup[];
  uniforms: GPUBuffer;
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

/** A prepared SE block (see the module comment); also offers runDeviceOnly for kernel-only timing. */
export class WgslSeBlock implements PreparedBlock {
  readonly #hidden: number;
  readonly #buffers = new Map<BufferName, GPUBuffer>();
  /** Bytes of each resizable buffer. */
  readonly #sizes = new Map<BufferName | 'readback', number>();
  #readback: GPUBuffer | undefined;
  /** Buffers replaced while GPU work may still use them; destroyed at the next locked call. */
  #retired: GPUBuffer[] = [];
  #plan: Plan | undefined;
  #host = { y: new Float32Array(0), gate: new Float32Array(0) };
  /** Tensors returned by stage(); `#resident` is the one whose data the input buffer holds now. */
  readonly #markers = new WeakSet<Tensor>();
  #resident: Tensor | undefined;
  #lastShape: [number, number, number, number] | undefined;
  #timer: { set: GPUQuerySet; resolve: GPUBuffer; read: GPUBuffer } | undefined;
  #disposed = false;
  /** The path the last run took. */
  lastPath: Path | undefined;

  constructor(readonly name: string, private readonly ctx: GpuContext, private readonly cache: PipelineCache,
    private readonly spec: SeSpec, weights: Weights, private readonly config: BlockConfig) {
    const c = spec.channels;
    const h = (this.#hidden = hiddenWidth(spec));
    choosePath(spec, h, 1, config.path, config.fusedMaxHw); // a forced path the block cannot take fails here, not at the first run
    const w1 = weights['fc1.weight']!.data;
    const w2 = weights['fc2.weight']!.data;
    // Linear [out, in] and conv1x1 [out, in, 1, 1] hold the same floats in the same order.
    this.#upload('w1', w1);
    this.#upload('w2', w2);
    this.#upload('w1t', transpose(w1, h, c));
    this.#upload('w2t', transpose(w2, c, h));
    this.#upload('b1', weights['fc1.bias']?.data ?? new Float32Array(0));
    this.#upload('b2', weights['fc2.bias']?.data ?? new Float32Array(0));
    if (ctx.timestamps) {
      const d = ctx.device;
      this.#timer = {
        set: d.createQuerySet({ type: 'timestamp', count: 2 }),
        resolve: d.createBuffer({ size: 16, usage: USAGE.QUERY_RESOLVE | USAGE.COPY_SRC }),
        read: d.createBuffer({ size: 16, usage: USAGE.MAP_READ | USAGE.COPY_DST }),
      };
    }
  }

  /** A buffer of at least 16 bytes (a zero-sized binding is invalid; hidden width 0 and bias-free blocks have empty tensors). */
  #create(bytes: number, usage: number): GPUBuffer {
    const max = this.ctx.device.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new RangeError(`${this.name} SE: a ${bytes}-byte buffer exceeds this device's maxStorageBufferBindingSize (${max}); use a smaller batch`);
    }
    return this.ctx.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
  }

  #upload(name: BufferName, data: Float32Array): void {
    const b = this.#create(data.byteLength, STORAGE);
    if (data.length) this.ctx.device.queue.writeBuffer(b, 0, data as Float32Array<ArrayBuffer>);
    this.#buffers.set(name, b);
  }

  #check(x: Tensor): [number, number, number, number] {
    if (this.#disposed) throw new Error(`${this.name} SE: run after dispose`);
    const d = dims4(x, `${this.name} SE`);
    if (d[1] !== this.spec.channels) throw new RangeError(`${this.name} SE: NCHW input has ${d[1]} channels, the block expects ${this.spec.channels}`);
    if (d[2] * d[3] === 0) throw new RangeError(`${this.name} SE: input has an empty ${d[2]}x${d[3]} plane; pooling needs at least one pixel`);
    const elems = d[0] * d[1] * d[2] * d[3];
    if (x.data.length !== elems) throw new RangeError(`${this.name} SE: input data has ${x.data.length} elements, shape [${d.join(', ')}] needs ${elems}`);
    return d;
  }

  /** Grows the shape-dependent buffers for (n, hw); a replaced buffer is retired and the plan dropped. */
  #ensure(n: number, hw: number): void {
    const c = this.spec.channels;
    const none = this.spec.squeeze === 'none';
    const elems = n * c * hw;
    const gate = none ? elems : n * c;
    const need: [BufferName | 'readback', number][] = [
      ['x', elems], ['y', elems], ['pooled', n * c], ['gate', gate],
      ['hid', n * this.#hidden * (none ? hw : 1)], ['readback', elems + gate],
    ];
    for (const [name, floats] of need) {
      const bytes = floats * 4;
      if ((this.#sizes.get(name) ?? -1) >= bytes) continue;
      const buffer = this.#create(bytes, name === 'readback' ? USAGE.MAP_READ | USAGE.COPY_DST : STORAGE);
      const old = name === 'readback' ? this.#readback : this.#buffers.get(name);
      if (old) this.#retired.push(old);
      if (name === 'readback') this.#readback = buffer;
      else this.#buffers.set(name, buffer);
      this.#sizes.set(name, bytes);
      this.#dropPlan();
      if (name === 'x') this.#resident = undefined;
    }
  }

  /** Uploads x unless it is the staged tensor the input buffer already holds. */
  #uploadInput(x: Tensor): void {
    if (x === this.#resident) return;
    // A SharedArrayBuffer view (wasm threads) is fine for writeBuffer; the types only know ArrayBuffer.
    this.ctx.device.queue.writeBuffer(this.#buffers.get('x')!, 0, x.data as Float32Array<ArrayBuffer>);
    this.#resident = this.#markers.has(x) ? x : undefined;
  }

  /**
   * Uploads x into the input buffer and returns a tensor standing for it (same
   * shape, x's data kept): run(staged) skips the upload while the buffer still
   * holds it, and re-uploads the kept data if another input has replaced it.
   * x's data must not change afterwards.
   */
  stage(x: Tensor): Tensor {
    const [n, , h, w] = this.#check(x);
    this.#ensure(n, h * w);
    const marker: Tensor = { shape: [...x.shape], data: x.data };
    this.#markers.add(marker);
    this.#uploadInput(marker);
    this.#lastShape = [...dims4(x)];
    return marker;
  }

  /** The plan for (n, hw), compiling any pipeline not yet in the cache. */
  async #planFor(n: number, hw: number): Promise<Plan> {
    const path = choosePath(this.spec, this.#hidden, hw, this.config.path, this.config.fusedMaxHw);
    const perSample = this.spec.channels * hw * 4;
    const chunk = this.config.chunkBytes > 0 ? Math.max(1, Math.floor(this.config.chunkBytes / perSample)) : n;
    const key = `${n}:${hw}:${path}:${chunk}`;
    if (this.#plan?.key === key) return this.#plan;
    const dispatches = planDispatches(this.spec, { n, hw, hidden: this.#hidden }, path, chunk);
    const pipelines = await Promise.all(dispatches.map((d) => this.cache.get(d.kernel)));
    // The awaits above may have let stage() grow buffers: size them now, then build synchronously.
    this.#ensure(n, hw);
    const d = this.ctx.device;
    const uniforms = d.createBuffer({ size: dispatches.length * SLOT_BYTES, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    const words = new Uint32Array((dispatches.length * SLOT_BYTES) / 4);
    dispatches.forEach((di, i) => words.set(di.params, (i * SLOT_BYTES) / 4));
    d.queue.writeBuffer(uniforms, 0, words);
    const bindGroups = dispatches.map((di, i) => d.createBindGroup({
      layout: pipelines[i]!.getBindGroupLayout(0),
      entries: di.kernel.bindings.map((role, binding) => ({
        binding,
        resource: role === 'params'
          ? { buffer: uniforms, offset: i * SLOT_BYTES, size: PARAM_WORDS * 4 }
          : { buffer: this.#buffers.get(di.buffers[role] ?? (role as BufferName))! },
      })),
    }));
    this.#dropPlan();
    this.#plan = { key, path, dispatches, pipelines, bindGroups, uniforms };
    return this.#plan;
  }

  #dropPlan(): void {
    if (this.#plan) this.#retired.push(this.#plan.uniforms);
    this.#plan = undefined;
  }

  #encode(encoder: GPUCommandEncoder, plan: Plan, timed: boolean): void {
    const timestampWrites = timed && this.#timer ? { querySet: this.#timer.set, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined;
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    plan.dispatches.forEach((di, i) => {
      pass.setPipeline(plan.pipelines[i]!);
      pass.setBindGroup(0, plan.bindGroups[i]!);
      pass.dispatchWorkgroups(di.groups[0], di.groups[1]);
    });
    pass.end();
  }

  #dropRetired(): void {
    for (const b of this.#retired) b.destroy();
    this.#retired = [];
  }

  /** Uploads x (unless staged), runs the kernels and reads back y and the gate: the sync point. Outputs are valid until the next run. */
  run(x: Tensor): Promise<BlockOutput> {
    return this.ctx.locked(async () => {
      const [n, c, h, w] = this.#check(x);
      const hw = h * w;
      const elems = n * c * hw;
      const gateShape = this.spec.squeeze === 'none' ? [n, c, h, w] : [n, c];
      const gateLen = this.spec.squeeze === 'none' ? elems : n * c;
      if (elems === 0) return { y: { shape: [n, c, h, w], data: new Float32Array(0) }, gate: { shape: gateShape, data: new Float32Array(0) } };
      const what = `${this.name} SE run on [${n}, ${c}, ${h}, ${w}]`;
      const readback = await this.ctx.scoped(what, async () => {
        this.#dropRetired();
        this.#ensure(n, hw);
        const plan = await this.#planFor(n, hw);
        this.#uploadInput(x);
        this.#lastShape = [n, c, h, w];
        this.lastPath = plan.path;
        const encoder = this.ctx.device.createCommandEncoder();
        this.#encode(encoder, plan, false);
        const rb = this.#readback!;
        encoder.copyBufferToBuffer(this.#buffers.get('y')!, 0, rb, 0, elems * 4);
        encoder.copyBufferToBuffer(this.#buffers.get('gate')!, 0, rb, elems * 4, gateLen * 4);
        this.ctx.device.queue.submit([encoder.finish()]);
        return rb;
      });
      const bytes = (elems + gateLen) * 4;
      try {
        await readback.mapAsync(MAP_MODE_READ, 0, bytes);
      } catch (e) {
        throw await this.ctx.failure(`${what}: reading the result back`, e);
      }
      const all = new Float32Array(readback.getMappedRange(0, bytes));
      if (this.#host.y.length < elems) this.#host.y = new Float32Array(elems);
      if (this.#host.gate.length < gateLen) this.#host.gate = new Float32Array(gateLen);
      const y = this.#host.y.subarray(0, elems);
      const gate = this.#host.gate.subarray(0, gateLen);
      y.set(all.subarray(0, elems));
      gate.set(all.subarray(elems));
      readback.unmap();
      return { y: { shape: [n, c, h, w], data: y }, gate: { shape: gateShape, data: gate } };
    });
  }

  /**
   * Runs the kernels on the input last staged or run, without upload or
   * read-back, and waits for the queue (onSubmittedWorkDone). Returns the GPU
   * time of the compute pass in ms from timestamp queries, or NaN when the
   * adapter has no 'timestamp-query' (the caller's wall clock then measures it).
   */
  runDeviceOnly(): Promise<number> {
    return this.ctx.locked(async () => {
      if (this.#disposed) throw new Error(`${this.name} SE: run after dispose`);
      const shape = this.#lastShape;
      if (!shape) throw new Error(`${this.name} SE: runDeviceOnly needs an input: stage() or run() one first`);
      const [n, c, h, w] = shape;
      if (n * c * h * w === 0) return 0;
      const what = `${this.name} SE device-only run on [${shape.join(', ')}]`;
      const timer = this.#timer;
      await this.ctx.scoped(what, async () => {
        this.#dropRetired();
        const plan = await this.#planFor(n, h * w);
        const encoder = this.ctx.device.createCommandEncoder();
        this.#encode(encoder, plan, true);
        if (timer) {
          encoder.resolveQuerySet(timer.set, 0, 2, timer.resolve, 0);
          encoder.copyBufferToBuffer(timer.resolve, 0, timer.read, 0, 16);
        }
        this.ctx.device.queue.submit([encoder.finish()]);
      });
      try {
        await this.ctx.device.queue.onSubmittedWorkDone();
        this.ctx.checkAlive(what);
        if (!timer) return Number.NaN;
        await timer.read.mapAsync(MAP_MODE_READ);
      } catch (e) {
        throw await this.ctx.failure(what, e);
      }
      const [t0, t1] = new BigUint64Array(timer.read.getMappedRange());
      timer.read.unmap();
      return Number(t1! - t0!) / 1e6;
    });
  }

  /** Frees every GPU buffer of the block (pipelines stay cached on the implementation). */
  dispose(): Promise<void> {
    return this.ctx.locked(async () => {
      if (this.#disposed) return;
      this.#disposed = true;
      this.#dropRetired();
      for (const b of this.#buffers.values()) b.destroy();
      this.#readback?.destroy();
      this.#plan?.uniforms.destroy();
      if (this.#timer) {
        this.#timer.set.destroy();
        this.#timer.resolve.destroy();
        this.#timer.read.destroy();
      }
      this.#buffers.clear();
      this.#plan = undefined;
    });
  }
}
