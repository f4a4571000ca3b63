/**
 * The memory roofline of this machine: how fast it copies a buffer of a given
 * size. An SE block must read its input once and write its output once, the
 * same traffic as one copy, so "% of roofline" = copy time / SE time at the
 * same size. Two CPU copies are measured: TypedArray.prototype.set (what JS
 * does) and WebAssembly `memory.copy` (what a WASM kernel can do).
 */
import { measure, type Measurement } from './stats.ts';

/** One copy measurement: `bytes` read and `bytes` written per copy. */
export interface CopyMeasurement {
  method: 'typedarray-set' | 'wasm-memory.copy';
  bytes: number;
  stats: Measurement;
  /** Read + write traffic per second, 2 * bytes / median, in GB/s (1e9). */
  gbPerS: number;
}

// (module (memory (export "m") 1) (func (export "copy") (param i32 i32 i32)
//   local.get 0 local.get 1 local.get 2 memory.copy)), encoded by hand so no assembler is needed.
const COPY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x0c, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x00,
  0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b,
]);

const timeLoop = (fn: () => void, minTimeMs: number): Promise<Measurement> =>
  measure(fn, { minTimeMs, minSamples: 10, warmupMs: Math.min(50, minTimeMs / 4) });

/** Copy bandwidth with TypedArray.prototype.set between two distinct buffers of `bytes`. */
export async function measureTypedArrayCopy(bytes: number, minTimeMs = 200): Promise<CopyMeasurement> {
  const n = Math.ceil(bytes / 4);
  const src = new Float32Array(n).fill(1);
  const dst = new Float32Array(n);
  const stats = await timeLoop(() => dst.set(src), minTimeMs);
  return { method: 'typedarray-set', bytes: n * 4, stats, gbPerS: (2 * n * 4) / (stats.medianMs * 1e6) };
}

/** Copy bandwidth of WebAssembly memory.copy inside one memory, source and destination `bytes` apart. */
export async function measureWasmCopy(bytes: number, minTimeMs = 200): Promise<CopyMeasurement> {
  const size = Math.ceil(bytes / 65536) * 65536;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(COPY_MODULE));
  const memory = instance.exports.m as WebAssembly.Memory;
  memory.grow((2 * size) / 65536);
  const copy = instance.exports.copy as (dst: number, src: number, n: number) => void;
  new Uint8Array(memory.buffer, 0, size).fill(1);
  const stats = await timeLoop(() => copy(size, 0, bytes), minTimeMs);
  return { method: 'wasm-memory.copy', bytes, stats, gbPerS: (2 * bytes) / (stats.medianMs * 1e6) };
}

/** Both CPU copies at one size; the faster one is the roofline for that size. */
export async function cpuRoofline(bytes: number, minTimeMs = 200): Promise<{ best: CopyMeasurement; all: CopyMeasurement[] }> {
  const all = [await measureTypedArrayCopy(bytes, minTimeMs), await measureWasmCopy(bytes, minTimeMs)];
  const best = all.reduce((a, b) => (b.stats.medianMs < a.stats.medianMs ? b : a));
  return { best, all };
}
