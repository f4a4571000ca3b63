/**
 * Bring-your-own implementations: the examples pass and fail the gate as they
 * should, through the CLI and the programmatic API; every bad plug-in the
 * issue lists gets one clear line and the documented exit code; the guard
 * turns throwing, hanging and malformed calls into results.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runConformance } from '../harness/check/conformance.ts';
import { guard } from '../harness/contract/guard.ts';
import type { SeImplementation } from '../harness/contract/implementation.ts';
import { loadImplementationModule } from '../harness/contract/plugins.ts';

const [mySe] = await loadImplementationModule('examples/my-se.mjs') as [SeImplementation];

const CLI = join(import.meta.dirname, '..', 'scripts', 'se-bench.mjs');
const DIR = mkdtempSync(join(tmpdir(), 'se-bench-plugins-'));
const ONE_CASE = '--case=seed-se_block-64-r16';

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A plug-in module file in DIR whose default export is `body` (JS source), built from a working implementation. */
function plugin(file: string, body: string): string {
  const path = join(DIR, file);
  writeFileSync(path, `import base from ${JSON.stringify(join(import.meta.dirname, '..', 'examples', 'my-se.mjs'))};\n${body}\n`);
  return path;
}

test('examples: my-se passes every SE golden case through the CLI; the broken twin exits 1 naming the failing cases', () => {
  const ok = cli('conformance', '--impl-module=examples/my-se.mjs', '--impl=my-se');
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /OK: 32 pass, 22 unsupported/);
  const bad = cli('conformance', '--impl-module=examples/my-se-broken.mjs', '--impl=my-se-no-sigmoid', '--case=seed-*,ablation-nobias');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /FAILED: 6 fail/);
  for (const id of ['seed-se_block-64-r16', 'seed-maxpool-64-r3', 'ablation-nobias']) assert.match(bad.out, new RegExp(`  ${id} x my-se-no-sigmoid: fail`));
});

test('programmatic API: runConformance over the example gives the CLI\'s report', async () => {
  const report = await runConformance({ implementations: [mySe], cases: ['seed-*', 'awkward-*'] });
  assert.equal(report.ok, true);
  assert.equal(report.cells.length, 12); // 5 seed-* and 7 awkward-* cases
  assert.ok(report.cells.every((c) => c.status === 'pass'), JSON.stringify(report.failures));
});

test('bad modules: each is one line naming the module and what is wrong, exit 2, no stack trace', () => {
  const cases: [string, string | string[], RegExp][] = [
    ['missing', join(DIR, 'nope.mjs'), /nope\.mjs: no such file/],
    ['syntax error', plugin('syntax.mjs', 'export default {;'), /syntax\.mjs: failed to import: .*Unexpected token/],
    ['a number', plugin('number.mjs', 'export default 42;'), /number\.mjs: default export is number 42, not an implementation object/],
    ['no prepareSe', plugin('noprep.mjs', 'export default { ...base, name: "noprep", prepareSe: undefined };'), /noprep\.mjs: default export "noprep": "prepareSe" must be a method \(got undefined\)/],
    ['bad device', plugin('device.mjs', 'export default { ...base, name: "dev", device: "tpu" };'), /device "tpu" is not one of cpu, webgpu, gpu, browser/],
    ['bad layout', plugin('layout.mjs', 'export default { ...base, name: "lay", layout: "CHWN" };'), /layout "CHWN" is not one of NCHW, NHWC/],
    ['bad precision', plugin('prec.mjs', 'export default { ...base, name: "prec", precision: "int8" };'), /precision "int8" is not one of fp64, fp32, fp16/],
    ['built-in name', plugin('builtin.mjs', 'export default { ...base, name: "reference" };'), /builtin\.mjs: implementation "reference" clashes with the built-in implementation "reference"/],
    ['two modules, one name', [plugin('a.mjs', 'export default base;'), plugin('b.mjs', 'export default base;')], /b\.mjs: implementation "my-se" clashes with the implementation of that name from .*a\.mjs/],
    ['factory throws', plugin('factory.mjs', 'export default () => { throw new Error("no licence"); };'), /factory\.mjs: its default-exported factory threw: no licence/],
    ['other API version', plugin('version.mjs', 'export default { ...base, name: "v9", apiVersion: 9 };'), /written for se-bench API version number 9, this se-bench has version 1/],
  ];
  for (const [what, paths, message] of cases) {
    const r = cli('conformance', `--impl-module=${[paths].flat().join(',')}`, ONE_CASE);
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.match(r.err, message, what);
    assert.equal(r.err.trim().split('\n').length, 1, `${what}: one line, got ${r.err}`);
    assert.doesNotMatch(r.err, /\n\s+at /, what);
  }
  const env = spawnSync(process.execPath, [CLI, 'list'], { encoding: 'utf8', env: { ...process.env, SE_BENCH_IMPL_MODULES: join(DIR, 'nope.mjs') } });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /nope\.mjs: no such file/);
  const timeout = cli('conformance', '--call-timeout=soon', ONE_CASE);
  assert.equal(timeout.code, 2);
  assert.match(timeout.err, /--call-timeout must be a positive integer, got "soon"/);
});

test('a plug-in is listed on every command that takes --impl-module; async factories and arrays load', () => {
  const path = plugin('many.mjs', 'export default async () => [{ ...base, name: "one" }, { ...base, name: "two" }];');
  const list = cli('list', `--impl-module=${path}`);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /\n {2}one +cpu +fp32 NCHW +plain JavaScript SE block/);
  assert.match(list.out, /\n {2}two +cpu/);
  const devices = cli('devices', `--impl-module=${path}`, '--json');
  assert.equal(devices.code, 0, devices.err);
  const cpu = JSON.parse(devices.out).devices.find((d: { device: string }) => d.device === 'cpu');
  assert.ok(cpu.implementations.some((i: { name: string }) => i.name === 'two'));
});

const spec = { channels: 64, ratio: 16 };
const hangs: SeImplementation = {
  ...mySe, name: 'hangs',
  prepareSe: async () => ({ run: () => new Promise(() => {}), dispose: () => {} }),
};

test('guard: a run that never settles is a timeout within the limit, and the gate exits 1 without hanging', async () => {
  const t0 = performance.now();
  const report = await runConformance({ implementations: [hangs], cases: ['seed-se_block-64-r16'], callTimeoutMs: 300 });
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(report.cells[0]!.status, 'error');
  assert.match(report.cells[0]!.message!, /hangs SE C=64 r=16: run did not settle within 300 ms \(timeout; raise it with --call-timeout=MS\)/);
  const path = plugin('hangs.mjs', 'export default { ...base, name: "hangs", prepareSe: async () => ({ run: () => new Promise(() => {}), dispose() {} }) };');
  const started = Date.now();
  const r = cli('conformance', `--impl-module=${path}`, '--impl=hangs', ONE_CASE, '--call-timeout=500');
  assert.equal(r.code, 1);
  assert.match(r.out, /ERROR seed-se_block-64-r16 x hangs\n {2}hangs SE C=64 r=16: run did not settle within 500 ms/);
  assert.ok(Date.now() - started < 60_000);
});

test('guard: throwing probe, prepare, run and dispose, and malformed outputs, are cells that say what happened', async () => {
  const base = mySe;
  const variant = (name: string, o: Partial<SeImplementation>): SeImplementation => ({ ...base, name, ...o });
  const withRun = (name: string, run: (x: { shape: readonly number[]; data: Float32Array }) => unknown, dispose = () => {}) => variant(name, {
    prepareSe: async () => ({ run: async (x) => run(x) as never, dispose }),
  });
  const impls = [
    variant('probe-throws', { probe: async () => { throw new Error('driver crashed'); } }),
    variant('prepare-throws', { prepareSe: async () => { throw new Error('out of shared memory'); } }),
    variant('prepare-nothing', { prepareSe: async () => undefined as never }),
    withRun('run-throws', () => { throw new Error('kernel fault'); }),
    withRun('wrong-shape', (x) => ({ y: { shape: [x.shape[0], 1], data: new Float32Array(x.shape[0]!) } })),
    withRun('plain-array', (x) => ({ y: { shape: x.shape, data: Array.from(x.data) } })),
    withRun('short-data', (x) => ({ y: { shape: x.shape, data: new Float32Array(3) } })),
    withRun('nan', (x) => ({ y: { shape: x.shape, data: new Float32Array(x.data.length).fill(Number.NaN) } })),
    withRun('dispose-throws', (x) => ({ y: x }), () => { throw new Error('double free'); }),
  ];
  const report = await runConformance({ implementations: impls, cases: ['seed-se_block-64-r16'] });
  const cell = (name: string) => report.cells.find((c) => c.impl === name)!;
  const status = report.implementations.find((i) => i.name === 'probe-throws')!;
  assert.equal(status.available, false);
  assert.match(status.reason!, /probe\(\) failed: driver crashed/);
  assert.equal(cell('probe-throws').status, 'skipped');
  assert.match(cell('prepare-throws').message!, /out of shared memory/);
  assert.match(cell('prepare-nothing').message!, /prepareSe returned undefined without a run\(\) method/);
  assert.match(cell('run-throws').message!, /kernel fault/);
  assert.match(cell('wrong-shape').message!, /y has shape \[1, 1\], but an SE block keeps its input's shape \[1, 64, 32, 32\]/);
  assert.match(cell('plain-array').message!, /y has data that is a plain Array, not a Float32Array/);
  assert.match(cell('short-data').message!, /y has 3 elements for shape \[1, 64, 32, 32\] \(65536 expected\)/);
  assert.equal(cell('nan').status, 'fail');
  assert.equal(cell('nan').output!.unexpectedNaN, 65536);
  // Its output is y = x, which fails the comparison; the dispose failure is still recorded.
  assert.match(cell('dispose-throws').message!, /dispose failed: .*double free/);
  for (const name of ['prepare-throws', 'prepare-nothing', 'run-throws', 'wrong-shape', 'plain-array', 'short-data', 'dispose-throws']) {
    assert.equal(cell(name).status, 'error', name);
  }
  assert.equal(report.ok, false);
});

test('guard: spec and weights are validated once, before prepareSe, which never sees bad ones', async () => {
  let called = 0;
  const counting = guard({ ...mySe, name: 'counting', prepareSe: async (s, w) => { called++; return mySe.prepareSe(s, w); } }, { callTimeoutMs: 1000 });
  await assert.rejects(counting.prepareSe({ channels: 0, ratio: 4 } as never, {}), /channels must be an integer > 0/);
  await assert.rejects(counting.prepareSe(spec as never, {}), /counting SE weights do not match the spec: missing \(4\)/);
  assert.equal(called, 0);
});

test('guard: a prepare that resolves after its timeout is disposed, not leaked', async () => {
  let disposed = false;
  const slow = guard({
    ...mySe, name: 'slow',
    prepareSe: () => new Promise((resolve) => setTimeout(() => resolve({ run: async () => { throw new Error('unused'); }, dispose: () => { disposed = true; } }), 200)),
  }, { callTimeoutMs: 50 });
  const w = { 'fc1.weight': { shape: [4, 64], data: new Float32Array(256) }, 'fc1.bias': { shape: [4], data: new Float32Array(4) }, 'fc2.weight': { shape: [64, 4], data: new Float32Array(256) }, 'fc2.bias': { shape: [64], data: new Float32Array(64) } };
  await assert.rejects(slow.prepareSe(spec as never, w), /slow SE C=64 r=16: prepareSe did not settle within 50 ms/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(disposed, true);
});

test('supports(spec): a declined spec is an unsupported cell with the reason, never prepared; the gate passes on the rest; a bad answer is an error', async () => {
  let prepared = 0;
  const counted = (name: string, supports: SeImplementation['supports']): SeImplementation => ({
    ...mySe, name, supports, prepareSe: async (s, w) => { prepared++; return mySe.prepareSe(s, w); },
  });
  const declinesNoSqueeze = counted('no-nosqueeze', (s, kind) => (kind === 'se' && 'squeeze' in s && s.squeeze === 'none' ? 'NoSqueeze: not implemented' : true));
  const cases = ['seed-se_block-64-r16', 'ablation-nosqueeze'];
  const report = await runConformance({ implementations: [declinesNoSqueeze], cases });
  const cell = (id: string) => report.cells.find((c) => c.caseId === id)!;
  assert.equal(cell('seed-se_block-64-r16').status, 'pass');
  assert.equal(cell('ablation-nosqueeze').status, 'unsupported');
  assert.match(cell('ablation-nosqueeze').message!, /declined by no-nosqueeze\.supports\(\): NoSqueeze: not implemented/);
  assert.equal(prepared, 1, 'the declined case is never prepared');
  assert.equal(report.ok, true);
  // Declining everything checks nothing: that is a failure unless --allow-empty.
  const none = await runConformance({ implementations: [counted('declines-all', () => 'not today')], cases });
  assert.equal(none.ok, false);
  assert.match(none.failures.join('\n'), /no check ran/);
  // An answer that is neither true nor a reason is the implementation's error, said as such.
  const bad = await runConformance({ implementations: [counted('answers-false', () => false as never)], cases: ['seed-se_block-64-r16'] });
  assert.equal(bad.cells[0]!.status, 'error');
  assert.match(bad.cells[0]!.message!, /supports\(\) returned false; it must return true or a non-empty reason string/);
});
