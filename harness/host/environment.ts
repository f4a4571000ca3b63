/** Hardware and software fingerprint recorded with every result. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PACK_INFO_FILE, REPO_ROOT } from '../data/paths.ts';

export interface Environment {
  host: string;
  cpuModel: string;
  cpuCores: number;
  memoryBytes: number;
  os: string;
  node: string;
  v8: string;
  /** The commit measured: a sha (`-dirty` with uncommitted changes), `<sha> (portable pack)`, or `not a git checkout` (an npm install). */
  gitCommit: string;
  /** se-bench's own version (package.json); absent in files written before it was recorded. */
  seBenchVersion?: string;
  commandLine: string[];
  /** CPU caches of core 0 as Linux reports them (/sys/devices/system/cpu/cpu0/cache), smallest level first; absent when unreadable (cpuCachesMissing says why). */
  cpuCaches?: CpuCache[];
  /** Why cpuCaches is absent. */
  cpuCachesMissing?: string;
}

/** One cache of core 0: level, kind, size and the CPUs sharing it, so a reader can see whether an image fits. */
export interface CpuCache {
  level: number;
  /** `Data`, `Instruction` or `Unified`. */
  type: string;
  bytes: number;
  /** shared_cpu_list as the kernel writes it (`0`, `0-1`). */
  sharedCpus: string;
}

/** `32K`, `1024K`, `32M` to bytes. */
function sizeBytes(text: string): number {
  const m = /^(\d+)([KMG]?)$/.exec(text.trim());
  if (!m) throw new Error(`unreadable cache size "${text.trim()}"`);
  return Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]!]!;
}

/** Core 0's caches from sysfs, or why they cannot be read (another OS, a container hiding /sys). */
export function readCpuCaches(root = '/sys/devices/system/cpu/cpu0/cache'): { caches: CpuCache[] } | { missing: string } {
  try {
    const dirs = readdirSync(root).filter((d) => /^index\d+$/.test(d));
    if (dirs.length === 0) return { missing: `${root} lists no index* entries` };
    const caches = dirs.map((d) => {
      const read = (f: string) => readFileSync(join(root, d, f), 'utf8').trim();
      return { level: Number(read('level')), type: read('type'), bytes: sizeBytes(read('size')), sharedCpus: read('shared_cpu_list') };
    });
    return { caches: caches.sort((a, b) => a.level - b.level || a.type.localeCompare(b.type)) };
  } catch (e) {
    return { missing: `cannot read ${root}: ${(e as Error).message}` };
  }
}

/** The checkout's commit, `-dirty` with uncommitted changes to tracked files; undefined outside a git checkout. */
export function checkoutCommit(): string | undefined {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const sha = git(['rev-parse', 'HEAD']);
    return git(['status', '--porcelain', '--untracked-files=no']) ? `${sha}-dirty` : sha;
  } catch {
    return undefined;
  }
}

/** gitCommit where there is no git checkout (an installed package); files before 2026-12-07 wrote 'unknown (not a git checkout)'. */
export const NOT_A_CHECKOUT = 'not a git checkout';

/** How a report shows a run's commit: a sha cut to 12 digits (keeping -dirty and the pack's mark), any other text whole. */
export function commitLabel(gitCommit: string): string {
  const m = /^([0-9a-f]{40})(.*)$/.exec(gitCommit);
  if (m) return `${m[1]!.slice(0, 12)}${m[2]}`;
  return gitCommit.startsWith('unknown (') ? NOT_A_CHECKOUT : gitCommit;
}

/** se-bench's version, from its package.json. */
function seBenchVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The checkout's commit; in the portable pack, the commit it was built from. */
function gitCommit(): string {
  const pack = join(REPO_ROOT, PACK_INFO_FILE);
  if (existsSync(pack)) return `${(JSON.parse(readFileSync(pack, 'utf8')) as { commit: string }).commit} (portable pack)`;
  return checkoutCommit() ?? NOT_A_CHECKOUT;
}

/** Reads the fingerprint of this machine and process. */
export function readEnvironment(): Environment {
  return {
    host: os.hostname(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    gitCommit: gitCommit(),
    seBenchVersion: seBenchVersion(),
    commandLine: process.argv.slice(2),
    ...((c) => ('caches' in c ? { cpuCaches: c.caches } : { cpuCachesMissing: c.missing }))(readCpuCaches()),
  };
}
