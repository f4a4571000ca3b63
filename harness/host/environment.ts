/** Hardware and software fingerprint recorded with every result. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
  };
}
