/**
 * Keeping Chromium from outliving us: the browsers this process started, killed
 * (whole process group) and their profile folders removed on exit and on
 * SIGINT / SIGTERM / SIGHUP, and a way to list the processes still using a
 * profile folder (every Chromium process carries --user-data-dir or a path
 * under it on its command line).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';

export interface Started {
  pid?: number | undefined;
  userDataDir: string;
}

const started = new Set<Started>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooked = false;

/** SIGKILLs the browser's process group (puppeteer starts it detached, as a group leader), else the process alone. */
export function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function killAllSync(): void {
  for (const s of started) {
    killTree(s.pid);
    // Helpers outside the group (Chromium's crashpad handlers re-parent themselves) carry the profile path.
    for (const pid of processesMentioning(s.userDataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    try {
      rmSync(s.userDataDir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort on the way out
    }
  }
  started.clear();
}

function onExit(): void {
  killAllSync();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync();
  // Only we listen: Node would otherwise ignore the signal; restore its default (terminate) and raise it again.
  if (process.listenerCount(signal) === 1) {
    unhook();
    process.kill(process.pid, signal);
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Records a browser being started (set `pid` once known); until `forget`, exit
 * and fatal signals kill it (its group, and anything mentioning the profile) and remove its profile.
 */
export function remember(pid: number | undefined, userDataDir: string): Started {
  const s = { pid, userDataDir };
  started.add(s);
  hook();
  return s;
}

/** The browser was closed and cleaned up; with none left, the exit and signal hooks are removed. */
export function forget(s: Started): void {
  started.delete(s);
  if (started.size === 0) unhook();
}

/** Pids of processes (other than this one) whose command line mentions `text`, e.g. a profile folder. */
export function processesMentioning(text: string): number[] {
  const out: number[] = [];
  if (existsSync('/proc/self/cmdline')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      try {
        if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) out.push(Number(name));
      } catch {
        // exited while we looked
      }
    }
    return out;
  }
  try {
    const ps = execFileSync('ps', ['-axww', '-o', 'pid=,command='], { encoding: 'utf8' });
    for (const line of ps.split('\n')) {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (m && m[2]!.includes(text) && Number(m[1]) !== process.pid) out.push(Number(m[1]));
    }
  } catch {
    // no ps: nothing to report
  }
  return out;
}

/**
 * Waits until no process mentions `userDataDir` (SIGKILLing stragglers after
 * `graceMs`), then removes the folder. Returns the pids that had to be killed.
 */
export async function reapProfile(userDataDir: string, graceMs = 3000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  let left = processesMentioning(userDataDir);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = processesMentioning(userDataDir);
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (left.length) await new Promise((r) => setTimeout(r, 100));
  rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  return left;
}
