/**
 * The GPUDevice the WGSL kernels run on: requested from the process's one Dawn
 * instance (harness/host/webgpu-node.ts) with the adapter's buffer limits, plus the
 * three things every GPU call here needs: error scopes that turn validation
 * and out-of-memory errors into thrown Errors, the device-lost reason, and one
 * lock so that error scopes (a per-device stack) of two runs never interleave.
 */
import { nodeWebGpu } from '../../harness/api.ts';

/**
 * GPUBufferUsage / GPUMapMode values, fixed by the WebGPU spec. Dawn in Node
 * exposes them only as globals after installNavigatorGpu, which we do not need.
 */
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128, QUERY_RESOLVE: 512 } as const;
/** GPUMapMode.READ. */
export const MAP_MODE_READ = 1;

/** Finds an adapter; null when there is none. Tests substitute a failing one. */
export type AdapterSource = () => Promise<GPUAdapter | null>;

/** An adapter that could not be found, with what would fix it. */
export class NoAdapter extends Error {
  constructor(message: string, readonly installHint: string) {
    super(message);
    this.name = 'NoAdapter';
  }
}

/** The adapter of the process's Dawn instance (high-performance, as tfjs-webgpu asks). */
export const defaultAdapterSource: AdapterSource = async () => {
  const w = await nodeWebGpu();
  if (!w.ok) throw new NoAdapter(w.reason, w.installHint);
  return w.gpu.requestAdapter({ powerPreference: 'high-performance' });
};

/** A device with what the kernels need to know about it. */
export class GpuContext {
  /** Set once the device is lost (destroyed, driver reset); every later call throws with it. */
  lostReason: string | undefined;
  /** The last WebGPU error raised outside our error scopes, if any. */
  lastUncaptured: string | undefined;
  readonly timestamps: boolean;
  /** One line: adapter name, whether timestamps are available. */
  readonly detail: string;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(readonly device: GPUDevice, adapter: GPUAdapter) {
    this.timestamps = device.features.has('timestamp-query');
    const info = adapter.info;
    const name = info.description || info.device || `${info.vendor} ${info.architecture}`;
    this.detail = `${name}${info.vendor ? ` (${info.vendor})` : ''}; timestamps ${this.timestamps ? 'yes' : 'no'}; `
      + `max storage binding ${(device.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`;
    void device.lost.then((i) => { this.lostReason = `${i.reason}: ${i.message || 'no message'}`; });
    // Every call we make is inside an error scope; anything else is kept for diagnosis, not printed.
    device.addEventListener('uncapturederror', (e) => {
      this.lastUncaptured = (e as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** Throws when the device is gone, naming why. */
  checkAlive(what: string): void {
    if (this.lostReason !== undefined) throw new Error(`${what}: the GPU device was lost (${this.lostReason})`);
  }

  /**
   * The Error for a failed GPU promise (mapAsync, onSubmittedWorkDone): the
   * device-lost reason when the device is gone (Dawn may report the loss a
   * tick after the failure, so give it one), else the failure itself.
   */
  async failure(what: string, e: unknown): Promise<Error> {
    if (this.lostReason === undefined) await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 10))]);
    if (this.lostReason !== undefined) return new Error(`${what}: the GPU device was lost (${this.lostReason})`);
    return new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Runs `fn` after every earlier locked call has finished (error scopes are one stack per device). */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#lock.then(fn, fn);
    this.#lock = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs `fn` inside validation and out-of-memory error scopes; a captured
   * error becomes a thrown Error carrying its message (after `fn`'s own
   * promise settles, so no GPU work is left half-observed).
   */
  async scoped<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.checkAlive(what);
    const d = this.device;
    d.pushErrorScope('out-of-memory');
    d.pushErrorScope('validation');
    let result: T | undefined;
    let thrown: unknown;
    try {
      result = await fn();
    } catch (e) {
      thrown = e;
    }
    let validation: GPUError | null;
    let oom: GPUError | null;
    try {
      validation = await d.popErrorScope();
      oom = await d.popErrorScope();
    } catch (e) {
      throw await this.failure(what, e);
    }
    const gpuError = validation ?? oom;
    if (gpuError) {
      const kind = validation ? 'validation error' : 'out of memory';
      throw new Error(`${what}: WebGPU ${kind}: ${gpuError.message.trim()}`);
    }
    if (thrown !== undefined) {
      this.checkAlive(what);
      throw thrown instanceof Error ? new Error(`${what}: ${thrown.message}`) : new Error(`${what}: ${String(thrown)}`);
    }
    this.checkAlive(what);
    return result as T;
  }
}

/**
 * Requests a device on an adapter from `source`, raising the buffer limits to
 * the adapter's (defaults are 128 MiB bindings / 256 MiB buffers; a batch-32
 * stage-2 tensor is 103 MB) and enabling timestamp queries where offered.
 */
export async function openContext(source: AdapterSource): Promise<GpuContext> {
  const adapter = await source();
  if (!adapter) throw new NoAdapter('no WebGPU adapter was found', 'a GPU with a WebGPU-capable driver, or SwiftShader (see se-bench devices)');
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return new GpuContext(device, adapter);
}
