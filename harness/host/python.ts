/** The Python interpreter se-bench runs PyTorch with (golden generation, anchors). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's interpreter: the python3 first on PATH may lack torch. Override with SE_BENCH_PYTHON. */
export const PYTHON = process.env.SE_BENCH_PYTHON ?? '/usr/bin/python3';

/** True when PYTHON can import torch; `why` says what is missing otherwise. */
export function torchAvailable(): { ok: boolean; why: string } {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} not found` };
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? { ok: true, why: '' } : { ok: false, why: (r.stderr.trim().split('\n').pop() ?? 'import failed') };
}
