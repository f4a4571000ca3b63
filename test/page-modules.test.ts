/**
 * --page-module: implementations bundled into the Chromium page, listed as
 * browser-<name>. The WebGPU example passes the gate there; a page module
 * that cannot be used is one line naming it, exit 2, before any case runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { BUILTIN_PAGE_MODULES, builtinBrowserImplementations } from '../harness/cli/builtins.ts';
import { setPageModules } from '../harness/host/browser/bundle.ts';
import { BrowserUnavailable, closeBrowser } from '../harness/host/browser/driver.ts';
import { discoverPageImplementations } from '../harness/host/browser/implementation.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'se-bench.mjs');
const DIR = mkdtempSync(join(tmpdir(), 'se-bench-page-modules-'));
const EXPECTED = (process.env.SE_BENCH_EXPECT ?? '').split(',').some((n) => n.trim().startsWith('browser-'));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Skips when Chromium cannot start here, unless CI expects browser implementations. */
function browserMissing(t: TestContext, r: { err: string }): boolean {
  if (!/the browser page did not start/.test(r.err)) return false;
  if (EXPECTED) assert.fail(`SE_BENCH_EXPECT names browser implementations but Chromium did not start: ${r.err}`);
  t.skip(r.err.trim());
  return true;
}

function pageModule(file: string, source: string): string {
  const path = join(DIR, file);
  writeFileSync(path, source);
  return path;
}

test('the WebGPU page-module example passes the SE cases in Chromium as browser-my-se-webgpu, and the gates it declines are unsupported', (t) => {
  const r = cli('conformance', '--device=browser', '--page-module=examples/my-se-webgpu.page.mjs', '--impl=browser-my-se-webgpu', '--case=seed-*,ablation-nosqueeze,ablation-squeeze-max,hardsigmoid-hidden0-c40');
  if (browserMissing(t, r)) return;
  assert.equal(r.code, 0, r.out + r.err);
  // The page's UnsupportedError crosses into Node by name: the declined gate is "n/a", not an error.
  assert.match(r.out, /OK: 7 pass, 1 unsupported \(8 cases x 1 implementations\)/);
});

test('bad page modules: thrown at import in Chromium, a number, a built-in\'s name, a missing file: exit 2, one line', (t) => {
  const cases: [string, string, RegExp][] = [
    ['throws at import', pageModule('throws.page.mjs', 'throw new Error("no WebGPU extension here");\nexport default {};\n'), /throws\.page\.mjs: failed in Chromium: no WebGPU extension here/],
    ['a number', pageModule('number.page.mjs', 'export default 7;\n'), /number\.page\.mjs: failed in Chromium: default export is number, not an implementation object/],
    ['built-in name', pageModule('clash.page.mjs', 'export default { name: "reference", layout: "NCHW", precision: "fp32", description: "x", probe: async () => ({ available: true }), prepareSe: async () => ({}) };\n'), /clash\.page\.mjs: failed in Chromium: implementation "reference" is already exported by .*impls\/reference\/page\.ts; names must be unique/],
    ['missing', join(DIR, 'nope.page.mjs'), /nope\.page\.mjs: no such file/],
  ];
  for (const [what, path, message] of cases) {
    const r = cli('conformance', '--device=browser', `--page-module=${path}`, '--case=seed-se_block-64-r16');
    if (browserMissing(t, r)) return;
    assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
    assert.match(r.err, message, what);
    assert.equal(r.err.trim().split('\n').length, 1, `${what}: ${r.err}`);
  }
});

test('the built-in browser implementations listed without Chromium are what the built-in page modules export', async (t) => {
  setPageModules(BUILTIN_PAGE_MODULES);
  try {
    const found = await discoverPageImplementations();
    assert.deepEqual(found.errors, []);
    const fields = (i: { name: string; layout: string; precision: string; description: string; module?: string }) => [i.name, i.layout, i.precision, i.description, i.module];
    assert.deepEqual(found.implementations.map(fields), builtinBrowserImplementations().map(fields));
  } catch (e) {
    if (!(e instanceof BrowserUnavailable) || EXPECTED) throw e;
    t.skip(e.message);
  } finally {
    await closeBrowser();
  }
});
