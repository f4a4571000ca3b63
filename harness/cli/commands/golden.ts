/** `se-bench golden [--check]`: run scripts/golden.py, or check it reproduces golden/ byte for byte. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goldenSource, REPO_ROOT } from '../../data/paths.ts';
import { PYTHON, torchAvailable } from '../../host/python.ts';

export const GOLDEN_OPTIONS = { check: { type: 'boolean' } } as const;

const SCRIPT = resolve(REPO_ROOT, 'scripts', 'golden.py');

function runGenerator(out: string): number {
  const r = spawnSync(PYTHON, [SCRIPT, '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status ?? 1;
}

/** Names of files that differ between two golden directories (missing on either side included). */
export function diffDirs(a: string, b: string): string[] {
  const names = new Set([...readdirSync(a), ...readdirSync(b)]);
  return [...names].sort().filter((n) => {
    const pa = join(a, n);
    const pb = join(b, n);
    return !existsSync(pa) || !existsSync(pb) || !readFileSync(pa).equals(readFileSync(pb));
  });
}

export async function goldenCommand(values: { check?: boolean }): Promise<number> {
  const torch = torchAvailable();
  if (!torch.ok) {
    process.stderr.write(`PyTorch is not available (${torch.why}). Install it with \`apt-get install -y python3-torch python3-torchvision\`, `
      + 'or set SE_BENCH_PYTHON to an interpreter that has torch.\n');
    return 2;
  }
  if (!values.check) return runGenerator(goldenSource().dir);
  const tmp = mkdtempSync(join(tmpdir(), 'se-bench-golden-'));
  try {
    const status = runGenerator(tmp);
    if (status !== 0) return status;
    const differ = diffDirs(goldenSource().dir, tmp);
    if (differ.length) {
      process.stdout.write(`golden/ differs from a fresh generation in: ${differ.join(', ')}\n`);
      return 1;
    }
    process.stdout.write(`golden/ reproduced byte for byte (${readdirSync(tmp).length} files)\n`);
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
