/**
 * One running browser and its page, as the driver (driver.ts) keeps them:
 * fault routing (page errors, console errors, crashes, disconnects go to the
 * operation in flight, or wait for the next one), page (re)opening, and
 * closing on every path with the profile folder reaped (processes.ts).
 */
import type { Browser, Page } from 'puppeteer-core';
import { PAGE_GLOBAL } from './protocol.ts';
import type { BrowserInfo } from './protocol.ts';
import { forget, killTree, processesMentioning, reapProfile, type Started } from './processes.ts';

export function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `p`, or a rejection with `message` after `ms`. */
export async function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Inflight {
  label: string;
  fault(message: string, fatal: boolean): void;
}

/** One running browser with its page. */
export class Session {
  static #next = 1;
  readonly id = Session.#next++;
  page: Page | undefined;
  /** Incremented whenever the page is replaced: blocks prepared on an older page are gone. */
  pageGeneration = 0;
  /** Why the page was lost (crash, hang), until it is replaced. */
  pageLost: string | undefined;
  /** Why the page was last replaced, kept for blocks that lived on it. */
  lastPageLoss: string | undefined;
  /** Why the browser is gone; set once. */
  dead: string | undefined;
  inflight: Inflight | undefined;
  /** Faults reported while no operation ran. */
  stale: string[] = [];
  lastLabel = 'start-up';
  info!: BrowserInfo;
  /** The full reason once known (the exit signal comes a moment after the disconnect). */
  deadReason: Promise<string> = new Promise(() => {});
  readonly exited: Promise<void>;
  #disconnected = false;
  #closing: Promise<void> | undefined;
  readonly #record: Started;

  constructor(readonly browser: Browser, readonly userDataDir: string, readonly origin: string, readonly timeouts: { launch: number }, record: Started) {
    const proc = browser.process();
    this.#record = record;
    record.pid = proc?.pid;
    this.exited = proc && proc.exitCode === null && proc.signalCode === null
      ? new Promise((r) => proc.once('exit', () => r()))
      : Promise.resolve();
    browser.on('disconnected', () => {
      void this.#onDisconnect();
    });
  }

  async #onDisconnect(): Promise<void> {
    if (this.#disconnected) return;
    this.#disconnected = true;
    this.dead ??= 'the browser disconnected';
    let settle: (why: string) => void = () => {};
    this.deadReason = new Promise((r) => { settle = r; });
    const proc = this.browser.process();
    await within(this.exited, 1000, '').catch(() => undefined);
    const how = proc?.signalCode ? `killed by ${proc.signalCode}` : proc?.exitCode != null ? `exited with code ${proc.exitCode}` : 'still running; killed';
    if (this.dead === 'the browser disconnected') this.dead = `the browser disconnected (Chromium pid ${proc?.pid ?? '?'} ${how})`;
    settle(this.dead);
    this.fault(this.dead, true);
    await this.close();
  }

  /** Whether the browser process and its pipes keep Node's event loop alive. */
  keepAlive(on: boolean): void {
    const proc = this.browser.process();
    if (!proc) return;
    if (on) proc.ref();
    else proc.unref();
    for (const stream of proc.stdio) {
      const handle = stream as { ref?: () => void; unref?: () => void } | null;
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Routes a fault to the running operation, or keeps it for the next one. */
  fault(message: string, fatal: boolean): void {
    if (this.inflight) this.inflight.fault(message, fatal);
    else this.stale.push(message);
  }

  watch(page: Page): void {
    page.on('pageerror', (e: unknown) => this.fault(`uncaught exception in the page: ${text(e)}`, false));
    page.on('console', (m) => {
      if (m.type() === 'error') this.fault(`console error in the page: ${m.text()}`, false);
    });
    page.on('error', (e: Error) => {
      if (this.page !== page) return;
      this.pageLost = `the page crashed (${e.message})`;
      this.fault(this.pageLost, true);
    });
  }

  /** Opens (or reopens) the page and waits for the bundle to be ready. */
  async openPage(reuse?: Page): Promise<Page> {
    const page = reuse ?? await this.browser.newPage();
    this.watch(page);
    this.page = page;
    this.pageGeneration++;
    this.pageLost = undefined;
    const ready = (async () => {
      await page.goto(`${this.origin}/`, { waitUntil: 'load', timeout: this.timeouts.launch });
      await page.waitForFunction(`globalThis.${PAGE_GLOBAL}?.ready === true`, { timeout: this.timeouts.launch, polling: 50 });
    })();
    try {
      await ready;
    } catch (e) {
      const why = this.stale.length ? `; the page reported: ${this.stale.join('; ')}` : '';
      this.stale = [];
      throw new Error(`the se-bench page did not load at ${this.origin}/: ${text(e)}${why}`);
    }
    if (this.stale.length) {
      const why = this.stale.join('; ');
      this.stale = [];
      throw new Error(`the se-bench page reported errors while loading: ${why}`);
    }
    return page;
  }

  /** Closes the page after a hang; when even that does not answer, the browser goes. */
  async discardPage(reason: string): Promise<void> {
    const page = this.page;
    this.page = undefined;
    this.pageLost = reason;
    this.lastPageLoss = reason;
    if (!page) return;
    try {
      await within(page.close(), 5000, 'page.close() did not answer');
    } catch {
      this.dead = `the browser was closed: ${reason}, and its page could not be closed`;
      await this.close();
    }
  }

  /** Closes the browser (gracefully, then by force), waits for every process of the profile to go, removes the profile. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.dead ??= 'the browser was closed';
      const pid = this.browser.process()?.pid;
      try {
        if (this.browser.connected) await within(this.browser.close(), 5000, 'browser.close() timed out');
      } catch {
        killTree(pid);
      }
      await within(this.exited, 5000, '').catch(() => killTree(pid));
      // Helpers still alive in the group (renderers, zygotes) after the main process went: the group still exists, so its id is still ours.
      if (processesMentioning(this.userDataDir).length) killTree(pid);
      try {
        await reapProfile(this.userDataDir);
      } finally {
        forget(this.#record);
      }
    })();
    return this.#closing;
  }
}
