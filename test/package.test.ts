/**
 * The installable package: `npm pack`, installed into an empty folder outside
 * the repository, runs a kernel author's plug-in through the `se-bench` bin
 * (golden data included) and through the programmatic API in a node:test
 * file, as README's "Bring your own implementation" tells them to.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const HOME = mkdtempSync(join(tmpdir(), 'se-bench-package-'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A command in the empty folder; NODE_TEST_CONTEXT is dropped so a nested node --test reports as it would for the user. */
function inHome(cmd: string, args: string[], timeout = 180_000) {
  // onnxruntime-node's postinstall would fetch CUDA libraries from outside the npm registry (scripts/setup.sh does the same).
  const env: NodeJS.ProcessEnv = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  delete env.NODE_TEST_CONTEXT;
  return spawnSync(cmd, args, { cwd: HOME, encoding: 'utf8', timeout, env });
}

before(() => {
  const packed = execFileSync(NPM, ['pack', '--pack-destination', HOME, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
  writeFileSync(join(HOME, 'package.json'), JSON.stringify({ name: 'my-kernel', private: true, type: 'module' }));
  const install = inHome(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(HOME, filename)], 600_000);
  assert.equal(install.status, 0, install.stderr);
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

test('the plain-Node entry points (scripts/api.mjs, scripts/conformance.mjs) export every value their TypeScript modules do', async () => {
  for (const [shim, source] of [['../scripts/api.mjs', '../harness/api.ts'], ['../scripts/conformance.mjs', '../harness/conformance.ts']] as const) {
    const names = (m: object) => Object.keys(m).sort();
    assert.deepEqual(names(await import(shim)), names(await import(source)), shim);
  }
});
