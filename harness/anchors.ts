/**
 * PyTorch anchor rows: scripts/torch_anchor.py times PyTorch's SE block on
 * the same shapes on this machine, in the same run; the samples come back as
 * JSON and get the same statistics (sampleStats) as every other row.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './commands/golden.ts';
import { sampleStats, type Measurement } from './measure.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'torch_anchor.py');

/** One PyTorch row: measured, or unavailable with the reason (e.g. no torch.compile in torch 1.13). */
export type AnchorRow =
  | { device: 'cpu' | 'cuda'; variant: string; shape: number[]; ratio: number; available: true; stats: Omit<Measurement, 'coldMs'> }
  | { device: 'cpu' | 'cuda'; variant?: string; shape?: number[]; ratio?: number; available: false; reason: string };

/** The anchor run: PyTorch's version and thread count, and its rows; or why it could not run. */
export type AnchorResult =
  | { available: true; torch: string; threads: number; cuda: string | null; rows: AnchorRow[] }
  | { available: false; reason: string; installHint: string };

export interface AnchorOptions {
  /** [N, C, H, W] shapes. */
  shapes: number[][];
  ratios: number[];
  /** Intra-op threads for PyTorch: match the implementation's thread count. */
  threads: number;
  minTimeMs: number;
  device: 'cpu' | 'cuda' | 'all';
  /** Whole run limit; the child is killed after it. */
  timeoutMs?: number;
}

interface RawRow { device: 'cpu' | 'cuda'; variant?: string; shape?: number[]; ratio?: number; available: boolean; reason?: string; samplesMs?: number[] }

/** Runs the PyTorch anchors; never throws (a failure is an unavailable result with its reason). */
export function runTorchAnchors(o: AnchorOptions): Promise<AnchorResult> {
  const args = [SCRIPT, '--shapes', o.shapes.map((s) => s.join('x')).join(','), '--ratios', o.ratios.join(','),
    '--threads', String(o.threads), '--min-time', String(o.minTimeMs / 1000), '--device', o.device];
  const installHint = 'apt-get install -y python3-torch (Debian), or set SE_BENCH_PYTHON to an interpreter with torch';
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ available: false, reason: `cannot start ${PYTHON}: ${e.message}`, installHint });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        resolve({ available: false, reason: `${PYTHON} ${SCRIPT} ${signal ? `was killed (${signal}, timeout?)` : `exited ${code}`}: ${err.trim().split('\n').at(-1) ?? ''}`, installHint });
        return;
      }
      try {
        const raw = JSON.parse(out) as { available: boolean; reason?: string; installHint?: string; torch: string; threads: number; cuda: string | null; rows: RawRow[] };
        if (!raw.available) {
          resolve({ available: false, reason: raw.reason ?? 'torch unavailable', installHint: raw.installHint ?? installHint });
          return;
        }
        const rows = raw.rows.map((r): AnchorRow => (r.available && r.samplesMs && r.variant && r.shape && r.ratio !== undefined
          ? { device: r.device, variant: r.variant, shape: r.shape, ratio: r.ratio, available: true, stats: sampleStats(r.samplesMs) }
          : { device: r.device, variant: r.variant, shape: r.shape, ratio: r.ratio, available: false, reason: r.reason ?? 'not measured' }));
        resolve({ available: true, torch: raw.torch, threads: raw.threads, cuda: raw.cuda, rows });
      } catch (e) {
        resolve({ available: false, reason: `unreadable output from ${SCRIPT}: ${(e as Error).message}`, installHint });
      }
    });
  });
}
