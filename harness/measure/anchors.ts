/**
 * PyTorch anchor rows: scripts/torch_anchor.py times PyTorch's SE block on
 * the same shapes, and whole networks of the same architecture, on this
 * machine, in the same run. One Python process stays open for the whole bench
 * and is asked for each shape or network right after our implementations were
 * timed on it, so every ratio against PyTorch compares
 * measurements taken seconds apart (a load change during a long run shifts
 * both sides alike). Samples come back as JSON and get the same statistics
 * (sampleStats) as every other row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PYTHON } from '../host/python.ts';
import type { NetworkSe } from '../model/network.ts';
import type { OperatorProfile } from '../contract/implementation.ts';
import { sampleStats, type Measurement } from './stats.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'torch_anchor.py');
const INSTALL_HINT = 'apt-get install -y python3-torch (Debian), or set SE_BENCH_PYTHON to an interpreter with torch';

/** One PyTorch row: measured, or unavailable with the reason (e.g. no torch.compile in torch 1.13). */
export type AnchorRow =
  | { device: 'cpu' | 'cuda'; variant: string; shape: number[]; ratio: number; available: true; stats: Omit<Measurement, 'coldMs'> }
  | { device: 'cpu' | 'cuda'; variant?: string; shape?: number[]; ratio?: number; available: false; reason: string };

/** One PyTorch whole-network row: measured (with the cold first run apart), or unavailable with the reason. */
export type NetworkAnchorRow =
  | { device: 'cpu' | 'cuda'; variant: string; model: string; shape: number[]; ratio?: number; available: true; stats: Omit<Measurement, 'coldMs'>; coldMs: number }
  | { device: 'cpu' | 'cuda'; variant?: string; model: string; shape: number[]; ratio?: number; available: false; reason: string };

/** A whole network to time in PyTorch: se-bench's model name and SE options (model/network.ts), input size and limits. */
export interface NetworkAnchorRequest {
  model: string;
  /** SE options of an SE model (omit for a plain one: the script refuses options that would do nothing). */
  se?: Partial<NetworkSe>;
  batch: number;
  resolution: number;
  /** Per measurement; by default the process's min time and 10 samples. */
  minTimeMs?: number;
  minSamples?: number;
  /** A first run projecting the measurement past this many seconds makes the row unavailable with the projection. */
  budgetS?: number;
  /** Untimed calls before the samples (default 2). */
  warmup?: number;
  /** Build, run cold and check the budget; take no samples. */
  dryRun?: boolean;
  /** Time on this device only (default: every device the process was started for). */
  device?: 'cpu' | 'cuda';
}

/** One device's raw reply to a network request: the cold run and the samples taken, or why there are none. */
export interface NetworkSampleRow {
  device: 'cpu' | 'cuda';
  variant?: string;
  model: string;
  shape: number[];
  ratio?: number;
  available: boolean;
  coldMs?: number;
  samplesMs: number[];
  reason?: string;
}

/** Networks to time as pairs inside the anchor process: cycles of one call each, the order reversing every cycle (bench/pairs.ts). */
export interface NetworkPairsRequest {
  device: 'cpu' | 'cuda';
  /** Each network as for networkSamples (model, SE options, batch, resolution); already built by a dryRun request, or built now. */
  networks: Pick<NetworkAnchorRequest, 'model' | 'se' | 'batch' | 'resolution'>[];
  /** Index of the first cycle (its parity sets the order), and how many. */
  first: number;
  cycles: number;
  /** Untimed calls of each network, in cycle order, before the first cycle. */
  warmup: number;
  /** How long the cycles should take, ms: the wait allows four times this on top of the per-request limit. */
  expectMs: number;
}

/** Per network of a pairs request: its calls' wall times and process CPU times (one thread: torch's intra-op threads = 1), or why it failed. */
export type NetworkPairsReply = ({ samplesMs: number[]; cpuMs?: number[] } | { failed: string })[];

/** What the anchor process is: PyTorch's version, thread count and CUDA device (or why there is none: then no CUDA rows); or why it could not start. */
export type AnchorInfo =
  | { available: true; torch: string; threads: number; cuda: string | null; noCuda: string | null }
  | { available: false; reason: string; installHint: string };

export interface AnchorOptions {
  /** Intra-op threads for PyTorch: match the implementation's thread count. */
  threads: number;
  minTimeMs: number;
  device: 'cpu' | 'cuda' | 'all';
  /** Limit for the start and for each request; the process is killed after it. */
  timeoutMs?: number;
}

interface RawRow { device: 'cpu' | 'cuda'; variant?: string; model?: string; shape?: number[]; ratio?: number | null; available: boolean; reason?: string; samplesMs?: number[]; coldMs?: number }

/** An open anchor process. time() and timeNetwork() never throw: a failure becomes one unavailable row with its reason. */
export class TorchAnchors {
  readonly #child: ChildProcess;
  readonly #lines: AsyncIterator<string>;
  readonly #timeoutMs: number;
  readonly #stderr: string[] = [];
  /** Why the process can no longer answer; set once it died, timed out or spoke nonsense. */
  #broken: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(child: ChildProcess, timeoutMs: number) {
    this.#child = child;
    this.#timeoutMs = timeoutMs;
    this.#lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    createInterface({ input: child.stderr! }).on('line', (l) => { this.#stderr.push(l); this.#stderr.splice(0, this.#stderr.length - 5); });
    // Writing to a process that just died fails asynchronously (EPIPE); unheard, that error would end the bench.
    child.stdin!.on('error', (e) => { this.#broken ??= `cannot write to ${SCRIPT}: ${e.message}${this.#lastError()}`; });
    child.on('exit', (code, signal) => {
      this.#broken ??= `${PYTHON} ${SCRIPT} ${signal ? `was killed (${signal})` : `exited ${code}`}${this.#lastError()}`;
    });
  }

  /** Starts the process and reads its first line; an unusable interpreter gives the reason and the install hint. */
  static async start(o: AnchorOptions): Promise<{ anchors: TorchAnchors; info: Extract<AnchorInfo, { available: true }> } | { info: Extract<AnchorInfo, { available: false }> }> {
    const args = [SCRIPT, '--threads', String(o.threads), '--min-time', String(o.minTimeMs / 1000), '--device', o.device];
    const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const spawned = await new Promise<Error | undefined>((resolveSpawn) => {
      child.once('spawn', () => resolveSpawn(undefined));
      child.once('error', resolveSpawn);
    });
    if (spawned) return { info: { available: false, reason: `cannot start ${PYTHON}: ${spawned.message}`, installHint: INSTALL_HINT } };
    const anchors = new TorchAnchors(child, o.timeoutMs ?? 120_000);
    const hello = await anchors.#readLine('starting');
    if (typeof hello === 'string') {
      anchors.close();
      return { info: { available: false, reason: hello, installHint: INSTALL_HINT } };
    }
    const h = hello as { available: boolean; reason?: string; installHint?: string; torch: string; threads: number; cuda: string | null; noCuda: string | null };
    if (!h.available) {
      anchors.close();
      return { info: { available: false, reason: h.reason ?? 'torch unavailable', installHint: h.installHint ?? INSTALL_HINT } };
    }
    return { anchors, info: { available: true, torch: h.torch, threads: h.threads, cuda: h.cuda, noCuda: h.noCuda } };
  }

  /** Times PyTorch's SE block on one [N, C, H, W] shape at reduction ratio `ratio` (requests run one at a time). */
  async time(requested: readonly number[], ratio: number): Promise<AnchorRow[]> {
    const shape = [...requested];
    const rows = await this.#ask({ shape, ratio }, `timing ${shape.join('x')} r=${ratio}`, this.#timeoutMs);
    if (typeof rows === 'string') return [{ device: 'cpu', shape, ratio, available: false, reason: rows }];
    return rows.map((x): AnchorRow => (x.available && x.samplesMs?.length && x.variant && x.shape && typeof x.ratio === 'number'
      ? { device: x.device, variant: x.variant, shape: x.shape, ratio: x.ratio, available: true, stats: sampleStats(x.samplesMs) }
      : { device: x.device, variant: x.variant, shape: x.shape, ratio: x.ratio ?? undefined, available: false, reason: x.reason ?? 'not measured' }));
  }

  /**
   * Times a whole network in PyTorch eager mode, built as scripts/golden.py
   * builds it (the architecture the golden network cases prove equal to ours).
   * The wait allows the session limit plus the budget: building the model and
   * its first run come on top of the measurement the budget bounds.
   */
  async timeNetwork(req: NetworkAnchorRequest): Promise<NetworkAnchorRow[]> {
    return (await this.networkSamples(req)).map((x): NetworkAnchorRow => {
      const { samplesMs, coldMs, ...where } = x;
      return x.available && samplesMs.length && x.variant && coldMs !== undefined
        ? { ...where, variant: x.variant, available: true, stats: sampleStats(samplesMs), coldMs }
        : { ...where, available: false, reason: x.reason ?? 'not measured' };
    });
  }

  /**
   * The raw reply to a network request, a row per device: its cold run and
   * the samples taken (none for `dryRun`), or the reason there are none. A
   * network asked for again is not rebuilt (the script keeps the last 8), so a
   * caller can take a few samples of several networks in turn.
   */
  async networkSamples(req: NetworkAnchorRequest): Promise<NetworkSampleRow[]> {
    const { model, se, batch, resolution, ...limits } = req;
    const head = { model, shape: [batch, 3, resolution, resolution], ...(se?.ratio === undefined ? {} : { ratio: se.ratio }) };
    const what = `timing ${model}${se?.ratio === undefined ? '' : ` r=${se.ratio}`} at ${batch}x${resolution}x${resolution}`;
    const rows = await this.#ask({ network: model, ...(se ? { se } : {}), batch, resolution, ...limits }, what, this.#timeoutMs + 1000 * (req.budgetS ?? 0));
    if (typeof rows === 'string') return [{ device: 'cpu', ...head, available: false, reason: rows, samplesMs: [] }];
    return rows.map((x): NetworkSampleRow => ({
      device: x.device, variant: x.variant, model: x.model ?? model, shape: x.shape ?? head.shape, ...(typeof x.ratio === 'number' ? { ratio: x.ratio } : {}),
      available: x.available && x.coldMs !== undefined, ...(x.coldMs === undefined ? {} : { coldMs: x.coldMs }),
      samplesMs: x.samplesMs ?? [], ...(x.available ? {} : { reason: x.reason ?? 'not measured' }),
    }));
  }

  /** Times networks as pairs in the process (NetworkPairsRequest); never throws: a failure fails every network of the request. */
  async networkPairs(req: NetworkPairsRequest): Promise<NetworkPairsReply> {
    const { expectMs, networks, ...rest } = req;
    const body = { pairs: networks.map(({ model, se, batch, resolution }) => ({ network: model, ...(se ? { se } : {}), batch, resolution })), ...rest };
    const rows = await this.#ask(body, `timing ${networks.length} networks as pairs`, this.#timeoutMs + 4 * expectMs);
    if (typeof rows === 'string') return networks.map(() => ({ failed: rows }));
    return networks.map((_, i) => {
      const r = rows[i] as (RawRow & { cpuMs?: number[] }) | undefined;
      if (!r?.available || !Array.isArray(r.samplesMs)) return { failed: r?.reason ?? 'no samples in the reply' };
      return { samplesMs: r.samplesMs, ...(Array.isArray(r.cpuMs) ? { cpuMs: r.cpuMs } : {}) };
    });
  }

  /** The network's operator times from torch.profiler in the process (one untimed call, then `calls`), or why there are none. Never throws. */
  async profileNetwork(req: Pick<NetworkAnchorRequest, 'model' | 'se' | 'batch' | 'resolution'> & { device: 'cpu' | 'cuda'; calls: number }): Promise<OperatorProfile> {
    const { model, se, batch, resolution, device, calls } = req;
    const rows = await this.#ask({ profile: { network: model, ...(se ? { se } : {}), batch, resolution }, device, calls }, `profiling ${model}`, this.#timeoutMs * 2);
    if (typeof rows === 'string') return { available: false, reason: rows };
    const r = rows[0] as unknown as OperatorProfile | undefined;
    if (!r || (r.available && !Array.isArray((r as { ops?: unknown }).ops))) return { available: false, reason: 'the reply had no operator times' };
    return r;
  }

  /** Sends one request (after any earlier one is answered) and returns the reply's rows, or why there are none. */
  #ask(request: object, what: string, timeoutMs: number): Promise<RawRow[] | string> {
    const run = async (): Promise<RawRow[] | string> => {
      if (this.#broken) return this.#broken;
      this.#child.stdin!.write(`${JSON.stringify(request)}\n`);
      const reply = await this.#readLine(what, timeoutMs);
      if (typeof reply === 'string') return reply;
      const r = (reply ?? {}) as { rows?: unknown; error?: unknown };
      if (!Array.isArray(r.rows)) return typeof r.error === 'string' ? r.error : 'the reply had no rows';
      return (r.rows as unknown[]).filter((x): x is RawRow => typeof x === 'object' && x !== null);
    };
    const next = this.#queue.then(run);
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Ends the process (its stdin closes, so it exits; killed if it lingers). */
  close(): void {
    this.#broken ??= 'the anchor process was closed';
    this.#child.stdin?.end();
    const t = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    t.unref();
    this.#child.once('exit', () => clearTimeout(t));
  }

  /** Kills the process as a crash would (for tests). */
  kill(): void {
    this.#child.kill('SIGKILL');
  }

  #lastError(): string {
    const last = this.#stderr.at(-1);
    return last ? `: ${last}` : '';
  }

  /** The next stdout line as JSON, or a reason string (process gone, timeout, unreadable line); any failure breaks the session. */
  async #readLine(what: string, timeoutMs = this.#timeoutMs): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
    try {
      const next = await Promise.race([this.#lines.next(), timeout]);
      if (next === 'timeout') {
        this.#broken = `${SCRIPT} took over ${timeoutMs / 1000} s ${what}; killed`;
        this.#child.kill('SIGKILL');
        return this.#broken;
      }
      if (next.done) {
        await new Promise((r) => (this.#child.exitCode === null && this.#child.signalCode === null ? this.#child.once('exit', r) : r(undefined)));
        return this.#broken ?? `${SCRIPT} closed its output ${what}`;
      }
      try {
        return JSON.parse(next.value) as unknown;
      } catch (e) {
        this.#broken = `unreadable output from ${SCRIPT} ${what}: ${(e as Error).message}`;
        this.#child.kill('SIGKILL');
        return this.#broken;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
