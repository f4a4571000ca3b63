/**
 * The files CI reads besides the exit code: `--junit=FILE` (replaced) and
 * `--summary-md=FILE` (appended to, never truncated: GitHub's
 * $GITHUB_STEP_SUMMARY already holds what earlier steps wrote). Each target is
 * checked before any work starts, so a typo costs one line and exit 2, not a
 * finished run; a write that still fails afterwards is one line and exit 2
 * too, after the run's own output (and, for bench, its results files) is out.
 */
import { closeSync, existsSync, openSync, readSync, statSync, unlinkSync, appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../data/select.ts';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Checks that `path` (the value of --`option`) is a file this process can
 * write: not empty, not a folder, in a folder that exists; an existing file is
 * opened for appending (nothing written), a new one is probed with a scratch
 * file beside it. Anything else is a UsageError naming the option and the fix.
 * `undefined` (option not given) passes.
 */
export function checkOutputFile(option: string, path: string | undefined): void {
  if (path === undefined) return;
  if (path.trim() === '') throw new UsageError(`--${option} needs a file: --${option}=FILE`);
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new UsageError(`--${option}: ${path} is a folder; give a file in it, e.g. --${option}=${join(path, option === 'junit' ? 'junit.xml' : 'summary.md')}`);
  const dir = dirname(abs);
  if (!existsSync(dir)) throw new UsageError(`--${option}: no such folder ${dir}; create it first (mkdir -p) or give a file in an existing folder`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--${option}: ${dir} is not a folder`);
  try {
    if (existsSync(abs)) closeSync(openSync(abs, 'a'));
    else {
      const probe = join(dir, `.se-bench-write-check-${process.pid}`);
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    }
  } catch (e) {
    throw new UsageError(`--${option}: cannot write ${path} (${code(e)}); give a file in a folder you can write`);
  }
}

/** Writes `text` to `path` (--`option`), replacing what is there; a failure is a UsageError. */
export function writeOutputFile(option: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`--${option}: cannot write ${path} (${code(e)}); the run's own output above is complete`);
  }
}

/** The file's last byte, or undefined when it is empty or cannot be read (a pipe, a device). */
function lastByte(path: string): number | undefined {
  try {
    const size = statSync(path).size;
    if (size === 0) return undefined;
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(1);
      return readSync(fd, b, 0, 1, size - 1) === 1 ? b[0] : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * Appends the Markdown block `text` to `path` (--`option`), created when
 * absent; what is there stays. A blank line goes before the block when the
 * file already has text, so it starts a block of its own.
 */
export function appendOutputFile(option: string, path: string, text: string): void {
  const last = existsSync(path) ? lastByte(path) : undefined;
  const gap = last === undefined ? '' : last === 0x0a ? '\n' : '\n\n';
  try {
    appendFileSync(path, `${gap}${text}`);
  } catch (e) {
    throw new UsageError(`--${option}: cannot append to ${path} (${code(e)}); the run's own output above is complete`);
  }
}
