/**
 * The `browser` device: the harness's implementations inside Chromium,
 * checked against golden in Node, plus the driver's fault handling (a killed
 * browser, a hung page, page errors) and clean-up (no Chromium left behind).
 * Skips with the reason when no Chromium is installed, unless SE_BENCH_EXPECT
 * names a browser implementation.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeComparison } from '../harness/check/compare.ts';
import { checkCase, runConformance, worstRatio } from '../harness/check/conformance.ts';
import { importedNames, pageBundle, setPageModules } from '../harness/host/browser/bundle.ts';
import { BrowserHost, closeBrowser, sharedBrowserHost, type BrowserInfo } from '../harness/host/browser/driver.ts';
import { processesMentioning } from '../harness/host/browser/processes.ts';
import { startPageServer } from '../harness/host/browser/server.ts';
import { GoldenSet, type LoadedCase } from '../harness/data/golden.ts';
import { sampleStats } from '../harness/measure/stats.ts';
import { toLayout } from '../harness/data/tensor.ts';
import { measuresInPage, type BrowserImplementation } from '../harness/host/browser/implementation.ts';
import { BUILTIN_PAGE_MODULES, builtinBrowserImplementations as browserImplementations } from '../harness/cli/builtins.ts';
import { packTensors, joinChunks, unpackTensors } from '../harness/host/browser/wire.ts';
import type { PreparedNetwork, SeImplementation } from '../harness/contract/implementation.ts';
import { Registry } from '../harness/contract/registry.ts';
import { readResultsFile } from '../harness/bench/results-file.ts';
import { restoreEnvAfter } from './helpers.ts';

const golden = new GoldenSet();
const cache = new Map<string, LoadedCase>();
function load(id: string): LoadedCase {
  let c = cache.get(id);
  if (!c) cache.set(id, (c = golden.load(id)));
  return c;
}
const expected = (process.env.SE_BENCH_EXPECT ?? '').split(',').map((s) => s.trim());
// The page bundles the built-in page modules, as the CLI sets them (harness/cli/implementations.ts).
setPageModules(BUILTIN_PAGE_MODULES);
const impls = new Map(browserImplementations().map((i) => [i.name, i]));
const impl = (name: string) => impls.get(name)!;
const seCases = golden.manifest.cases.filter((c) => c.kind === 'se').map((c) => c.id);
const SMALL_SE = ['seed-se_block-64-r16', 'seed-se_block-3-r16-hidden0', 'stage5-2048x7x7-b2-r16-floor', 'awkward-c8-r16-divisor8', 'ablation-nosqueeze', 'ablation-squeeze-max'];
const BOTTLENECKS = ['bottleneck-standard', 'bottleneck-resnext-g32-standard'];

/** Per implementation: which golden cases this suite runs (webgpu on SwiftShader is slow, cpu is covered by wasm). */
const PLAN: Record<string, string[]> = {
  'browser-reference': [...seCases, ...BOTTLENECKS],
  'browser-tfjs-wasm': [...seCases, ...BOTTLENECKS, 'net-se-resnet50-64'],
  'browser-tfjs-cpu': [...SMALL_SE, ...BOTTLENECKS],
  'browser-tfjs-webgpu': [...SMALL_SE, BOTTLENECKS[0]!],
};

let unavailable: string | undefined;
let info: BrowserInfo | undefined;

before(async () => {
  try {
    info = await sharedBrowserHost().info();
  } catch (e) {
    unavailable = e instanceof Error ? e.message : String(e);
  }
});

after(async () => {
  await closeBrowser();
});

/** Skips the test (with the reason) when Chromium cannot run here and no browser implementation is expected. */
function needBrowser(t: { skip(message?: string): void }): boolean {
  if (!unavailable) return true;
  const names = [...impls.keys()].filter((n) => expected.includes(n));
  assert.equal(names.length, 0, `${names.join(', ')} expected (SE_BENCH_EXPECT) but the browser is unavailable: ${unavailable}`);
  t.skip(`browser unavailable: ${unavailable}`);
  return false;
}

test('wire format: tensors round-trip, also from an unaligned buffer', () => {
  const a = { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, NaN]) };
  const b = { shape: [1], data: Float32Array.from([-Infinity]) };
  const bytes = joinChunks(packTensors({ a, b }));
  const back = unpackTensors(bytes);
  assert.deepEqual(back.a!.shape, [2, 3]);
  assert.deepEqual([...back.a!.data], [...a.data]);
  assert.deepEqual([...back.b!.data], [-Infinity]);
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual([...unpackTensors(shifted.subarray(1)).a!.data], [...a.data]);
  assert.throws(() => unpackTensors(bytes.subarray(0, bytes.length - 4)), /tensor b .* does not fit/);
});

test('page bundle: built in memory, no node: module left in it; Node-only imports become named stand-ins', async () => {
  assert.deepEqual(importedNames("import a, { b as c, type D } from 'node:x';\nimport type { E } from 'node:x';\nimport { f } from './other.ts';", 'node:x'), ['b', 'default']);
  const bundle = await pageBundle();
  const js = new TextDecoder().decode(bundle.files.get('/bundle.js')!.bytes);
  assert.deepEqual([...js.matchAll(/from\s*["']node:[\w/]+["']|import\(["']node:/g)].map((m) => m[0]), []);
  assert.match(js, /nodeWebGpu from \.\/host\/webgpu-node\.ts \(imported by harness\/api\.ts\) is Node-only/);
});

test('server: a taken port falls back to an ephemeral one; wasm is served as application/wasm; tensors by one-off URL', async () => {
  const bundle = { files: new Map([['/bundle.js', { bytes: new TextEncoder().encode('1'), contentType: 'text/javascript' }]]), buildMs: 0, esbuildVersion: 'test' };
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const content = { bundle, htmlPath: new URL('../harness/host/browser/page/index.html', import.meta.url).pathname, wasmDir };
  const first = await startPageServer(content);
  const port = Number(new URL(first.origin).port);
  const second = await startPageServer(content, port);
  try {
    assert.notEqual(second.origin, first.origin);
    const wasm = await fetch(`${second.origin}/wasm/tfjs-backend-wasm-simd.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal((await fetch(`${second.origin}/wasm/../package.json`)).status, 404);
    const url = second.offer(packTensors({ x: { shape: [2], data: Float32Array.from([1, 2]) } }));
    assert.deepEqual([...unpackTensors(new Uint8Array(await (await fetch(url)).arrayBuffer())).x!.data], [1, 2]);
    second.drop(url);
    assert.equal((await fetch(url)).status, 404);
    const result = second.expect();
    assert.equal((await fetch(result.url, { method: 'POST', body: new Uint8Array([7]) })).status, 204);
    assert.deepEqual([...result.take()!], [7]);
  } finally {
    await second.close();
    await first.close();
  }
});

test('no browser found: unavailable, naming every path tried and the install command', async () => {
  const host = new BrowserHost({ executables: [{ path: '/nonexistent/chromium', from: 'default' }, { path: '/nonexistent/chrome', from: 'default' }] });
  const [reference] = browserImplementations(host);
  const a = await reference!.probe();
  assert.equal(a.available, false);
  if (a.available) return;
  assert.match(a.reason, /no Chrome or Chromium found; tried \/nonexistent\/chromium \(default: not found\), \/nonexistent\/chrome \(default: not found\)/);
  assert.match(a.installHint, /apt-get install -y chromium/);
  await host.close();
});

test('a browser path set in the environment that does not exist is an error, never a fall-back to another browser', async () => {
  const host = new BrowserHost({ executables: [{ path: '/nonexistent/chrome', from: 'PUPPETEER_EXECUTABLE_PATH' }, { path: '/usr/bin/chromium', from: 'default' }] });
  const [reference] = browserImplementations(host);
  const a = await reference!.probe();
  assert.equal(a.available, false);
  if (a.available) return;
  assert.equal(a.reason, 'PUPPETEER_EXECUTABLE_PATH=/nonexistent/chrome: not found');
  assert.match(a.installHint, /point PUPPETEER_EXECUTABLE_PATH at a Chrome or Chromium binary, or unset it/);
  await host.close();
});

test('bad values of the browser\'s environment variables make it unavailable with the value, not the default silently', async (t) => {
  restoreEnvAfter(t, 'SE_BENCH_BROWSER_WEBGPU', 'SE_BENCH_BROWSER_TIMEOUT_MS');
  process.env.SE_BENCH_BROWSER_WEBGPU = 'metal';
  process.env.SE_BENCH_BROWSER_TIMEOUT_MS = '2m';
  const host = new BrowserHost({ executables: [{ path: '/nonexistent/chromium', from: 'default' }] });
  const a = await browserImplementations(host)[0]!.probe();
  assert.equal(a.available, false);
  if (a.available) return;
  assert.equal(a.reason, 'SE_BENCH_BROWSER_TIMEOUT_MS must be a positive integer (ms), got "2m"; SE_BENCH_BROWSER_WEBGPU must be auto, hardware or swiftshader, got "metal"');
  await host.close();
});

test('every browser implementation is available; browser and adapter are recorded', async (t) => {
  if (!needBrowser(t)) return;
  t.diagnostic(`${info!.version}; ${info!.userAgent}; WebGPU (${info!.webgpuFlags} flags): ${JSON.stringify(info!.webgpu)}; `
    + `cross-origin isolated ${info!.crossOriginIsolated}; timer ${info!.timerResolutionMs.toFixed(4)} ms; launch ${info!.launchMs.toFixed(0)} ms, bundle ${info!.bundleMs.toFixed(0)} ms`);
  assert.match(info!.version, /Chrom/);
  assert.equal(info!.crossOriginIsolated, true);
  for (const i of impls.values()) {
    const a = await i.probe();
    if (!a.available && !expected.includes(i.name)) {
      t.diagnostic(`${i.name} unavailable: ${a.reason}`);
      continue;
    }
    assert.ok(a.available, `${i.name}: ${a.available ? '' : a.reason}`);
    t.diagnostic(`${i.name}: ${a.detail}`);
  }
});

for (const [name, ids] of Object.entries(PLAN)) {
  test(`${name} passes its golden cases (${ids.length})`, async (t) => {
    if (!needBrowser(t)) return;
    const i = impl(name);
    const a = await i.probe();
    if (!a.available) {
      assert.ok(!expected.includes(name), `${name} is expected (SE_BENCH_EXPECT) but unavailable: ${a.reason}`);
      t.skip(`${name} unavailable: ${a.reason}`);
      return;
    }
    const worst: Record<string, { ratio: number; id: string; maxAbs: number }> = {};
    for (const id of ids) {
      const c = load(id);
      const cell = await checkCase(i, c);
      assert.equal(cell.status, 'pass', `${id} x ${name}: ${cell.message ?? describeComparison(cell.output!)}`);
      assert.ok(cell.gate || cell.parts || id === 'bottleneck-none', `${id} x ${name}: the gate was not returned`);
      const cls = c.case.kind;
      const r = worstRatio(cell);
      if (!worst[cls] || r > worst[cls].ratio) worst[cls] = { ratio: r, id, maxAbs: Math.max(cell.output!.maxAbsErr, cell.gate?.maxAbsErr ?? 0, ...Object.values(cell.parts ?? {}).map((p) => p.maxAbsErr)) };
    }
    for (const [cls, w] of Object.entries(worst)) t.diagnostic(`${name} worst ${cls}: ${(100 * w.ratio).toFixed(1)}% of tolerance, max abs error ${w.maxAbs.toExponential(2)} (${w.id})`);
  });
}

test('measureInPage: raw in-page samples for sampleStats; dispose frees the page-side block', async (t) => {
  if (!needBrowser(t)) return;
  const host = sharedBrowserHost();
  const c = load('stage3-512x28x28-b2-r16-floor');
  if (c.case.kind !== 'se') assert.fail('not an SE case');
  for (const name of ['browser-tfjs-wasm', 'browser-reference']) {
    const i = impl(name);
    const block = await i.prepareSe(c.case.spec, c.weights);
    assert.ok(measuresInPage(block));
    const x = toLayout(c.input, i.layout);
    const m = await block.measureInPage(x, { minTimeMs: 150, minSamples: 5, warmupMs: 30 });
    assert.ok(m.samplesMs.length >= 5 && m.samplesMs.every((v) => v > 0), `${name}: ${m.samplesMs.length} samples`);
    assert.ok(m.coldMs > 0);
    const s = sampleStats(m.samplesMs);
    t.diagnostic(`${name} stage3 SE in page: cold ${m.coldMs.toFixed(2)} ms, median ${s.medianMs.toFixed(3)} ms, MAD ${s.madMs.toFixed(3)} ms, ${s.sampleCount} samples`);
    assert.equal(await host.call('handles', 'handles', {}), 1);
    await block.dispose();
    assert.equal(await host.call('handles', 'handles', {}), 0);
    await assert.rejects(block.run(x), /run after dispose/);
  }
});

test('a page error, an unhandled rejection and a console error fail the operation that caused them, with its label', async (t) => {
  if (!needBrowser(t)) return;
  const host = sharedBrowserHost();
  await assert.rejects(host.evaluate('uncaught case', 'setTimeout(() => { throw new Error("boom in page"); }, 0); new Promise((r) => setTimeout(r, 300))'),
    /^Error: uncaught case: uncaught exception in the page: .*boom in page/);
  await assert.rejects(host.evaluate('rejection case', 'Promise.reject(new Error("nobody caught me")); new Promise((r) => setTimeout(r, 300))'),
    /^Error: rejection case: console error in the page: unhandled promise rejection: Error: nobody caught me$/);
  await assert.rejects(host.evaluate('throwing case', 'null.x'), /^Error: throwing case: .*Cannot read properties of null/);
  await assert.rejects(host.evaluate('console case', 'console.error("something broke"); 1'), /console case: console error in the page: something broke/);
  // After the operation returned: the next one fails, naming the one before.
  assert.equal(await host.evaluate('late case', 'setTimeout(() => console.error("late trouble"), 50); 2'), 2);
  await new Promise((r) => setTimeout(r, 300));
  await assert.rejects(host.evaluate('innocent case', '3'), /innocent case: not run: the page reported errors after "late case" had finished: console error in the page: late trouble/);
  assert.equal(await host.evaluate('after', '4'), 4);
});

test('a crashed page: the operation fails naming itself, the next one runs on a fresh page', async (t) => {
  if (!needBrowser(t)) return;
  const host = sharedBrowserHost();
  await assert.rejects(host.operation('crashing case', 10_000, async (page) => {
    const cdp = await page.createCDPSession();
    await cdp.send('Page.crash');
  }), /^Error: crashing case: the page crashed/);
  assert.equal(await host.evaluate('after the crash', '40 + 2'), 42);
});

test('a hung page: the operation times out naming itself, the page is replaced, blocks on it are reported gone', async (t) => {
  if (!needBrowser(t)) return;
  const host = sharedBrowserHost();
  const c = load('awkward-batch1-c32-r4');
  if (c.case.kind !== 'se') assert.fail('not an SE case');
  const i = impl('browser-tfjs-wasm');
  const block = await i.prepareSe(c.case.spec, c.weights);
  const t0 = Date.now();
  await assert.rejects(host.evaluate('never-resolving case', 'new Promise(() => {})', 400), /never-resolving case: no answer from the page within 400 ms \(hung\?\); the page was closed/);
  assert.ok(Date.now() - t0 < 8000);
  await assert.rejects(block.run(toLayout(c.input, 'NHWC')), /the block is gone: the page that held it was replaced/);
  await block.dispose(); // nothing left to free: no error
  // A renderer stuck in a loop: the page cannot even answer, yet it is closed and replaced.
  await assert.rejects(host.evaluate('busy-loop case', 'for (;;) {}', 400), /busy-loop case: no answer from the page within 400 ms/);
  const cell = await checkCase(i, c);
  assert.equal(cell.status, 'pass', cell.message);
});

test('the browser killed mid-run: the case errors naming the cause, nothing is left behind, the next use relaunches', async (t) => {
  if (!needBrowser(t)) return;
  const host = new BrowserHost();
  const [reference] = browserImplementations(host) as [BrowserImplementation];
  assert.ok((await reference.probe()).available);
  const first = host.running()!;
  // The reference network runs for seconds in the page: kill Chromium while that run is in flight.
  const killer: SeImplementation = {
    name: reference.name, device: reference.device, layout: reference.layout, precision: reference.precision, description: reference.description,
    probe: () => reference.probe(),
    prepareSe: (s, w) => reference.prepareSe(s, w),
    prepareNetwork: async (s, w): Promise<PreparedNetwork> => {
      const net = await reference.prepareNetwork(s, w);
      return {
        run: (x) => {
          setTimeout(() => first.process!.kill('SIGKILL'), 250);
          return net.run(x);
        },
        dispose: net.dispose,
      };
    },
  };
  const registry = new Registry();
  registry.register(killer);
  const id = 'net-se-resnet50-96-b2';
  const report = await runConformance({ implementations: [killer], golden, cases: [id], expected: [] });
  const cell = report.cells[0]!;
  assert.equal(cell.status, 'error');
  assert.equal(cell.caseId, id);
  assert.match(cell.message!, /browser-reference network se-resnet50.*: run on 2x3x96x96: the browser disconnected \(Chromium pid \d+ killed by SIGKILL\)/);
  assert.deepEqual(report.failures, [`${id} x browser-reference: error`]);
  // Clean-up happens on the disconnect: no process of that profile, and the profile folder is gone.
  const deadline = Date.now() + 10_000;
  while ((processesMentioning(first.userDataDir).length || existsSync(first.userDataDir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(processesMentioning(first.userDataDir), []);
  assert.equal(existsSync(first.userDataDir), false);
  // The next use starts a fresh browser.
  const again = await checkCase(reference, load('awkward-batch1-c32-r4'));
  assert.equal(again.status, 'pass', again.message);
  const second = host.running()!;
  assert.notEqual(second.pid, first.pid);
  await host.close();
  assert.deepEqual(processesMentioning(second.userDataDir), []);
  assert.equal(existsSync(second.userDataDir), false);
});

test('closeBrowser: no Chromium process of the shared profile is left, and the profile folder is removed', async (t) => {
  if (!needBrowser(t)) return;
  const running = sharedBrowserHost().running();
  assert.ok(running, 'the shared browser is running');
  await closeBrowser();
  assert.deepEqual(processesMentioning(running.userDataDir), []);
  assert.equal(existsSync(running.userDataDir), false);
  assert.equal(sharedBrowserHost().running(), undefined);
});

test('bench: Chromium killed during a measurement fails that row naming the cause; the run goes on, completes, and exits 1', async (t) => {
  if (!needBrowser(t)) return;
  const out = mkdtempSync(join(tmpdir(), 'se-bench-killed-browser-'));
  try {
    const child = spawn(process.execPath, ['scripts/se-bench.mjs', 'bench', '--device=browser', '--impl=browser-reference', '--case=se/stage2*,se/stage3*',
      '--ratios=16', '--model=none', '--no-torch', '--quick', '--min-time=3000', `--out=${out}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const deadline = Date.now() + 120_000;
    while (!/^compute ceiling/m.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000)); // inside the first 3 s measurement, in the page
    // Chromium processes started by this bench only (the test process may hold its own): descendants of the child.
    const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const tree = new Set([child.pid!]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, ppid] of table) if (tree.has(Number(ppid)) && !tree.has(Number(pid))) { tree.add(Number(pid)); grew = true; }
    }
    const chromium = table.filter(([pid, , ...args]) => tree.has(Number(pid)) && /chrom/i.test(args.join(' '))).map(([pid]) => Number(pid));
    assert.ok(chromium.length > 0, 'the bench started Chromium');
    for (const pid of chromium) process.kill(pid, 'SIGKILL');
    assert.equal(await exited, 1, stderr);
    const results = readResultsFile(join(out, 'results.json'));
    assert.deepEqual(results.run, { status: 'complete' });
    const [first, second] = results.rows;
    assert.equal(first!.status, 'failed');
    assert.match(first!.message!, /the browser disconnected \(Chromium pid \d+ killed by SIGKILL\)/);
    assert.equal(second!.status, 'ok', 'the next measurement relaunched the browser');
    assert.ok(existsSync(join(out, 'report.html')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
