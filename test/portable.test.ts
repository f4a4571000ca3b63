/**
 * The portable pack (npm run pack:portable), as a GPU machine would get it:
 * built once, unpacked in an empty folder (no node_modules, no checkout),
 * run with a PATH that has no `node`. It must pass conformance on the webgpu
 * device (SwiftShader here), run a plug-in that imports 'se-bench', write a
 * quick bench's results and report, and refuse bad set-ups in one line.
 * Cases that hide a library or shrink a disk need `unshare -m` (root); they
 * skip with that reason where it is refused.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readResultsFile } from '../harness/bench/results-file.ts';
import { pythonMissing } from './helpers.ts';

const REPO = resolve(import.meta.dirname, '..');
const GOLDEN = join(REPO, 'golden');
const work = mkdtempSync(join(tmpdir(), 'se-bench-portable-test-'));
const archive = join(work, 'dist', 'se-bench-portable-linux-x64.tar.xz');
const runDir = join(work, 'run'); // where the archive is unpacked and run: nothing else in it
const run = join(runDir, 'se-bench-portable', 'run.sh');
/** A PATH holding only what run.sh and gpu-run.sh call, and no node. */
const bin = join(work, 'bin');
const env = { PATH: bin, HOME: work, TMPDIR: work, SE_BENCH_EXPECT: '' };

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd ?? runDir, env: opts.env ?? env, encoding: 'utf8', maxBuffer: 64 << 20 });
}

const unshareWorks = spawnSync('unshare', ['-m', 'true']).status === 0;
const NO_UNSHARE = 'needs `unshare -m` (root in a mount namespace) to hide a library or mount a small disk';

/** Runs `script` (sh) in a private mount namespace, so its mounts vanish with it. */
function inNamespace(script: string, cwd = runDir): SpawnSyncReturns<string> {
  return sh('unshare', ['-m', '/bin/sh', '-c', script], { cwd, env: { ...env, PATH: `${bin}:/usr/bin:/bin` } });
}

function output(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}\n${r.stdout}\n${r.stderr}`;
}

before(() => {
  mkdirSync(bin);
  for (const tool of ['sh', 'bash', 'dirname', 'cat', 'sed', 'uname', 'tar', 'xz', 'awk', 'df', 'mktemp', 'tee', 'mkdir', 'rm', 'basename', 'timeout', 'ldconfig', 'grep', 'dpkg']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(realpathSync(found), join(bin, tool));
  }
  assert.notEqual(spawnSync('/bin/sh', ['-c', 'command -v node'], { env }).status, 0, 'the test PATH must not hold node');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/pack-portable.ts', `--out=${archive}`], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, output(r));
  assert.match(r.stdout, /se-bench-portable-linux-x64\.tar\.xz: [\d.]+ MiB .*\nbudget: .* of 64\.0 MiB; the archive may take [\d.]+ MiB\n/);
  mkdirSync(runDir);
  const x = sh('tar', ['-xJf', archive]);
  assert.equal(x.status, 0, output(x));
  assert.ok(!existsSync(join(runDir, 'se-bench-portable', 'golden')), 'the archive must not carry a second copy of golden/');
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('the portable pack, unpacked alone, with no node on PATH', () => {
  test('conformance --device=webgpu passes on SwiftShader for wgsl-fused and tfjs-webgpu', () => {
    const r = sh(run, ['conformance', '--device=webgpu', '--impl=wgsl-fused,tfjs-webgpu', '--expect=wgsl-fused,tfjs-webgpu', `--golden=${GOLDEN}`, '--json']);
    assert.equal(r.status, 0, output(r));
    const report = JSON.parse(r.stdout) as { implementations: { name: string; detail?: string }[]; cells: { impl: string; status: string }[] };
    assert.match(report.implementations.find((i) => i.name === 'wgsl-fused')!.detail ?? '', /SwiftShader/);
    for (const impl of ['wgsl-fused', 'tfjs-webgpu']) {
      const cells = report.cells.filter((c) => c.impl === impl);
      assert.ok(cells.filter((c) => c.status === 'pass').length >= 20, `${impl}: ${cells.map((c) => c.status).join(',')}`);
      assert.deepEqual(cells.filter((c) => c.status !== 'pass' && c.status !== 'unsupported'), [], impl);
    }
  });

  test("a plug-in that imports 'se-bench' runs against the pack's own API", () => {
    const r = sh(run, ['conformance', `--impl-module=${join(REPO, 'examples', 'my-se.mjs')}`, '--impl=my-se', '--case=seed-*,awkward-*', `--golden=${GOLDEN}`]);
    assert.equal(r.status, 0, output(r));
    assert.match(r.stdout, /OK: 12 pass/);
  });

  test('bench --quick writes a complete results.json and report.html; golden comes from ./golden by default', () => {
    const checkout = join(work, 'checkout');
    mkdirSync(checkout);
    symlinkSync(GOLDEN, join(checkout, 'golden'));
    const out = join(work, 'quick');
    const r = sh(run, ['bench', '--quick', '--no-torch', '--device=cpu,webgpu', '--impl=wasm-simd,wgsl-fused', `--out=${out}`], { cwd: checkout });
    assert.equal(r.status, 0, output(r));
    const results = readResultsFile(join(out, 'results.json'));
    assert.equal(results.run?.status, 'complete');
    for (const impl of ['wasm-simd', 'wgsl-fused']) assert.ok(results.rows.some((row) => row.impl === impl && row.status === 'ok'), `a ${impl} row was timed`);
    assert.match(results.environment.gitCommit, /\(portable pack\)$/);
    assert.equal(results.gpuAdapter?.architecture, 'swiftshader');
    assert.equal(results.gpuAdapter?.software, true);
    assert.equal(results.environment.packages?.['@tensorflow/tfjs-core'], '4.22.0');
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<html/);
  });

  test("golden --cases runs from the pack (schema and golden.py carried); conformance reads the folder past the pack's golden pin", (t) => {
    const missing = pythonMissing('torch, torchvision, numpy');
    if (missing) return t.skip(missing);
    const mine = join(work, 'my-golden');
    let r = sh(run, ['golden', `--cases=${join(REPO, 'examples', 'my-cases.json')}`, `--out=${mine}`]);
    assert.equal(r.status, 0, output(r));
    assert.match(r.stdout, /^wrote 3 cases to /);
    r = sh(run, ['conformance', '--impl=reference', `--golden=${mine}`]);
    assert.equal(r.status, 0, output(r));
    assert.match(r.stdout, /OK: 3 pass/);
  });

  test('golden data that is missing or not the data the pack was built with is refused in one line', () => {
    let r = sh(run, ['conformance', '--impl=reference']); // the unpack folder has no golden/
    assert.equal(r.status, 1, output(r));
    assert.match(r.stderr, /^se-bench: golden manifest not found at .*\/golden\/manifest\.json: run from the se-bench checkout this pack was built from \(commit [0-9a-f]{40}(-dirty)?\), or pass --golden=DIR with its golden\/ folder\n$/);
    r = sh(run, ['conformance', '--impl=reference', '--golden=/no/such/golden']);
    assert.equal(r.status, 2, output(r));
    assert.match(r.stderr, /^se-bench: --golden=\/no\/such\/golden: no such folder; give the golden\/ folder of an se-bench checkout\n$/);
    const other = join(work, 'other-golden');
    cpSync(GOLDEN, other, { recursive: true });
    writeFileSync(join(other, 'manifest.json'), `${readFileSync(join(other, 'manifest.json'), 'utf8')}\n`);
    r = sh(run, ['conformance', '--impl=reference', `--golden=${other}`]);
    assert.equal(r.status, 1, output(r));
    assert.match(r.stderr, /^se-bench: .*manifest\.json is not the golden data this build was made with \(manifest sha256 [0-9a-f]{12}\.\.\., expected [0-9a-f]{12}\.\.\.\): run from the se-bench checkout/);
  });

  test('--device=gpu with only a software adapter is refused, naming the adapter', () => {
    const r = sh(run, ['conformance', '--device=gpu', `--golden=${GOLDEN}`]);
    assert.equal(r.status, 1, output(r));
    assert.match(r.stdout, /skipped wgsl-fused: no hardware GPU adapter: Dawn found only the software adapter SwiftShader/);
    assert.match(r.stdout, /FAILED: .*\n {2}no check ran, so nothing was proved/);
  });

  test('without the Vulkan loader, WebGPU is unavailable with a message naming libvulkan1', (t) => {
    if (!unshareWorks) return t.skip(NO_UNSHARE);
    const lib = realpathSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
    const r = inNamespace(`mount --bind /dev/null ${lib} && exec ${run} conformance --device=webgpu --impl=wgsl-fused --golden=${GOLDEN}`);
    assert.equal(r.status, 1, output(r));
    assert.match(r.stdout, /skipped wgsl-fused: the Vulkan loader \(libvulkan\.so\.1\) is not installed, so Dawn cannot reach any GPU driver; to enable: apt-get install libvulkan1/);
  });

  test('a read-only working folder: bench refuses --out there before any work', (t) => {
    if (!unshareWorks) return t.skip(NO_UNSHARE);
    const ro = join(work, 'read-only');
    mkdirSync(ro);
    const r = inNamespace(`mount --bind ${ro} ${ro} && mount -o remount,ro,bind ${ro} && cd ${ro} && exec ${run} bench --quick --no-torch --golden=${GOLDEN} --out=results`);
    assert.equal(r.status, 2, output(r));
    assert.match(r.stderr, /^se-bench: --out: cannot write into .*read-only\/results \(EROFS\); give a folder you can write\n$/);
  });
});

describe('scripts/gpu-run.sh', () => {
  /** A checkout-shaped folder: golden/ and the archive, as on the GPU machine. */
  function gpuCheckout(): string {
    const dir = mkdtempSync(join(work, 'gpu-checkout-'));
    symlinkSync(GOLDEN, join(dir, 'golden'));
    mkdirSync(join(dir, 'dist'));
    copyFileSync(archive, join(dir, 'dist', 'se-bench-portable-linux-x64.tar.xz'));
    return dir;
  }
  const script = join(REPO, 'scripts', 'gpu-run.sh');

  test('without a GPU: devices and an empty gpu conformance are recorded, exit 1, nothing overwritten on a second run', () => {
    const dir = gpuCheckout();
    let r = sh(script, ['out'], { cwd: dir, env: { ...env, SE_BENCH_PYTHON: '/nonexistent/python3' } });
    assert.equal(r.status, 1, output(r));
    for (const f of ['devices.txt', 'conformance.txt', 'gpu-run.log', 'bench/results.json', 'bench/report.html']) assert.ok(existsSync(join(dir, 'out', f)), f);
    assert.match(readFileSync(join(dir, 'out', 'devices.txt'), 'utf8'), /^gpu {6}unavailable: no hardware GPU adapter: Dawn found only the software adapter/m);
    assert.match(readFileSync(join(dir, 'out', 'gpu-run.log'), 'utf8'), /gpu-run: conformance exit 1, bench exit 1/);
    const before = readFileSync(join(dir, 'out', 'devices.txt'));
    r = sh(script, ['out'], { cwd: dir });
    assert.equal(r.status, 2, output(r));
    assert.match(r.stderr, /^gpu-run: out\/devices\.txt exists: an earlier run's results are never overwritten; give an empty OUTDIR\n$/);
    assert.deepEqual(readFileSync(join(dir, 'out', 'devices.txt')), before);
  });

  test('refuses, in one line, a missing archive, a folder that is not the checkout, a work folder too small to unpack in, no Vulkan loader', (t) => {
    const empty = mkdtempSync(join(work, 'empty-'));
    let r = sh(script, ['out'], { cwd: empty });
    assert.equal(r.status, 2, output(r));
    assert.match(r.stderr, /^gpu-run: no archive at dist\/se-bench-portable-linux-x64\.tar\.xz: build it with `npm run pack:portable`/);
    r = sh(script, ['out'], { cwd: empty, env: { ...env, SE_BENCH_ARCHIVE: archive } });
    assert.equal(r.status, 2, output(r));
    assert.match(r.stderr, /^gpu-run: no golden\/manifest\.json in .*: run this from the root of the se-bench checkout/);
    if (!unshareWorks) return t.skip(NO_UNSHARE);
    const dir = gpuCheckout();
    mkdirSync(join(dir, 'small'));
    r = inNamespace(`mount -t tmpfs -o size=20m tmpfs small && SE_BENCH_WORK=small exec ${script} out`, dir);
    assert.equal(r.status, 2, output(r));
    assert.match(r.stdout + r.stderr, /^gpu-run: unpacking needs \d+ MiB free in small, it has 20 MiB: set SE_BENCH_WORK to a folder with more space$/m); // after the log starts, messages go through tee to stdout
    const lib = realpathSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
    r = inNamespace(`mount --bind /dev/null ${lib} && SE_BENCH_DEBS=none exec ${script} out-no-loader`, dir);
    assert.equal(r.status, 2, output(r));
    assert.match(r.stdout + r.stderr, /^gpu-run: this machine has no Vulkan loader \(libvulkan\.so\.1\) and none holds no \.deb: run `apt-get download libvulkan1 libglvnd0`/m);
  });
});
