/**
 * The layer rule (.dependency-cruiser.cjs, run by `npm run lint:layers` in
 * npm test) holds for the tree, and fails on planted violations: a reverse
 * import between layers, an implementation reaching past the public
 * contract, a second composition root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

function depcruise(cwd: string, ...paths: string[]) {
  return spawnSync(DEPCRUISE, ['--config', join(cwd, '.dependency-cruiser.cjs'), ...paths], { cwd, encoding: 'utf8' });
}

test('the tree keeps the layer rule', () => {
  const r = depcruise(ROOT, 'harness', 'impls', 'scripts', 'examples');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /no dependency violations found/);
});

test('planted violations fail the check, each named by its rule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-layers-'));
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
  const files: Record<string, string> = {
    'harness/api.ts': "export * from './model/spec.ts';\n",
    'harness/model/spec.ts': "import { main } from '../cli/main.ts';\nexport const spec = main;\n", // reverse: model -> cli
    'harness/cli/main.ts': "export const main = 1;\n",
    'harness/cli/builtins.ts': "import { x } from '../../impls/mine/index.ts';\nexport const all = [x];\n",
    'harness/bench/runner.ts': "import { x } from '../../impls/mine/index.ts';\nexport const r = x;\n", // a second composition root
    'impls/mine/index.ts': "import { spec } from '../../harness/model/spec.ts';\nexport const x = spec;\n", // past the contract
  };
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const r = depcruise(dir, 'harness', 'impls');
  assert.notEqual(r.status, 0, r.stdout);
  assert.match(r.stdout, /error layer-model: harness\/model\/spec\.ts → harness\/cli\/main\.ts/);
  assert.match(r.stdout, /error impls-only-public-contract: impls\/mine\/index\.ts → harness\/model\/spec\.ts/);
  assert.match(r.stdout, /error one-composition-root: harness\/bench\/runner\.ts → impls\/mine\/index\.ts/);
  assert.doesNotMatch(r.stdout, /harness\/cli\/builtins\.ts → impls/);
});
