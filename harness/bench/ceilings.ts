/**
 * The ceilings SE block rows are set against: CPU copy bandwidth per block
 * size and thread count (the memory roofline: a row is set against the copy
 * of as many threads as it ran), the SIMD128 read bandwidth per size and
 * thread count (with the copy, the cache-aware floor), the one-thread SIMD128
 * multiply-add rate (the compute floor), and the GPU's own buffer copy per size. Each is measured once
 * per run and kept in the results; one that cannot be measured is recorded in
 * `results.ceilingsMissing` with why, and the rows it would have served say so.
 */
import { nodeWebGpu } from '../host/webgpu-node.ts';
import { measureMacPeak } from '../measure/compute-peak.ts';
import { cpuRoofline } from '../measure/roofline.ts';
import { measureRead, measureThreadedCopy } from '../measure/roofline-threads.ts';
import { gpuCopyBandwidth } from '../measure/roofline-gpu.ts';
import type { BenchResults, MissingCeiling } from './results.ts';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A run's ceilings; `bytes` is what an SE block moves (input read plus output written). */
export class Ceilings {
  readonly #results: BenchResults;
  readonly #minTimeMs: number;
  readonly #cpu = new Map<string, number | undefined>();
  readonly #read = new Map<string, number | undefined>();
  readonly #gpu = new Map<number, number | undefined>();
  #gpuDevice: Promise<GPUDevice | string> | undefined;

  /** Ceilings are measured for `minTimeMs` each (half the plan's --min-time) and written into `results`. */
  constructor(results: BenchResults, minTimeMs: number) {
    this.#results = results;
    this.#minTimeMs = minTimeMs;
  }

  #missing(m: MissingCeiling): undefined {
    (this.#results.ceilingsMissing ??= []).push(m);
    return undefined;
  }

  /** Why `bytes` has no roofline on `device` (with `threads`), as recorded; undefined when it has one (or was never asked for). */
  whyMissing(device: 'cpu' | 'gpu', bytes: number, threads = 1): string | undefined {
    const ceiling = device === 'cpu' ? 'cpu-copy' : 'gpu-copy';
    return this.#results.ceilingsMissing?.find((m) => m.ceiling === ceiling && m.bytes === bytes / 2 && (m.threads ?? 1) === threads)?.reason;
  }

  /**
   * Median time of copying bytes / 2 (read plus write: `bytes`), cached: with
   * one thread the faster of TypedArray.set and WebAssembly memory.copy; with
   * more, memory.copy split over that many threads.
   */
  async cpuCopyMs(bytes: number, threads = 1): Promise<number | undefined> {
    const key = `${bytes}/${threads}`;
    if (!this.#cpu.has(key)) {
      try {
        if (threads === 1) {
          const r = await cpuRoofline(bytes / 2, this.#minTimeMs);
          this.#results.roofline.push(...r.all);
          this.#cpu.set(key, r.best.stats.medianMs);
        } else {
          const c = await measureThreadedCopy(bytes / 2, threads, this.#minTimeMs);
          this.#results.roofline.push(c);
          this.#cpu.set(key, c.stats.medianMs);
        }
      } catch (e) {
        this.#cpu.set(key, this.#missing({ ceiling: 'cpu-copy', bytes: bytes / 2, ...(threads > 1 ? { threads } : {}), reason: errorText(e) }));
      }
    }
    return this.#cpu.get(key);
  }

  /** Median time of a SIMD128 read of `bytes` split over `threads` (results.readCeiling), cached; undefined, with the reason recorded, when it cannot be measured. */
  async cpuReadMs(bytes: number, threads = 1): Promise<number | undefined> {
    const key = `${bytes}/${threads}`;
    if (!this.#read.has(key)) {
      try {
        const r = await measureRead(bytes, threads, this.#minTimeMs);
        (this.#results.readCeiling ??= []).push(r);
        this.#read.set(key, r.stats.medianMs);
      } catch (e) {
        this.#read.set(key, this.#missing({ ceiling: 'cpu-read', bytes, ...(threads > 1 ? { threads } : {}), reason: errorText(e) }));
      }
    }
    return this.#read.get(key);
  }

  /** The one-thread SIMD128 multiply-add rate, GMAC/s, kept in results.macPeak; undefined, with the reason recorded, when it cannot be measured. */
  async macPeak(log: (line: string) => void): Promise<number | undefined> {
    if (this.#results.macPeak) return this.#results.macPeak.gmacPerS;
    try {
      this.#results.macPeak = await measureMacPeak(this.#minTimeMs);
      log(`compute ceiling: ${this.#results.macPeak.gmacPerS.toFixed(1)} GMAC/s (${this.#results.macPeak.method})`);
      return this.#results.macPeak.gmacPerS;
    } catch (e) {
      log(`compute ceiling not measured (${errorText(e)}); CPU rows get no floor column`);
      return this.#missing({ ceiling: 'mac-peak', reason: errorText(e) });
    }
  }

  /** The multiply-add rate if it was measured, without measuring it. */
  knownMacPeak(): number | undefined {
    return this.#results.macPeak?.gmacPerS;
  }

  /** Dawn's device in Node, opened once with the adapter's largest buffers; a string says why there is none. */
  #device(): Promise<GPUDevice | string> {
    this.#gpuDevice ??= nodeWebGpu().then(async (w): Promise<GPUDevice | string> => {
      if (!w.ok) return w.reason;
      const adapter = await w.gpu.requestAdapter();
      if (!adapter) return 'Dawn returned no adapter';
      return adapter.requestDevice({ requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize } });
    }).catch((e: unknown) => `no GPU device: ${errorText(e)}`);
    return this.#gpuDevice;
  }

  /** Median GPU copyBufferToBuffer time of bytes / 2 (the GPU roofline), cached. */
  async gpuCopyMs(bytes: number): Promise<number | undefined> {
    if (!this.#gpu.has(bytes)) {
      const device = await this.#device();
      let ms: number | undefined;
      if (typeof device === 'string') ms = this.#missing({ ceiling: 'gpu-copy', bytes: bytes / 2, reason: device });
      else {
        try {
          const c = await gpuCopyBandwidth(device, bytes / 2, this.#minTimeMs);
          (this.#results.gpuRoofline ??= []).push(c);
          ms = c.medianMs;
        } catch (e) {
          // For instance larger than the device's maxBufferSize.
          ms = this.#missing({ ceiling: 'gpu-copy', bytes: bytes / 2, reason: errorText(e) });
        }
      }
      this.#gpu.set(bytes, ms);
    }
    return this.#gpu.get(bytes);
  }
}
