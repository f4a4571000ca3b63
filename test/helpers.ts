/** Shared test helpers: PyTorch/numpy availability and whether CI requires them. */
import { spawnSync } from 'node:child_process';
import { PYTHON } from '../harness/host/python.ts';

/** True when CI said PyTorch must be present (SE_BENCH_REQUIRE_TORCH=1): then its tests may not skip. */
export const TORCH_REQUIRED = process.env.SE_BENCH_REQUIRE_TORCH === '1';

/** Why a Python-side test cannot run here, or undefined when it can. Throws when CI requires it. */
export function pythonMissing(modules: string): string | undefined {
  const r = spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = `${PYTHON} cannot import ${modules} (apt-get install -y python3-torch python3-torchvision)`;
  if (TORCH_REQUIRED) throw new Error(`SE_BENCH_REQUIRE_TORCH=1 but ${why}`);
  return why;
}

/** True when CI said Python's onnx must be present (SE_BENCH_REQUIRE_ONNX=1): then the ONNX checker tests may not skip. */
export const ONNX_REQUIRED = process.env.SE_BENCH_REQUIRE_ONNX === '1';

/** Why the ONNX checker cannot run here (PYTHON cannot import onnx), or undefined when it can. Throws when CI requires it. */
export function pythonOnnxMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = `${PYTHON} cannot import onnx (apt-get install -y python3-onnx)`;
  if (ONNX_REQUIRED) throw new Error(`SE_BENCH_REQUIRE_ONNX=1 but ${why}`);
  return why;
}

/** Restores the environment variables `names` to their values now (or unset) when test `t` ends, so a test may set them freely. */
export function restoreEnvAfter(t: { after(fn: () => void): void }, ...names: string[]): void {
  const saved = names.map((k) => [k, process.env[k]] as const);
  t.after(() => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}
