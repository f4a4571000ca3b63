/** Hardware and software fingerprint recorded with every result. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

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

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
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
