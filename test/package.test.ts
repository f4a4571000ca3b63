/**
 * The installable package: `npm pack`, installed into an empty folder outside
 * the repository, runs a kernel author's plug-in through the `se-bench` bin
 * (golden data included) and through the programmatic API in a node:test
 * file, as README's "Bring your own implementation" tells them to. The
 * scratch project's package.json carries the allowScripts field that
 * docs/install-scripts.md tells a consumer to add, since npm never reads the
 * tarball's own.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { pythonMissing } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..');
const HOME = mkdtempSync(join(tmpdir(), 'se-bench-package-'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What docs/install-scripts.md ("In your own project") tells a consumer to put in their package.json. */
const ALLOW_SCRIPTS = { esbuild: true, webgpu: true, 'onnxruntime-node': false, protobufjs: false };
/** npm >= 11.16 reads allowScripts and has --strict-allow-scripts (detected as scripts/setup.sh does); older npm ignores both. */
const READS_ALLOW_SCRIPTS = spawnSync(NPM, ['install', '--usage'], { encoding: 'utf8' }).stdout.includes('--strict-allow-scripts');

/** A command in the empty folder; NODE_TEST_CONTEXT is dropped so a nested node --test reports as it would for the user. */
function inHome(cmd: string, args: string[], timeout = 180_000) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.SE_BENCH_EXPECT; // CI's list of our built-ins is no part of a user's project (with it, they join a plug-in's run)
  // npm < 11.16 ignores allowScripts and would run onnxruntime-node's postinstall, which fetches CUDA libraries from
  // api.nuget.org (outside the npm registry); where npm reads the field, leaving the variable out proves the field is enough.
  if (READS_ALLOW_SCRIPTS) delete env.ONNXRUNTIME_NODE_INSTALL;
  else env.ONNXRUNTIME_NODE_INSTALL = 'skip';
  return spawnSync(cmd, args, { cwd: HOME, encoding: 'utf8', timeout, env });
}

before(() => {
  // The docs' snippet must be the repository's own decisions, or a consumer would install differently from our CI.
  assert.deepEqual((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts: unknown }).allowScripts, ALLOW_SCRIPTS);
  const packed = execFileSync(NPM, ['pack', '--pack-destination', HOME, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
  writeFileSync(join(HOME, 'package.json'), JSON.stringify({ name: 'my-kernel', private: true, type: 'module', allowScripts: ALLOW_SCRIPTS }));
  // --strict-allow-scripts: an install script the snippet does not cover fails the install instead of a warning.
  const strict = READS_ALLOW_SCRIPTS ? ['--strict-allow-scripts'] : [];
  const install = inHome(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...strict, join(HOME, filename)], 600_000);
  assert.equal(install.status, 0, install.stderr);
  assert.doesNotMatch(install.stdout + install.stderr, /not yet covered by allowScripts/);
  copyFileSync(join(ROOT, 'examples', 'my-se.mjs'), join(HOME, 'mine.mjs'));
  copyFileSync(join(ROOT, 'examples', 'my-se-broken.mjs'), join(HOME, 'my-se-broken.mjs'));
  // The broken twin imports ./my-se.mjs; here that file is mine.mjs.
  writeFileSync(join(HOME, 'my-se.mjs'), "export * from './mine.mjs';\nexport { default } from './mine.mjs';\n");
});

test('installed package: npx se-bench conformance passes a plug-in written against the public API', () => {
  const r = inHome('npx', ['se-bench', 'conformance', '--impl-module=./mine.mjs', '--impl=my-se']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /OK: 32 pass, 22 unsupported/);
});

test('installed package: a plug-in that declines NoSqueeze passes conformance without --impl and gets timed rows from bench', () => {
  writeFileSync(join(HOME, 'decline.mjs'), `import { createSe } from './mine.mjs';
const base = createSe({ name: 'my-decline' });
export default { ...base, supports(spec, kind) { return kind === 'se' && spec.squeeze === 'none' ? 'NoSqueeze is not in this kernel' : true; } };
`);
  const gate = inHome('npx', ['se-bench', 'conformance', '--impl-module=./decline.mjs']);
  assert.equal(gate.status, 0, gate.stdout + gate.stderr);
  assert.match(gate.stdout, /^OK: 30 pass, 24 unsupported \(54 cases x 1 implementations\)$/m);
  assert.match(gate.stderr, /ablation-nosqueeze checked: my-decline unsupported \(declined by my-decline\.supports\(\): NoSqueeze is not in this kernel\)/);
  const bench = inHome('npx', ['se-bench', 'bench', '--impl-module=./decline.mjs', '--quick', '--blocks=resnet50', '--case=se/stage5-*', '--out=run']);
  assert.equal(bench.status, 0, bench.stdout + bench.stderr);
  const results = JSON.parse(readFileSync(join(HOME, 'run', 'results.json'), 'utf8')) as { rows: { impl: string; status: string }[]; environment: { gitCommit: string } };
  assert.ok(results.rows.some((r) => r.impl === 'my-decline' && r.status === 'ok'), 'the plug-in has a timed row');
  assert.ok(results.rows.some((r) => r.impl === 'wasm-simd' && r.status === 'ok'), 'beside the fastest built-in');
  assert.equal(results.environment.gitCommit, 'not a git checkout');
  assert.match(bench.stdout, /^Your implementation\(s\):\n- my-decline, SE block 2048x7x7/);
});

test('installed package: the broken twin exits 1 naming the failing cases; a hanging run is a timeout, exit 1', () => {
  const bad = inHome('npx', ['se-bench', 'conformance', '--impl-module=./my-se-broken.mjs', '--impl=my-se-no-sigmoid', '--case=seed-*']);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, / {2}seed-se_block-64-r16 x my-se-no-sigmoid: fail/);
  writeFileSync(join(HOME, 'hangs.mjs'), "import base from './mine.mjs';\nexport default { ...base, name: 'hangs', prepareSe: async () => ({ run: () => new Promise(() => {}), dispose() {} }) };\n");
  const t0 = Date.now();
  const hang = inHome('npx', ['se-bench', 'conformance', '--impl-module=./hangs.mjs', '--impl=hangs', '--case=seed-se_block-64-r16', '--call-timeout=1000']);
  assert.equal(hang.status, 1, hang.stderr);
  assert.match(hang.stdout, /run did not settle within 1000 ms \(timeout/);
  assert.ok(Date.now() - t0 < 60_000);
});

test('installed package: the programmatic API gates the plug-in from a node:test file', () => {
  writeFileSync(join(HOME, 'mine.test.mjs'), `
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatConformance, runConformance } from 'se-bench/conformance';
import { API_VERSION } from 'se-bench';
import mine from './mine.mjs';

test('my SE kernel passes se-bench conformance', async () => {
  assert.equal(API_VERSION, 1);
  const report = await runConformance({ implementations: [mine] });
  assert.ok(report.ok, formatConformance(report));
  assert.equal(report.cells.filter((c) => c.status === 'pass').length, 32);
});
`);
  const r = inHome(process.execPath, ['--test', '--test-reporter=tap', 'mine.test.mjs']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 1/);
});

test('installed package: npx se-bench golden --cases writes a folder (schema, golden.py and its imports are in the tarball)', (t) => {
  const missing = pythonMissing('torch, torchvision, numpy');
  if (missing) return t.skip(missing);
  copyFileSync(join(ROOT, 'examples', 'my-cases.json'), join(HOME, 'my-cases.json'));
  let r = inHome('npx', ['se-bench', 'golden', '--cases=my-cases.json', '--out=my-golden']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(HOME, 'my-golden', 'manifest.json')));
  r = inHome('npx', ['se-bench', 'conformance', '--golden=my-golden', '--impl-module=./mine.mjs', '--impl=my-se']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /OK: 3 pass/);
});

test('the plain-Node entry points (scripts/api.mjs, scripts/conformance.mjs) export every value their TypeScript modules do', async () => {
  for (const [shim, source] of [['../scripts/api.mjs', '../harness/api.ts'], ['../scripts/conformance.mjs', '../harness/conformance.ts']] as const) {
    const names = (m: object) => Object.keys(m).sort();
    assert.deepEqual(names(await import(shim)), names(await import(source)), shim);
  }
});
