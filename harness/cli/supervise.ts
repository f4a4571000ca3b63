/**
 * `bench` runs in a child process that this one watches, so Ctrl-C and
 * SIGTERM are answered within seconds even while the child is inside a long
 * synchronous call (a whole network on the float64 reference can run for
 * tens of seconds without yielding, and a signal handler only runs when the
 * event loop turns).
 *
 * On a signal the child is told (it saves, writes the report and exits itself
 * whenever it can); if it has not exited after GRACE_MS, it and every process
 * it started (Chromium, the PyTorch anchor) are killed, and this process marks
 * the child's results.json interrupted and writes report.html from it: the
 * measurements finished so far are kept, only the one in progress is lost.
 * The child sends its run folder over IPC as soon as it has claimed it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readResultsFile } from '../bench/results-file.ts';
import { writeResults } from '../bench/results.ts';
import { writeReport } from './commands/report.ts';

/** Set in the child's environment: the child runs the command itself. */
export const SUPERVISED_ENV = 'SE_BENCH_SUPERVISED';
/** How long the child has to stop by itself after a signal. */
export const GRACE_MS = 2000;

/** True in the child (or when supervision is turned off with SE_BENCH_SUPERVISED=1). */
export function supervised(): boolean {
  return process.env[SUPERVISED_ENV] === '1';
}

/** Tells the supervising process where the run's files are (no-op without one). */
export function announceRunFolder(dir: string): void {
  process.send?.({ runDir: dir });
}

/** Every descendant of `pid` (children first), from `ps`; empty where ps is missing. */
function descendants(pid: number): number[] {
  let table: [number, number][];
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    frontier = table.filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    out.push(...frontier);
  }
  return out;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch { /* already gone */ }
}

/** Marks the run in `dir` interrupted by `signal` and writes its report; the log lines say what happened. */
function closeRun(dir: string, signal: NodeJS.Signals, log: (line: string) => void): void {
  try {
    const results = readResultsFile(join(dir, 'results.json'));
    if (results.run?.status === 'running') {
      results.run = { status: 'interrupted', signal };
      writeResults(dir, results);
    }
    log(`report: ${writeReport([dir])}`);
    log(`interrupted by ${signal}: ${results.rows.length} measurements kept in ${join(dir, 'results.json')}, marked interrupted `
      + `(the call in progress did not yield within ${GRACE_MS / 1000} s and was stopped)`);
  } catch (e) {
    log(`interrupted by ${signal}; the run in ${dir} could not be closed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Runs `script argv` (the CLI entry) in a child process and returns its exit
 * code; on SIGINT / SIGTERM returns 130 / 143 within GRACE_MS plus the time
 * to write the report.
 */
export async function runSupervised(script: string, argv: string[]): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...process.env, [SUPERVISED_ENV]: '1' },
  });
  let runDir: string | undefined;
  child.on('message', (m: { runDir?: string }) => { if (typeof m?.runDir === 'string') runDir = m.runDir; });
  let stopping: NodeJS.Signals | undefined;
  let forced = false;
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = signal;
    child.kill(signal); // a terminal's Ctrl-C reached the child too; a `kill` aimed at this process did not
    timer = setTimeout(() => {
      forced = true;
      const tree = child.pid ? descendants(child.pid) : [];
      child.kill('SIGKILL');
      tree.forEach(kill);
    }, GRACE_MS);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (c, s) => resolve([c, s]));
    });
    clearTimeout(timer);
    if (stopping && forced) {
      if (runDir) closeRun(runDir, stopping, log);
      else log(`interrupted by ${stopping} before the run had a folder: nothing was measured`);
      return stopping === 'SIGTERM' ? 143 : 130;
    }
    if (code !== null) return code;
    return signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
