/**
 * `npm run pack:portable [-- --out=FILE]`: one archive that runs se-bench on a
 * machine with no Node and no npm registry (a GPU box): this Node binary
 * (stripped), the CLI bundled by esbuild, Dawn's dawn.node, the tfjs WASM
 * files, chart.js for the report and `run.sh`. Golden data is not in it: the
 * pack reads the checkout's golden/ (see scripts/portable/entry.ts).
 *
 * The archive and the checkout's tracked files must fit in 64 MiB together
 * (what can be copied to the GPU machine in one go), with room for the Vulkan
 * loader packages; the build prints the sizes and fails above that budget.
 * README "Portable pack" says how to use it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../harness/data/paths.ts';
import { checkoutCommit } from '../harness/host/environment.ts';
import { bundle, OMITTED } from './portable/bundle.ts';

const PLATFORM = `${process.platform}-${process.arch}`;
const MiB = 1024 * 1024;
/** What one copy to the GPU machine may hold, and what we keep free in it for the Vulkan loader's .deb files. */
const COPY_LIMIT = 64 * MiB;
const LOADER_RESERVE = 2 * MiB;

/** Files read at run time, at their checkout-relative paths (the pack mirrors the checkout's layout). */
const CARRIED = [
  'package.json',
  'harness/report/client.js',
  'schemas/results-v1.schema.json',
  'schemas/golden-cases.schema.json', // golden --cases validates the file with it (harness/data/user-cases.ts)
  'impls/wasm-simd/se.wat',
  'impls/wasm-simd/worker.mjs',
  'impls/wasm-simd/pipeline.mjs',
  'scripts/torch_anchor.py',
  // golden --cases runs golden.py; it and torch_anchor.py's network anchors import the other two.
  'scripts/golden.py',
  'scripts/golden_cases.py',
  'scripts/sebench_prng.py',
  'scripts/portable/resolve-hooks.mjs',
  `node_modules/webgpu/dist/${PLATFORM}/dawn.node`,
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
  'node_modules/chart.js/dist/chart.umd.js',
  'node_modules/chart.js/dist/chart.cjs', // require.resolve('chart.js') must find the file its exports map names
];

/** Files the source locates with `new URL(..., import.meta.url)` that the pack leaves out on purpose. */
const NOT_CARRIED = /^impls\/[^/]+\/page\.ts$/; // browser pages: the browser device is not in the pack (bundle.ts OMITTED)

function fail(message: string): never {
  process.stderr.write(`pack:portable: ${message}\n`);
  process.exit(1);
}

function copy(rel: string, packRoot: string): void {
  const from = join(REPO_ROOT, rel);
  if (!existsSync(from)) fail(`${rel} is missing: run \`npm ci\` (ONNXRUNTIME_NODE_INSTALL=skip) first`);
  mkdirSync(dirname(join(packRoot, rel)), { recursive: true });
  copyFileSync(from, join(packRoot, rel));
}

/** The manifests of the bundled dependencies, so the environment record names their versions (harness/bench/packages.ts). */
function dependencyManifests(): string[] {
  const own = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(own.dependencies).filter((n) => !(n in OMITTED)).map((n) => `node_modules/${n}/package.json`)
    .filter((rel) => existsSync(join(REPO_ROOT, rel)));
}

function trackedBytes(): number {
  const out = spawnSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (out.status !== 0) fail('the size budget counts the checkout\'s tracked files: run this in a git checkout of se-bench');
  return out.stdout.split('\0').filter(Boolean).reduce((sum, f) => sum + (existsSync(join(REPO_ROOT, f)) ? statSync(join(REPO_ROOT, f)).size : 0), 0);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
  const out = resolve(values.out ?? join(REPO_ROOT, 'dist', `se-bench-portable-${PLATFORM}.tar.xz`));
  if (!out.endsWith('.tar.xz')) fail(`--out=${values.out}: the archive is a .tar.xz; name it so`);
  if (process.platform !== 'linux') fail(`the pack is built for Linux GPU machines; this is ${PLATFORM}`);
  if (!existsSync(join(REPO_ROOT, 'node_modules', 'webgpu', 'dist', PLATFORM, 'dawn.node'))) fail(`Dawn has no build for ${PLATFORM} in node_modules/webgpu`);
  for (const tool of ['tar', 'xz']) if (spawnSync(tool, ['--version']).status !== 0) fail(`${tool} is not installed (apt-get install ${tool === 'xz' ? 'xz-utils' : tool})`);

  const stage = mkdtempSync(join(tmpdir(), 'se-bench-pack-'));
  try {
    const pack = join(stage, 'se-bench-portable');
    const t0 = performance.now();
    const commit = checkoutCommit() ?? 'unknown';
    const goldenManifestSha256 = sha256(join(REPO_ROOT, 'golden', 'manifest.json'));
    const built = await bundle(REPO_ROOT, pack, {
      SE_BENCH_PACK_GOLDEN_SHA256: JSON.stringify(goldenManifestSha256),
      SE_BENCH_PACK_COMMIT: JSON.stringify(commit),
    });
    const missing = [...built.urlTargets].filter((t) => !CARRIED.includes(t) && !NOT_CARRIED.test(t));
    if (missing.length) fail(`the source reads ${missing.join(', ')} beside itself, but the pack does not carry it: add it to CARRIED in ${relative(process.cwd(), fileURLToPath(import.meta.url))}`);
    for (const rel of [...CARRIED, ...dependencyManifests()]) copy(rel, pack);

    mkdirSync(join(pack, 'bin'));
    copyFileSync(process.execPath, join(pack, 'bin', 'node'));
    chmodSync(join(pack, 'bin', 'node'), 0o755);
    const stripped = spawnSync('strip', ['--strip-all', join(pack, 'bin', 'node')]).status === 0;
    copyFileSync(join(REPO_ROOT, 'scripts', 'portable', 'run.sh'), join(pack, 'run.sh'));
    chmodSync(join(pack, 'run.sh'), 0o755);
    writeFileSync(join(pack, 'pack-info.json'), `${JSON.stringify({
      commit, builtAt: new Date().toISOString(), node: process.version, platform: PLATFORM, goldenManifestSha256, omitted: OMITTED,
    }, null, 2)}\n`);

    mkdirSync(dirname(out), { recursive: true });
    const partial = `${out}.partial`;
    const tar = spawnSync('sh', ['-c', 'tar -C "$1" -cf - se-bench-portable | xz -9 -T0 > "$2"', 'pack', stage, partial], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (tar.status !== 0) fail(`tar | xz failed (exit ${tar.status})`);
    renameSync(partial, out);

    const size = statSync(out).size;
    const tracked = trackedBytes();
    const budget = COPY_LIMIT - tracked - LOADER_RESERVE;
    const files = readdirSync(pack, { recursive: true }).length;
    process.stdout.write(`${relative(process.cwd(), out)}: ${mib(size)} (${files} entries; JS ${mib(built.bytes)}; node ${stripped ? 'stripped' : 'NOT stripped: no `strip` (binutils)'}; `
      + `${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    process.stdout.write(`budget: ${mib(size)} + checkout's tracked files ${mib(tracked)} + ${mib(LOADER_RESERVE)} for the Vulkan loader `
      + `= ${mib(size + tracked + LOADER_RESERVE)} of ${mib(COPY_LIMIT)}; the archive may take ${mib(budget)}\n`);
    if (size > budget) {
      rmSync(out);
      fail(`the archive is ${mib(size - budget)} over its budget of ${mib(budget)}; removed ${basename(out)}`);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

await main();
