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
  gitCommit: string;
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

/** The checkout's commit; in the portable pack, the commit it was built from. */
function gitCommit(): string {
  const pack = join(REPO_ROOT, PACK_INFO_FILE);
  if (existsSync(pack)) return `${(JSON.parse(readFileSync(pack, 'utf8')) as { commit: string }).commit} (portable pack)`;
  return checkoutCommit() ?? 'unknown (not a git checkout)';
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
    commandLine: process.argv.slice(2),
  };
}
