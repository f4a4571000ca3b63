/**
 * The page side of the `browser` device: bundled by ../bundle.ts and loaded
 * by index.html. It imports the page modules (the built-in ones, e.g.
 * impls/reference/page.ts, and any --page-module) when Node first asks,
 * each on its own so one that throws at import is reported by path while the
 * others still load. It holds the prepared blocks (by a handle id Node
 * chooses) and answers Node's calls: implementations, probe, prepare, run,
 * measure, dispose. Nothing is compared here; outputs go back to Node, which
 * validates and judges them.
 */
import { isUnsupported, type BlockOutput, type BottleneckSpec, type NetworkOutput, type NetworkSpec, type SeImplementation, type SeSpec, type Tensor } from '../../../api.ts';
import { PAGE_MODULES } from 'se-bench:page-modules';
import { packTensors, unpackTensors } from '../wire.ts';
import {
  GATE_PREFIX, PAGE_GLOBAL, STAGE_PREFIX,
  type InPageTiming, type MeasureArgs, type PageImplementations, type PageInfo, type PageProbe, type PageReply, type PrepareArgs, type RunArgs,
} from '../protocol.ts';
import { webgpuAdapter } from './adapter.ts';

/** A prepared block or network as the page keeps it: outputs flattened to named tensors. */
interface Handle {
  label: string;
  run(x: Tensor): Promise<Record<string, Tensor>>;
  dispose(): void | Promise<void>;
  /** Duration of the first run, ms (undefined until one happened). */
  firstRunMs?: number;
}

const handles = new Map<number, Handle>();
let loaded: Promise<{ impls: Map<string, SeImplementation>; listing: PageImplementations }> | undefined;

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}

/** What is missing from `v` as an implementation (Node checks the full contract on the listing). */
function shapeProblem(v: unknown): string | undefined {
  const o = v as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') return `is ${o === null ? 'null' : typeof o}, not an implementation object`;
  for (const f of ['name', 'layout', 'precision', 'description'] as const) if (typeof o[f] !== 'string') return `has no string "${f}"`;
  for (const f of ['probe', 'prepareSe'] as const) if (typeof o[f] !== 'function') return `"${String(o.name)}" has no ${f}() method`;
  return undefined;
}

/** Imports every page module once (a failure is listed with its module, not thrown). */
function loadModules() {
  loaded ??= (async () => {
    const impls = new Map<string, SeImplementation>();
    const owners = new Map<string, string>();
    const listing: PageImplementations = [];
    for (const m of PAGE_MODULES) {
      try {
        const mod = await m.load() as { default?: unknown };
        let value = mod.default;
        if (typeof value === 'function') value = await (value as () => unknown)();
        if (value === undefined) throw new Error('has no default export; default-export an implementation, an array of them, or a factory');
        const list = Array.isArray(value) ? value : [value];
        if (list.length === 0) throw new Error('exports an empty list of implementations');
        for (const [i, v] of list.entries()) {
          const problem = shapeProblem(v);
          if (problem) throw new Error(`default export${Array.isArray(value) ? ` [${i}]` : ''} ${problem}`);
          const impl = v as SeImplementation;
          const owner = owners.get(impl.name);
          if (owner !== undefined) throw new Error(`implementation "${impl.name}" is already exported by ${owner}; names must be unique, rename yours`);
          impls.set(impl.name, impl);
          owners.set(impl.name, m.path);
          listing.push({
            module: m.path, name: impl.name, layout: impl.layout, precision: impl.precision, description: impl.description,
            apiVersion: impl.apiVersion, bottleneck: typeof impl.prepareBottleneck === 'function', network: typeof impl.prepareNetwork === 'function',
          });
        }
      } catch (e) {
        listing.push({ module: m.path, error: errorText(e) });
      }
    }
    return { impls, listing };
  })();
  return loaded;
}

async function implementation(name: string): Promise<SeImplementation> {
  const impl = (await loadModules()).impls.get(name);
  if (!impl) throw new Error(`no page module exports an implementation named "${name}"`);
  return impl;
}

async function fetchTensors(url: string, what: string): Promise<Record<string, Tensor>> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${what}: GET ${url} answered ${r.status} ${r.statusText}`);
  return unpackTensors(new Uint8Array(await r.arrayBuffer()), what);
}

/**
 * The chunks as a Blob: a POST body given as a Blob uploads ~20x faster in
 * Chromium than the same bytes as one Uint8Array (31 ms vs 600 ms for 6.4 MB,
 * measured here). Views on shared memory (a threaded wasm heap) are copied.
 */
function blobOf(chunks: Uint8Array[]): Blob {
  return new Blob(chunks.map((c) => (c.buffer instanceof ArrayBuffer ? c as Uint8Array<ArrayBuffer> : c.slice())));
}

function blockTensors(o: BlockOutput): Record<string, Tensor> {
  return o.gate ? { y: o.y, gate: o.gate } : { y: o.y };
}

function networkTensors(o: NetworkOutput): Record<string, Tensor> {
  const out: Record<string, Tensor> = { logits: o.logits };
  for (const [k, t] of Object.entries(o.stages)) out[`${STAGE_PREFIX}${k}`] = t;
  for (const [k, t] of Object.entries(o.gates)) out[`${GATE_PREFIX}${k}`] = t;
  return out;
}

function handle(id: number): Handle {
  const h = handles.get(id);
  if (!h) throw new Error(`no prepared block with handle ${id} in this page (disposed, or prepared in a page that was since replaced)`);
  return h;
}

async function timedRun(h: Handle, x: Tensor): Promise<{ out: Record<string, Tensor>; ms: number }> {
  const t0 = performance.now();
  const out = await h.run(x);
  const ms = performance.now() - t0;
  h.firstRunMs ??= ms;
  return { out, ms };
}

function timerResolutionMs(): number {
  let smallest = Infinity;
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    smallest = Math.min(smallest, b - a);
  }
  return smallest;
}

const methods = {
  async info(): Promise<PageInfo> {
    return {
      userAgent: navigator.userAgent, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency,
      timerResolutionMs: timerResolutionMs(), webgpu: await webgpuAdapter(),
    };
  },

  async implementations(): Promise<PageImplementations> {
    return (await loadModules()).listing;
  },

  async probe(a: { name: string; impl: string }): Promise<PageProbe> {
    const p = await (await implementation(a.impl)).probe();
    if (p === null || typeof p !== 'object' || typeof p.available !== 'boolean') throw new Error(`${a.name}: probe() did not return { available: boolean, ... }`);
    return p.available ? { available: true, detail: p.detail ?? '' } : { available: false, reason: String(p.reason), installHint: p.installHint };
  },

  async prepare(a: PrepareArgs): Promise<{ ms: number }> {
    if (handles.has(a.id)) throw new Error(`handle ${a.id} is already in use`);
    const weights = await fetchTensors(a.weightsUrl, `${a.name} weights`);
    const impl = await implementation(a.impl);
    const t0 = performance.now();
    let h: Handle;
    if (a.kind === 'network') {
      if (!impl.prepareNetwork) throw new Error(`${a.name} has no network support`);
      const net = await impl.prepareNetwork(a.spec as NetworkSpec, weights);
      h = { label: a.name, run: async (x) => networkTensors(await net.run(x)), dispose: () => net.dispose() };
    } else {
      const block = a.kind === 'se' ? await impl.prepareSe(a.spec as SeSpec, weights)
        : impl.prepareBottleneck ? await impl.prepareBottleneck(a.spec as BottleneckSpec, weights)
          : undefined;
      if (!block) throw new Error(`${a.name} has no bottleneck support`);
      h = { label: a.name, run: async (x) => blockTensors(await block.run(x)), dispose: () => block.dispose() };
    }
    handles.set(a.id, h);
    return { ms: performance.now() - t0 };
  },

  async run(a: RunArgs): Promise<{ ms: number }> {
    const h = handle(a.id);
    const { x } = await fetchTensors(a.inputUrl, `${h.label} input`);
    if (!x) throw new Error(`${h.label}: the input message has no tensor "x"`);
    const { out, ms } = await timedRun(h, x);
    const r = await fetch(a.resultUrl, { method: 'POST', body: blobOf(packTensors(out)) });
    if (!r.ok) throw new Error(`${h.label}: POST ${a.resultUrl} answered ${r.status} ${r.statusText}`);
    return { ms };
  },

  /** Warm-up, then samples until both minTimeMs and minSamples are reached (at most maxSamples); each sample awaits the read-back. */
  async measure(a: MeasureArgs): Promise<InPageTiming> {
    const h = handle(a.id);
    const { x } = await fetchTensors(a.inputUrl, `${h.label} input`);
    if (!x) throw new Error(`${h.label}: the input message has no tensor "x"`);
    if (h.firstRunMs === undefined) await timedRun(h, x);
    const coldMs = h.firstRunMs!;
    let warmupRuns = 0;
    const warmStart = performance.now();
    while (warmupRuns < 2 || performance.now() - warmStart < a.warmupMs) {
      await h.run(x);
      warmupRuns++;
    }
    const samplesMs: number[] = [];
    const start = performance.now();
    while ((samplesMs.length < a.minSamples || performance.now() - start < a.minTimeMs) && samplesMs.length < a.maxSamples) {
      const t0 = performance.now();
      await h.run(x);
      samplesMs.push(performance.now() - t0);
    }
    return { coldMs, samplesMs, warmupRuns };
  },

  async dispose(a: { id: number }): Promise<void> {
    const h = handles.get(a.id);
    handles.delete(a.id);
    await h?.dispose();
  },

  /** Number of live handles (tests check that dispose frees them). */
  async handles(): Promise<number> {
    return handles.size;
  },
};

type Method = keyof typeof methods;

/** Dispatches one call from Node; errors become `{ ok: false, error }` with the page's message. */
async function call(method: string, args: unknown): Promise<PageReply<unknown>> {
  try {
    if (!Object.hasOwn(methods, method)) throw new Error(`unknown page method "${method}"`);
    const fn = methods[method as Method] as (a: unknown) => Promise<unknown>;
    return { ok: true, value: await fn(args) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e), ...(isUnsupported(e) ? { name: e.name } : {}) };
  }
}

(globalThis as Record<string, unknown>)[PAGE_GLOBAL] = { ready: true, call };
