/**
 * `se-bench golden [--check]`: run scripts/golden.py, or check it reproduces golden/ byte for byte.
 * `se-bench golden --cases=FILE.json --out=DIR`: a kernel author's own SE cases, generated into a new DIR.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goldenSource, REPO_ROOT } from '../../data/paths.ts';
import { UsageError } from '../../data/select.ts';
import { readUserCases } from '../../data/user-cases.ts';
import { PYTHON, torchAvailable } from '../../host/python.ts';

export const GOLDEN_OPTIONS = { check: { type: 'boolean' }, cases: { type: 'string' }, out: { type: 'string' } } as const;

const SCRIPT = resolve(REPO_ROOT, 'scripts', 'golden.py');

function runGenerator(out: string, extra: string[] = []): number {
  const r = spawnSync(PYTHON, [SCRIPT, '--out', out, ...extra], { stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status ?? 1;
}

/** True when PyTorch can run; otherwise says how to get it (one line) and the caller exits 2. */
function torchReady(): boolean {
  const torch = torchAvailable();
  if (!torch.ok) {
    process.stderr.write(`PyTorch is not available (${torch.why}). Install it with \`apt-get install -y python3-torch python3-torchvision\`, `
      + 'or set SE_BENCH_PYTHON to an interpreter that has torch.\n');
  }
  return torch.ok;
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

/**
 * --out must be new or empty: golden data is never overwritten in place, so
 * an earlier generation (perhaps the checkout's golden/) cannot be lost to a typo.
 */
function checkOut(out: string | undefined): string {
  if (!out?.trim()) throw new UsageError('--cases needs --out=DIR, a new or empty folder for the golden tensors and manifest.json (then: se-bench conformance --golden=DIR)');
  if (!existsSync(out)) return resolve(out);
  if (!statSync(out).isDirectory()) throw new UsageError(`--out=${out}: is a file; give a new or empty folder`);
  const held = readdirSync(out);
  if (held.length) {
    const what = held.includes('manifest.json') ? 'golden data (manifest.json)' : `${held.length} entr${held.length === 1 ? 'y' : 'ies'}`;
    throw new UsageError(`--out=${out}: already holds ${what}; give a new or empty folder (se-bench golden never overwrites a folder)`);
  }
  return resolve(out);
}

/** Generates the validated cases of `file` into `outOption` with golden.py --cases-json; removes what it wrote if that fails. */
function userGolden(file: string, outOption: string | undefined): number {
  const cases = readUserCases(file);
  const out = checkOut(outOption);
  if (!torchReady()) return 2;
  const existed = existsSync(out);
  const tmp = mkdtempSync(join(tmpdir(), 'se-bench-cases-'));
  try {
    // golden.py reads the normalised cases (defaults filled, source set), so Node stays the one validator.
    const json = join(tmp, 'cases.json');
    writeFileSync(json, `${JSON.stringify(cases, null, 1)}\n`);
    const status = runGenerator(out, ['--cases-json', json]);
    if (status !== 0) {
      // A half-written folder would be refused by the next run (not empty) and is not usable golden data.
      if (existed) for (const n of readdirSync(out)) rmSync(join(out, n), { recursive: true, force: true });
      else rmSync(out, { recursive: true, force: true });
      return status;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${cases.length} case${cases.length === 1 ? '' : 's'} to ${out}; check an implementation against them with: `
    + `se-bench conformance --golden=${outOption} --impl=reference (or --impl-module=PATH)\n`);
  return 0;
}

export async function goldenCommand(values: { check?: boolean; cases?: string; out?: string }): Promise<number> {
  if (values.cases !== undefined) {
    if (values.check) throw new UsageError('--check compares golden/ with the built-in case table and does not take --cases; to check your own cases reproduce, generate them twice and compare the folders');
    if (!values.cases.trim()) throw new UsageError('--cases needs a file: --cases=FILE.json, a JSON list of SE cases (docs/own-golden-cases.md)');
    return userGolden(values.cases, values.out);
  }
  if (values.out !== undefined) throw new UsageError('--out goes with --cases=FILE.json; without it, golden writes the checkout\'s golden/ (or --golden=DIR)');
  if (!torchReady()) return 2;
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
