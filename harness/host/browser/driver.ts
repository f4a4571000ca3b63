/**
 * The browser driver: one Chromium (puppeteer-core, headless, fresh profile
 * in a temporary folder) per host, launched lazily on first use, with one page
 * served by server.ts. Every call into the page is an operation with a label
 * (implementation, block, step) and a timeout; whatever goes wrong while it
 * runs is reported as that operation's error:
 *   - an uncaught exception in the page (pageerror), a console error, an
 *     unhandled rejection (index.html turns it into a console error);
 *   - a crashed page (renderer died): the page is replaced, its blocks are gone;
 *   - a browser that disconnects or exits: the host relaunches on next use;
 *   - no answer within the timeout (a hung page): the page is closed.
 * A fault between operations fails the next one, naming the one before it.
 * The browser is closed on every path: closeBrowser(), a crash, process exit
 * and fatal signals (processes.ts); no Chromium process outlives the host.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { isUnsupported } from '../../contract/implementation.ts';
import { PAGE_GLOBAL, type PageInfo, type PageReply } from './protocol.ts';
import { PAGE_HTML, pageBundle } from './bundle.ts';
import type { BrowserInfo } from './protocol.ts';
import { forget, reapProfile, remember } from './processes.ts';
import { Session, sleep, text, within } from './session.ts';
import { startPageServer, type PageServer } from './server.ts';

export type { BrowserInfo };

/** The folder of an installed package's main file (onnxruntime-web: its dist/), or undefined when it is not installed. */
function mainFileDir(name: string): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(name));
  } catch {
    return undefined;
  }
}

/** A place to look for the browser, and where that place came from. */
export interface ExecutableCandidate {
  path: string;
  /** `PUPPETEER_EXECUTABLE_PATH`, `CHROME_PATH` or `default`. */
  from: string;
}

/** How to install a browser se-bench can drive. */
export const BROWSER_INSTALL_HINT = 'apt-get install -y chromium (or set PUPPETEER_EXECUTABLE_PATH or CHROME_PATH to a Chrome / Chromium binary)';

/** Where we look: PUPPETEER_EXECUTABLE_PATH, CHROME_PATH, then /usr/bin/chromium. */
export function executableCandidates(env: NodeJS.ProcessEnv = process.env): ExecutableCandidate[] {
  const out: ExecutableCandidate[] = [];
  for (const v of ['PUPPETEER_EXECUTABLE_PATH', 'CHROME_PATH']) if (env[v]) out.push({ path: env[v]!, from: v });
  out.push({ path: '/usr/bin/chromium', from: 'default' });
  return out;
}

/** The browser cannot start here; `installHint` says what would fix it. */
export class BrowserUnavailable extends Error {
  constructor(message: string, readonly installHint: string) {
    super(message);
    this.name = 'BrowserUnavailable';
  }
}

/** Which WebGPU adapter to ask Chromium for. */
export type WebGpuMode = 'auto' | 'hardware' | 'swiftshader';

export interface BrowserHostOptions {
  /** Default: executableCandidates(). */
  executables?: ExecutableCandidate[];
  /** Default timeout of one page operation, ms (SE_BENCH_BROWSER_TIMEOUT_MS, else 120 s). */
  timeoutMs?: number;
  /** Launch and page load timeout, ms (default 60 s). */
  launchTimeoutMs?: number;
  /** `auto` (default; SE_BENCH_BROWSER_WEBGPU overrides): hardware adapter first where a GPU device exists, else SwiftShader. */
  webgpu?: WebGpuMode;
}


const BASE_ARGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-breakpad', '--disable-crash-reporter',
];
/**
 * WebGPU flags. Hardware on Linux: headless Chromium uses the GPU only through
 * Vulkan (ANGLE on Vulkan, no surface), the recipe Chrome's team gives for
 * WebGPU in headless Chrome; macOS and Windows use Metal / D3D12 by default.
 */
const WEBGPU_ARGS = {
  hardware: process.platform === 'linux'
    ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface', '--ignore-gpu-blocklist']
    : ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist'],
  swiftshader: ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'],
};
/** Time given to a failing operation to settle after a non-fatal fault, before it is failed. */
const SETTLE_MS = 2000;

/**
 * The browser's environment settings, each checked: a value that is set but
 * wrong is a problem the launch reports (never silently replaced by the default).
 */
function browserEnv(): { timeoutMs?: number; webgpu?: WebGpuMode; problems: string[] } {
  const problems: string[] = [];
  const out: { timeoutMs?: number; webgpu?: WebGpuMode; problems: string[] } = { problems };
  const timeout = process.env.SE_BENCH_BROWSER_TIMEOUT_MS?.trim();
  if (timeout) {
    if (/^\d+$/.test(timeout) && Number(timeout) > 0) out.timeoutMs = Number(timeout);
    else problems.push(`SE_BENCH_BROWSER_TIMEOUT_MS must be a positive integer (ms), got "${timeout}"`);
  }
  const webgpu = process.env.SE_BENCH_BROWSER_WEBGPU?.trim();
  if (webgpu) {
    if ((['auto', 'hardware', 'swiftshader'] as string[]).includes(webgpu)) out.webgpu = webgpu as WebGpuMode;
    else problems.push(`SE_BENCH_BROWSER_WEBGPU must be auto, hardware or swiftshader, got "${webgpu}"`);
  }
  return out;
}

/** Whether this machine has a GPU device node the browser could use (Linux); elsewhere assume yes. */
export function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true;
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return existsSync('/dev/dri') && statSync('/dev/dri').isDirectory() && existsSync('/dev/dri/renderD128');
  } catch {
    return false;
  }
}

/** Where a prepared block lives: session, page generation and handle id. */
export interface PageHandle {
  session: number;
  pageGeneration: number;
  id: number;
}

/**
 * Owns one browser (launched on first use, relaunched after it died) and the
 * page server. Operations are serialised: one page call at a time.
 */
export class BrowserHost {
  readonly #options: Required<BrowserHostOptions>;
  #session: Session | undefined;
  #launching: Promise<Session> | undefined;
  #failure: Error | undefined;
  #server: Promise<PageServer> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextHandle = 1;
  #busy = 0;
  /** Every session this host started (few), so a block can say why its browser went. */
  readonly #sessions = new Map<number, Session>();
  /** Bad values of the browser's environment variables: the launch refuses with them. */
  readonly #envProblems: string[];

  constructor(options: BrowserHostOptions = {}) {
    const env = browserEnv();
    this.#envProblems = env.problems;
    this.#options = {
      executables: options.executables ?? executableCandidates(),
      timeoutMs: options.timeoutMs ?? env.timeoutMs ?? 120_000,
      launchTimeoutMs: options.launchTimeoutMs ?? 60_000,
      webgpu: options.webgpu ?? env.webgpu ?? 'auto',
    };
  }

  /** Default operation timeout, ms. */
  get timeoutMs(): number {
    return this.#options.timeoutMs;
  }

  /**
   * The executable to launch, or BrowserUnavailable listing every path tried.
   * A path named by an environment variable that is not a file is an error of
   * its own: falling back to another browser would measure one not asked for.
   */
  findExecutable(): ExecutableCandidate {
    const tried: string[] = [];
    for (const c of this.#options.executables) {
      let what: string;
      try {
        if (statSync(c.path).isFile()) return c;
        what = 'not a file';
      } catch {
        what = 'not found';
      }
      if (c.from !== 'default') throw new BrowserUnavailable(`${c.from}=${c.path}: ${what}`, `point ${c.from} at a Chrome or Chromium binary, or unset it to use /usr/bin/chromium`);
      tried.push(`${c.path} (${c.from}: ${what})`);
    }
    throw new BrowserUnavailable(`no Chrome or Chromium found; tried ${tried.join(', ')}`, BROWSER_INSTALL_HINT);
  }

  #pageServer(): Promise<PageServer> {
    this.#server ??= (async () => {
      const bundle = await pageBundle();
      const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      return startPageServer({ bundle, htmlPath: PAGE_HTML, wasmDir, ortDir: mainFileDir('onnxruntime-web') });
    })();
    this.#server.catch(() => { this.#server = undefined; });
    return this.#server;
  }

  async #start(exe: ExecutableCandidate, flags: 'hardware' | 'swiftshader', server: PageServer): Promise<Session> {
    const puppeteer = (await import('puppeteer-core')).default;
    const userDataDir = mkdtempSync(join(tmpdir(), 'se-bench-chromium-'));
    const args = [...BASE_ARGS, ...WEBGPU_ARGS[flags]];
    const t0 = performance.now();
    // Recorded before the launch: should Node exit while Chromium starts, the exit hook still finds it by its profile path.
    const record = remember(undefined, userDataDir);
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath: exe.path, headless: true, pipe: true, userDataDir, args,
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
        timeout: this.#options.launchTimeoutMs, protocolTimeout: 24 * 3600_000, defaultViewport: null,
        // Chromium keeps some state (the crash-report database) under the config home, not the profile: keep it in the profile folder too.
        env: { ...process.env, XDG_CONFIG_HOME: join(userDataDir, 'config'), XDG_CACHE_HOME: join(userDataDir, 'cache') },
      });
    } catch (e) {
      await reapProfile(userDataDir, 1000).catch(() => undefined);
      forget(record);
      throw new BrowserUnavailable(`${exe.path} (${exe.from}) did not start: ${text(e).split('\n')[0]}`, BROWSER_INSTALL_HINT);
    }
    const s = new Session(browser, userDataDir, server.origin, { launch: this.#options.launchTimeoutMs }, record);
    try {
      const [first] = await browser.pages();
      await s.openPage(first);
      const info = await this.#callOn<PageInfo>(s, 'start-up: page info', 'info', {}, this.#options.launchTimeoutMs);
      const bundle = await pageBundle();
      s.info = {
        executable: exe.path, executableFrom: exe.from, version: await browser.version(), userAgent: await browser.userAgent(),
        webgpuFlags: flags, webgpu: info.webgpu, crossOriginIsolated: info.crossOriginIsolated,
        hardwareConcurrency: info.hardwareConcurrency, timerResolutionMs: info.timerResolutionMs,
        pid: browser.process()?.pid, userDataDir, args, launchMs: performance.now() - t0,
        bundleMs: bundle.buildMs, esbuild: bundle.esbuildVersion, origin: server.origin,
      };
      return s;
    } catch (e) {
      await s.close();
      throw e;
    }
  }

  async #launch(): Promise<Session> {
    if (this.#envProblems.length) throw new BrowserUnavailable(this.#envProblems.join('; '), 'fix the value, or unset the variable for the default');
    const exe = this.findExecutable();
    const server = await this.#pageServer();
    const mode = this.#options.webgpu;
    if (mode === 'swiftshader' || (mode === 'auto' && !gpuDevicePresent())) return this.#start(exe, 'swiftshader', server);
    const s = await this.#start(exe, 'hardware', server);
    if (mode === 'hardware' || (s.info.webgpu.available && !s.info.webgpu.adapter.software)) return s;
    // No hardware adapter: start again with SwiftShader, so browser-tfjs-webgpu can still run (in software).
    await s.close();
    return this.#start(exe, 'swiftshader', server);
  }

  /** The live session, launching the browser when there is none. A launch failure is kept until close(). */
  async #live(): Promise<Session> {
    if (this.#session && !this.#session.dead) return this.#session;
    if (this.#failure) throw this.#failure;
    this.#launching ??= this.#launch();
    try {
      this.#session = await this.#launching;
      this.#sessions.set(this.#session.id, this.#session);
      return this.#session;
    } catch (e) {
      this.#failure = e instanceof Error ? e : new Error(String(e));
      throw this.#failure;
    } finally {
      this.#launching = undefined;
    }
  }

  /** Launches if needed; what was recorded about the browser. Throws BrowserUnavailable when it cannot start. */
  info(): Promise<BrowserInfo> {
    return this.#hold(async () => (await this.#live()).info);
  }

  /**
   * Runs `fn` with the browser and server keeping Node alive. Between
   * operations they do not: a process that never calls closeBrowser() still
   * exits, and its exit hook (processes.ts) kills the browser.
   */
  async #hold<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#busy++ === 0) this.#keepAlive(true);
    try {
      return await fn();
    } finally {
      if (--this.#busy === 0) this.#keepAlive(false);
    }
  }

  #keepAlive(on: boolean): void {
    this.#session?.keepAlive(on);
    void this.#server?.then((server) => server.keepAlive(on), () => undefined);
  }

  /** Pid and profile folder of the running browser, if any (tests use them). */
  running(): { pid?: number; userDataDir: string; process: ReturnType<Browser['process']> } | undefined {
    const s = this.#session;
    return s && !s.dead ? { pid: s.info?.pid, userDataDir: s.userDataDir, process: s.browser.process() } : undefined;
  }

  /**
   * Runs `work` as one labelled operation: serialised, time-limited, and
   * failed by any fault the page or browser reports while it runs. With
   * `pin`, it fails at once when that block's page or browser is gone.
   */
  operation<T>(label: string, timeoutMs: number, work: (page: Page, s: { id: number; pageGeneration: number }) => Promise<T>, pin?: PageHandle): Promise<T> {
    const run = () => this.#hold(async () => {
      // An operation on a prepared block needs the page that holds it; never relaunch for it.
      const gone = pin && this.lost(pin);
      if (gone) throw new Error(`${label}: the block is gone: ${gone}; prepare it again`);
      const s = await this.#live();
      return this.#on(s, label, timeoutMs, work);
    });
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #on<T>(s: Session, label: string, timeoutMs: number, work: (page: Page, s: { id: number; pageGeneration: number }) => Promise<T>): Promise<T> {
    if (s.stale.length) {
      const why = s.stale.join('; ');
      s.stale = [];
      throw new Error(`${label}: not run: the page reported errors after "${s.lastLabel}" had finished: ${why}`);
    }
    if (!s.page) {
      try {
        await s.openPage();
      } catch (e) {
        throw new Error(`${label}: could not open a new page: ${text(e)}`);
      }
    }
    const page = s.page!;
    let timer: NodeJS.Timeout | undefined;
    const faults: string[] = [];
    let failNow: (e: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => { failNow = reject; });
    const job = work(page, { id: s.id, pageGeneration: s.pageGeneration });
    job.catch(() => undefined);
    s.inflight = {
      label,
      fault: (message, fatal) => {
        faults.push(message);
        // A fatal fault (crash, disconnect) ends the operation now; others give it a moment to settle first.
        if (fatal) failNow(new Error(`${label}: ${message}`));
        else if (faults.length === 1) void Promise.race([job.catch(() => undefined), sleep(SETTLE_MS)]).then(() => failNow(new Error(`${label}: ${faults.join('; ')}`)));
      },
    };
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`${label}: no answer from the page within ${timeoutMs} ms`), { hung: true })), timeoutMs);
    });
    try {
      const value = await Promise.race([job, failed, timeout]);
      if (faults.length) throw new Error(`${label}: ${faults.join('; ')}`);
      return value;
    } catch (e) {
      if ((e as { hung?: boolean }).hung) {
        await s.discardPage(`"${label}" did not finish within ${timeoutMs} ms`);
        throw new Error(`${text(e)} (hung?); the page was closed and blocks prepared on it are gone`);
      }
      if (s.dead) {
        const dead = await within(s.deadReason, 2000, '').catch(() => s.dead!);
        if (!text(e).includes(dead)) throw new Error(`${label}: ${dead}`);
      }
      if (s.pageLost && !text(e).includes(s.pageLost)) throw new Error(`${label}: ${s.pageLost}`);
      const also = faults.filter((f) => !text(e).includes(f));
      const message = text(e).startsWith(`${label}: `) ? text(e) : `${label}: ${text(e).split('\n')[0]}`;
      // An UnsupportedError from the page must stay one (the cell is unsupported, not an error).
      throw Object.assign(new Error(also.length ? `${message}; the page also reported: ${also.join('; ')}` : message), isUnsupported(e) ? { name: e.name } : {});
    } finally {
      clearTimeout(timer);
      s.inflight = undefined;
      s.lastLabel = label;
      if (s.pageLost && s.page === page) await s.discardPage(s.pageLost);
    }
  }

  /** One `__seBench.call(method, args)` on session `s`'s page (no queueing: start-up uses it). */
  async #callOn<T>(s: Session, label: string, method: string, args: unknown, timeoutMs: number): Promise<T> {
    return this.#on(s, label, timeoutMs, (page) => this.callIn<T>(page, label, method, args));
  }

  /** `__seBench.call(method, args)` on `page`, inside an operation's work (which already holds the queue). */
  async callIn<T>(page: Page, label: string, method: string, args: unknown): Promise<T> {
    const reply = await page.evaluate(`globalThis.${PAGE_GLOBAL}.call(${JSON.stringify(method)}, ${JSON.stringify(args)})`) as PageReply<T>;
    if (!reply.ok) throw Object.assign(new Error(`${label}: ${reply.error}`), reply.name ? { name: reply.name } : {});
    return reply.value;
  }

  /** Calls the page method `method` with JSON `args` as one operation. */
  call<T>(label: string, method: string, args: unknown, timeoutMs = this.timeoutMs, pin?: PageHandle): Promise<T> {
    return this.operation(label, timeoutMs, (page) => this.callIn<T>(page, label, method, args), pin);
  }

  /** Evaluates a JavaScript expression in the page as one operation (diagnostics and tests). */
  evaluate<T>(label: string, expression: string, timeoutMs = this.timeoutMs): Promise<T> {
    return this.operation(label, timeoutMs, async (page) => await page.evaluate(expression) as T);
  }

  /** A new handle id on the current page. */
  newHandle(s: { id: number; pageGeneration: number }): PageHandle {
    return { session: s.id, pageGeneration: s.pageGeneration, id: this.#nextHandle++ };
  }

  /** Why `h` no longer exists (its browser or page is gone), or undefined when it is live. */
  lost(h: PageHandle): string | undefined {
    const s = this.#sessions.get(h.session);
    if (!s) return 'the browser that held it is gone';
    if (s.dead) return s.dead;
    if (s !== this.#session) return 'the browser that held it was replaced';
    if (s.pageGeneration !== h.pageGeneration || !s.page) return `the page that held it was replaced${s.lastPageLoss ? ` (${s.lastPageLoss})` : ''}`;
    return undefined;
  }

  /** The page server (starting it if needed), for offering tensors. */
  server(): Promise<PageServer> {
    return this.#pageServer();
  }

  /** Closes the browser and the server; a later call launches a new browser. Never throws. */
  async close(): Promise<void> {
    const launching = this.#launching;
    if (launching) await launching.catch(() => undefined);
    const s = this.#session;
    this.#session = undefined;
    this.#failure = undefined;
    if (s) await s.close().catch(() => undefined);
    const server = this.#server;
    this.#server = undefined;
    if (server) await (await server.catch(() => undefined))?.close();
  }
}

let shared: BrowserHost | undefined;

/** The process's browser host, shared by the default browser implementations. */
export function sharedBrowserHost(): BrowserHost {
  shared ??= new BrowserHost();
  return shared;
}

/** Closes the shared browser (if one was started) and its server; call at the end of a command. Never throws. */
export async function closeBrowser(): Promise<void> {
  await shared?.close();
}
