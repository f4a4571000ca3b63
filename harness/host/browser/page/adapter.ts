/** The page's WebGPU adapter, for the page info Node prints (`se-bench devices`). */
import { SOFTWARE_ADAPTER, type PageAdapter, type PageInfo } from '../protocol.ts';

/** The adapter a high-performance request gets (as tfjs-backend-webgpu asks), or why there is none. */
export async function webgpuAdapter(): Promise<PageInfo['webgpu']> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    return { available: false, reason: `navigator.gpu is missing (secure context: ${isSecureContext}); Chromium needs --enable-unsafe-webgpu on Linux` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { available: false, reason: 'navigator.gpu.requestAdapter() returned null: Chromium found no WebGPU adapter' };
  const info = adapter.info;
  const isFallbackAdapter = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const a: PageAdapter = {
    vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter,
    software: isFallbackAdapter || SOFTWARE_ADAPTER.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`),
  };
  return { available: true, adapter: a };
}
