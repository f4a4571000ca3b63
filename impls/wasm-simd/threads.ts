/**
 * `wasm-simd-mt`: the same kernels on a shared WebAssembly.Memory, with the
 * avg/max-squeeze job split by whole samples over the main thread and up
 * to `threads - 1` worker threads (worker.mjs), each with its own scratch; one
 * spin-then-Atomics.wait barrier ends a job. Each run takes as many threads
 * as its work pays for (thread-plan.ts): one, with no worker woken, for small
 * batches and planes, so it is never slower than wasm-simd by more than a call. NoSqueeze runs on the main thread
 * alone (an ablation; correctness over speed).
 */
import { Worker } from 'node:worker_threads';
import type { SeSpec, Weights } from '../../harness/api.ts';
import { WasmSeBlock, type BlockOptions } from './block.ts';
import { CTL, CTL_SLOTS, makeBarrier, squeezeJob, writeParams, type JobParams } from './pipeline.mjs';
import { chooseThreads, MIN_US_PER_THREAD } from './thread-plan.ts';

/** An SE block whose avg/max-squeeze runs are shared by `threads` threads. */
export class WasmSeBlockMt extends WasmSeBlock {
  readonly threads: number;
  readonly #ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
  readonly #barrier: () => void;
  readonly #workers: Worker[] = [];
  /** First failure reported by a worker, for the error message. */
  #workerError: string | undefined;
  readonly #minUsPerThread: number;

  /** `module` must be the shared-memory build (kernelModule(true)); call start() before run. */
  constructor(name: string, spec: SeSpec, weights: Weights, module: WebAssembly.Module, options: BlockOptions, threads: number) {
    super(name, spec, weights, module, options, threads);
    this.threads = threads;
    this.#minUsPerThread = options.minUsPerThread ?? MIN_US_PER_THREAD;
    this.#barrier = makeBarrier(this.#ctl, threads);
  }

  /** Starts the worker threads; resolves once each has instantiated the kernels on the shared memory. */
  async start(): Promise<void> {
    const url = new URL('./worker.mjs', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let t = 1; t < this.threads; t++) {
      const worker = new Worker(url, { workerData: { module: this.module, memory: this.memory, control: this.#ctl.buffer, t, threads: this.threads } });
      worker.unref(); // an undisposed block must not keep the process alive
      this.#workers.push(worker);
      worker.on('error', (e) => { this.#workerError ??= e.message; });
      ready.push(new Promise<void>((resolve, reject) => {
        worker.on('message', (m: unknown) => {
          if (m === 'ready') resolve();
          else this.#workerError ??= (m as { error?: string }).error ?? String(m);
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`${this.name}: worker ${t} exited with code ${code} before it was ready`)));
      }));
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await this.dispose();
      throw e;
    }
  }

  /** Up to `threads`, by the work of a run on `shape` (thread-plan.ts); NoSqueeze runs on the calling thread. */
  override threadsFor(shape: readonly number[]): number {
    return this.noSqueeze ? 1 : chooseThreads(this.threads, this.runWork(shape), this.#minUsPerThread);
  }

  protected override runJob(job: JobParams): void {
    // Too little work to split: the calling thread runs it alone and no worker wakes.
    if (job.threads === 1) {
      squeezeJob(this.kernels, job, 0, 1);
      return;
    }
    const ctl = this.#ctl;
    if (Atomics.load(ctl, CTL.ERROR) !== 0) {
      throw new Error(`${this.name}: a worker thread failed (${this.#workerError ?? 'unknown error'}); dispose this block and prepare a new one`);
    }
    writeParams(ctl, job);
    Atomics.add(ctl, CTL.JOB, 1);
    Atomics.notify(ctl, CTL.JOB);
    squeezeJob(this.kernels, job, 0, job.threads);
    this.#barrier(); // every thread has finished its share (threads past job.threads only meet here)
  }

  override async dispose(): Promise<void> {
    Atomics.store(this.#ctl, CTL.STOP, 1);
    Atomics.add(this.#ctl, CTL.JOB, 1);
    Atomics.notify(this.#ctl, CTL.JOB);
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
    super.dispose();
  }
}
