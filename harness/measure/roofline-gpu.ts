/**
 * The GPU memory roofline: how fast a GPUDevice copies a buffer of a given
 * size with copyBufferToBuffer. An SE block must read its input once and
 * write its output once, the same traffic as one copy, so "% of copy
 * bandwidth" = copy time / SE time at the same size. Each sample is one
 * submit awaited with onSubmittedWorkDone, the sync point the SE device-only
 * timing uses too, so both carry the same submit-and-wait overhead.
 */

import { sampleStats } from './stats.ts';

/** One GPU copy measurement: `bytes` read and `bytes` written per copy. */
export interface GpuCopyMeasurement {
  bytes: number;
  /** Median wall time of one submitted copy, ms. */
  medianMs: number;
  /** Read + write traffic per second, 2 * bytes / median, in GB/s (1e9). */
  gbPerS: number;
  /** Every sample, ms, in the order taken (warm-up excluded). */
  samplesMs: number[];
}

// GPUBufferUsage values (WebGPU spec); Dawn in Node defines the global only after installNavigatorGpu.
const COPY_SRC = 4;
const COPY_DST = 8;
const STORAGE = 128;

/**
 * Copies `bytes` (rounded up to a multiple of 4) from one buffer to another,
 * sampling for at least `minTimeMs` and 10 samples after 3 warm-up copies;
 * the buffers are destroyed afterwards. Throws when the device refuses the
 * buffers (e.g. larger than maxBufferSize), with the validation message.
 */
export async function gpuCopyBandwidth(device: GPUDevice, bytes: number, minTimeMs = 200): Promise<GpuCopyMeasurement> {
  const size = Math.max(4, Math.ceil(bytes / 4) * 4);
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  // STORAGE as the SE kernels' buffers have it: some drivers place buffers by usage.
  const src = device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
  const dst = device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
  const copy = async (): Promise<number> => {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(src, 0, dst, 0, size);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  try {
    let warmUp: unknown;
    try {
      for (let i = 0; i < 3; i++) await copy();
    } catch (e) {
      warmUp = e;
    }
    // Popped whatever happened, so the device's error-scope stack is left as found.
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const error = validation ?? oom;
    if (error) throw new Error(`gpuCopyBandwidth(${size} bytes): ${validation ? 'validation error' : 'out of memory'}: ${error.message}`);
    if (warmUp !== undefined) throw warmUp;
    const samplesMs: number[] = [];
    const stop = performance.now() + minTimeMs;
    while (samplesMs.length < 10 || performance.now() < stop) samplesMs.push(await copy());
    const medianMs = sampleStats(samplesMs).medianMs;
    return { bytes: size, medianMs, gbPerS: (2 * size) / (medianMs * 1e6), samplesMs };
  } finally {
    src.destroy();
    dst.destroy();
  }
}
