/**
 * What Node and the page say to each other. Node calls `__seBench.call(method,
 * args)` through page.evaluate with JSON arguments (tensors go by URL, see
 * wire.ts); the page answers with a PageReply, never by throwing, so its
 * error text reaches Node unchanged.
 */

import type { AdapterReport } from '../webgpu-node.ts';

/** Node lists a page implementation named `x` as `browser-x`. */
export const BROWSER_PREFIX = 'browser-';

/** What the page's modules export, one entry per implementation, or one per module that failed to load. */
export type PageImplementations = (
  | { module: string; name: string; layout: string; precision: string; description: string; apiVersion?: number; bottleneck: boolean; network: boolean }
  | { module: string; error: string }
)[];

export type BlockKind = 'se' | 'bottleneck' | 'network';

/** The page's global that Node talks to. */
export const PAGE_GLOBAL = '__seBench';

/** A WebGPU adapter as the page sees it: Dawn's report minus what only Node knows (backend, ICD override). */
export type PageAdapter = Omit<AdapterReport, 'backend' | 'icdOverride'>;

/** What the page reports about itself once loaded. */
export interface PageInfo {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** performance.now() granularity observed, ms (5 us when cross-origin isolated, 100 us otherwise). */
  timerResolutionMs: number;
  webgpu: { available: true; adapter: PageAdapter } | { available: false; reason: string };
}

/** Availability of one implementation inside the page. */
export type PageProbe = { available: true; detail: string } | { available: false; reason: string; installHint?: string };

export interface PrepareArgs {
  /** Handle id chosen by Node. */
  id: number;
  /** Implementation name as Node lists it (used in the page's error messages). */
  name: string;
  /** The implementation's name inside the page. */
  impl: string;
  kind: BlockKind;
  spec: unknown;
  /** URL of the packed weights (wire.ts). */
  weightsUrl: string;
}

export interface RunArgs {
  id: number;
  /** URL of the packed input, one tensor named `x`. */
  inputUrl: string;
  /** Where the page POSTs the packed outputs. */
  resultUrl: string;
}

export interface MeasureArgs {
  id: number;
  inputUrl: string;
  minTimeMs: number;
  minSamples: number;
  warmupMs: number;
  maxSamples: number;
}

/** Raw in-page timings; statistics are computed in Node (harness/measure/stats.ts sampleStats). */
export interface InPageTiming {
  /** The block's very first run in the page (compile and upload included), ms. */
  coldMs: number;
  /** One entry per timed run, each ending after the output was read back, ms. */
  samplesMs: number[];
  /** Warm-up runs made before sampling. */
  warmupRuns: number;
}

/** The page's answer to a call. */
/** `name` is set for an UnsupportedError, so Node rethrows it as one (the cell is unsupported, not an error). */
export type PageReply<T> = { ok: true; value: T } | { ok: false; error: string; name?: string };

/** Names of tensors in a result message: `y`, `gate`; networks: `logits`, `stages/<name>`, `gates/<block>`. */
export const STAGE_PREFIX = 'stages/';
export const GATE_PREFIX = 'gates/';

/** Software rasterisers by name, as harness/host/webgpu-node.ts reads Dawn's adapters. */
export const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/**
 * One line naming an adapter, e.g. `google swiftshader (software, fallback adapter)`
 * (Chromium leaves device and description empty unless asked for more).
 */
export function pageAdapterLine(a: PageAdapter): string {
  const vendor = [a.vendor, a.architecture].filter(Boolean).join(' ');
  const name = [vendor, a.description || a.device].filter(Boolean).join(', ') || 'unnamed adapter';
  return `${name} (${a.software ? 'software' : 'hardware'}${a.isFallbackAdapter ? ', fallback adapter' : ''})`;
}

/** What was recorded about the browser and its page. */
export interface BrowserInfo {
  executable: string;
  executableFrom: string;
  /** browser.version(), e.g. `Chrome/156.0.8078.79` (headless). */
  version: string;
  userAgent: string;
  /** The WebGPU flags the browser was started with: hardware adapter or SwiftShader. */
  webgpuFlags: 'hardware' | 'swiftshader';
  webgpu: PageInfo['webgpu'];
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  timerResolutionMs: number;
  pid?: number;
  userDataDir: string;
  /** Chromium's arguments beyond puppeteer's defaults. */
  args: string[];
  launchMs: number;
  bundleMs: number;
  esbuild: string;
  /** http://127.0.0.1:<port> */
  origin: string;
}
