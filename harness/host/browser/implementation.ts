/**
 * The `browser` device: implementations from page modules (the built-in
 * reference and tfjs ones, and any --page-module) running inside Chromium,
 * driven from Node (driver.ts). Each method proxies to the page: weights and
 * inputs travel as binary over the local server (wire.ts), outputs come back
 * the same way and are judged in Node by the one comparison (compare.ts via
 * check/conformance.ts). A prepared block also offers measureInPage: timing loops
 * run inside the page with performance.now(), raw samples return to Node.
 */
import type { BottleneckSpec } from '../../model/bottleneck.ts';
import type { NetworkSpec } from '../../model/network.ts';
import type { SeSpec } from '../../model/spec.ts';
import { dims4, type Layout, type Tensor } from '../../data/tensor.ts';
import { BrowserUnavailable, sharedBrowserHost, type BrowserHost, type PageHandle } from './driver.ts';
import type { Availability, BlockOutput, NetworkOutput, PreparedBlock, PreparedNetwork, Precision, SeImplementation, Weights } from '../../contract/implementation.ts';
import {
  BROWSER_PREFIX, GATE_PREFIX, STAGE_PREFIX,
  type BlockKind, type InPageTiming, type PageImplementations, type PageProbe,
} from './protocol.ts';
import { packTensors, unpackTensors } from './wire.ts';

/** Options of an in-page measurement (as harness/measure/stats.ts MeasureOptions, plus limits). */
export interface InPageMeasureOptions {
  /** Minimum measuring time, ms. */
  minTimeMs: number;
  /** Minimum number of samples. */
  minSamples: number;
  /** Warm-up time before sampling, ms (at least 2 warm-up runs are made). */
  warmupMs: number;
  /** Upper bound on samples (default 100,000). */
  maxSamples?: number;
  /** Time limit of the whole measurement, ms (default: the host's timeout plus 4x warm-up and minimum time). */
  timeoutMs?: number;
}

/** What measureInPage returns: raw samples for harness/measure/stats.ts sampleStats, and the cold first run. */
export type InPageMeasurement = InPageTiming;

/** Timing inside the page, without the Node <-> page transfers that `run` includes. */
export interface MeasurableInPage {
  /**
   * Uploads `x` to the page once, then runs warm-up and samples there
   * (performance.now(); each sample ends after the output was read back
   * inside the page). coldMs is the block's very first run in the page.
   */
  measureInPage(x: Tensor, opts: InPageMeasureOptions): Promise<InPageMeasurement>;
}

/** A prepared browser block / network: the interface's, plus measureInPage. */
export type BrowserPreparedBlock = PreparedBlock & MeasurableInPage;
export type BrowserPreparedNetwork = PreparedNetwork & MeasurableInPage;

/** True when a prepared block or network can time itself inside the page. */
export function measuresInPage(p: PreparedBlock | PreparedNetwork): p is (PreparedBlock | PreparedNetwork) & MeasurableInPage {
  return typeof (p as Partial<MeasurableInPage>).measureInPage === 'function';
}

export interface BrowserImplOptions {
  name: string;
  /** The implementation's name inside the page (Node's name without `browser-`). */
  page: string;
  layout: Layout;
  precision: Precision;
  description: string;
  /** Default: the process's shared host (one browser per process). */
  host?: BrowserHost;
  /** What the page-side implementation builds besides SE blocks (default: both). */
  supports?: { bottleneck: boolean; network: boolean };
  /** The page module it comes from (listings). */
  module?: string;
  /** The contract version the page-side implementation states, if any. */
  apiVersion?: number;
}

function specLabel(kind: BlockKind, spec: SeSpec | BottleneckSpec | NetworkSpec): string {
  switch (kind) {
    case 'se': {
      const s = spec as SeSpec;
      return `SE C=${s.channels} r=${s.ratio} squeeze=${s.squeeze}`;
    }
    case 'bottleneck': {
      const b = spec as BottleneckSpec;
      return `bottleneck ${b.inChannels}->${b.outChannels} SE ${b.position}`;
    }
    case 'network': return `network ${(spec as NetworkSpec).name}`;
  }
}

function shapeText(t: Tensor): string {
  return t.shape.join('x');
}

/** One page-side implementation behind the SeImplementation interface, on device `browser`. */
export class BrowserImplementation implements SeImplementation {
  readonly name: string;
  readonly device = 'browser';
  readonly layout: Layout;
  readonly precision: Precision;
  readonly description: string;
  readonly page: string;
  readonly module: string | undefined;
  readonly apiVersion: number | undefined;
  readonly #host: BrowserHost | undefined;

  constructor(o: BrowserImplOptions) {
    this.name = o.name;
    this.page = o.page;
    this.layout = o.layout;
    this.precision = o.precision;
    this.description = o.description;
    this.#host = o.host;
    this.module = o.module;
    this.apiVersion = o.apiVersion;
    // Absent on the page side: absent here too, so the harness reports "unsupported" instead of an error.
    if (o.supports && !o.supports.bottleneck) Object.defineProperty(this, 'prepareBottleneck', { value: undefined });
    if (o.supports && !o.supports.network) Object.defineProperty(this, 'prepareNetwork', { value: undefined });
  }

  get host(): BrowserHost {
    return this.#host ?? sharedBrowserHost();
  }

  /** Launches the browser on first call (shared by every browser implementation); never throws. */
  async probe(): Promise<Availability> {
    try {
      const info = await this.host.info();
      const p = await this.host.call<PageProbe>(`${this.name} probe`, 'probe', { name: this.name, impl: this.page });
      if (!p.available) return { available: false, reason: `in ${info.version}: ${p.reason}`, installHint: p.installHint ?? `see ${this.name}'s reason` };
      return { available: true, detail: `${info.version} (${info.executable}), ${p.detail}` };
    } catch (e) {
      if (e instanceof BrowserUnavailable) return { available: false, reason: e.message, installHint: e.installHint };
      return { available: false, reason: e instanceof Error ? e.message : String(e), installHint: 'run with SE_BENCH_BROWSER_TIMEOUT_MS raised if the browser is only slow; otherwise see the reason' };
    }
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<BrowserPreparedBlock> {
    return this.#prepareBlock('se', spec, weights);
  }

  async prepareBottleneck(spec: BottleneckSpec, weights: Weights): Promise<BrowserPreparedBlock> {
    return this.#prepareBlock('bottleneck', spec, weights);
  }

  async prepareNetwork(spec: NetworkSpec, weights: Weights): Promise<BrowserPreparedNetwork> {
    const p = await this.#prepare('network', spec, weights);
    return {
      run: async (x: Tensor): Promise<NetworkOutput> => {
        const out = await p.run(x);
        const logits = out.logits;
        if (!logits) throw new Error(`${p.label}: the page returned no logits`);
        const stages: Record<string, Tensor> = {};
        const gates: Record<string, Tensor> = {};
        for (const [k, t] of Object.entries(out)) {
          if (k.startsWith(STAGE_PREFIX)) stages[k.slice(STAGE_PREFIX.length)] = t;
          else if (k.startsWith(GATE_PREFIX)) gates[k.slice(GATE_PREFIX.length)] = t;
        }
        return { logits, stages, gates };
      },
      measureInPage: p.measureInPage,
      dispose: p.dispose,
    };
  }

  async #prepareBlock(kind: 'se' | 'bottleneck', spec: SeSpec | BottleneckSpec, weights: Weights): Promise<BrowserPreparedBlock> {
    const p = await this.#prepare(kind, spec, weights);
    return {
      run: async (x: Tensor): Promise<BlockOutput> => {
        const { y, gate } = await p.run(x);
        if (!y) throw new Error(`${p.label}: the page returned no output`);
        return gate ? { y, gate } : { y };
      },
      measureInPage: p.measureInPage,
      dispose: p.dispose,
    };
  }

  /** Sends the weights, prepares in the page, and returns the page-side operations on the handle. */
  async #prepare(kind: BlockKind, spec: SeSpec | BottleneckSpec | NetworkSpec, weights: Weights) {
    const host = this.host;
    const label = `${this.name} ${specLabel(kind, spec)}`;
    const server = await host.server();
    const weightsUrl = server.offer(packTensors(weights));
    let handle: PageHandle;
    try {
      handle = await host.operation(`${label}: prepare`, host.timeoutMs, async (page, s) => {
        const h = host.newHandle(s);
        await host.callIn(page, `${label}: prepare`, 'prepare', { id: h.id, name: this.name, impl: this.page, kind, spec, weightsUrl });
        return h;
      });
    } finally {
      server.drop(weightsUrl);
    }
    let disposed = false;
    const live = (what: string) => {
      if (disposed) throw new Error(`${label}: ${what} after dispose`);
      const lost = host.lost(handle);
      if (lost) throw new Error(`${label}: ${what}: the block is gone: ${lost}; prepare it again`);
    };
    const withInput = async <T>(x: Tensor, use: (inputUrl: string) => Promise<T>): Promise<T> => {
      dims4(x, `${label} input`);
      const inputUrl = server.offer(packTensors({ x }));
      try {
        return await use(inputUrl);
      } finally {
        server.drop(inputUrl);
      }
    };
    return {
      label,
      run: async (x: Tensor): Promise<Record<string, Tensor>> => {
        live('run');
        const result = server.expect();
        try {
          await withInput(x, (inputUrl) => host.call(`${label}: run on ${shapeText(x)}`, 'run', { id: handle.id, inputUrl, resultUrl: result.url }, host.timeoutMs, handle));
          const bytes = result.take();
          if (!bytes) throw new Error(`${label}: run finished but the page's result never arrived`);
          return unpackTensors(bytes, `${label} result`);
        } finally {
          server.drop(result.url);
        }
      },
      measureInPage: async (x: Tensor, o: InPageMeasureOptions): Promise<InPageMeasurement> => {
        live('measureInPage');
        const timeoutMs = o.timeoutMs ?? host.timeoutMs + 4 * (o.warmupMs + o.minTimeMs);
        const args = { id: handle.id, minTimeMs: o.minTimeMs, minSamples: o.minSamples, warmupMs: o.warmupMs, maxSamples: o.maxSamples ?? 100_000 };
        return withInput(x, (inputUrl) => host.call<InPageTiming>(`${label}: measure in page on ${shapeText(x)}`, 'measure', { ...args, inputUrl }, timeoutMs, handle));
      },
      dispose: async (): Promise<void> => {
        if (disposed) return;
        disposed = true;
        // A block whose page or browser is gone has nothing left to free.
        if (host.lost(handle)) return;
        await host.call(`${label}: dispose`, 'dispose', { id: handle.id }, host.timeoutMs, handle).catch((e: unknown) => {
          // Gone between the check and the call: nothing left to free.
          if (!host.lost(handle)) throw e;
        });
      },
    };
  }
}

/**
 * Asks the page which implementations its modules export and returns them as
 * browser implementations (`browser-<name>`); the caller shape-checks them as
 * it does Node plug-ins.
 * Modules that failed to load in the page come back as errors, by path.
 */
export async function discoverPageImplementations(host: BrowserHost = sharedBrowserHost()): Promise<{ implementations: BrowserImplementation[]; errors: { module: string; error: string }[] }> {
  await host.info();
  const listing = await host.call<PageImplementations>('page modules: list implementations', 'implementations', {});
  const implementations: BrowserImplementation[] = [];
  const errors: { module: string; error: string }[] = [];
  for (const entry of listing) {
    if ('error' in entry) {
      errors.push(entry);
      continue;
    }
    implementations.push(new BrowserImplementation({
      name: `${BROWSER_PREFIX}${entry.name}`, page: entry.name, layout: entry.layout as Layout, precision: entry.precision as Precision,
      description: entry.description, host, module: entry.module, apiVersion: entry.apiVersion, supports: { bottleneck: entry.bottleneck, network: entry.network },
    }));
  }
  return { implementations, errors };
}
