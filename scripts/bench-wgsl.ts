/**
 * Benchmarks `wgsl-fused` on the four ResNet-50 stage shapes (r = 16, fp32)
 * against the GPU's own buffer copy of the same bytes (the memory-bound floor:
 * an SE block reads its input once and writes its output once) and
 * tfjs-webgpu on the same Dawn adapter.
 *
 *   npx tsx scripts/bench-wgsl.ts [--batch=8] [--min-time=MS] [--shapes=2,5]
 *        [--chunk-mb=MB] [--fused-max-hw=N] [--no-tfjs]
 *
 * Rows per shape:
 *   copy             copyBufferToBuffer of the input's bytes, one submit + onSubmittedWorkDone per sample
 *   device-only      runDeviceOnly(): the kernels alone, same sync as copy; "GPU ms" from timestamp queries
 *   run (staged)     run() on a staged input: kernels + read-back of y and the gate (the harness's timing)
 *   run (+upload)    run() on a host tensor: upload, kernels, read-back (what tfjs-webgpu's run does)
 *   tfjs-webgpu      the tfjs SE block (NHWC) on the same adapter: upload, kernels, read-back
 * Where the fused path is chosen, the split path's device-only time is shown too.
 * GB/s counts the input read once and the output written once (2 x tensor bytes);
 * % copy = copy ms / row ms. Target on a hardware GPU: device-only >= 70% of copy at batch >= 32.
 */
import { gpuCopyBandwidth } from '../harness/measure/roofline-gpu.ts';
import { uniform } from '../harness/data/prng.ts';
import { makeSeSpec, seWeightShapes } from '../harness/model/spec.ts';
import { nchwToNhwc, type Tensor } from '../harness/data/tensor.ts';
import { adapterLine, nodeWebGpu } from '../harness/host/webgpu-node.ts';
import type { SeImplementation, Weights } from '../harness/contract/implementation.ts';
import { WgslImplementation, type WgslOptions } from '../impls/wgsl/index.ts';
import { medianOf, scriptArgs } from './kernel-bench-args.ts';

const args = scriptArgs('npm run bench:wgsl -- [--batch=8] [--min-time=MS] [--shapes=2,5] [--chunk-mb=MB] [--fused-max-hw=N] [--no-tfjs]',
  ['batch', 'min-time', 'shapes', 'chunk-mb', 'fused-max-hw', 'no-tfjs']);
const num = args.num;
const batch = num('batch', 8);
const minMs = num('min-time', 400);
const stages = args.stages;
const options: WgslOptions = {
  ...(args.has('chunk-mb') ? { chunkBytes: num('chunk-mb', 0) * 2 ** 20 } : {}),
  ...(args.has('fused-max-hw') ? { fusedMaxHw: num('fused-max-hw', 64) } : {}),
};

/** Median of calls to `fn` over at least `ms` and 3 calls; `extra` collects a value each call returns (GPU ms). */
async function sample(fn: () => Promise<unknown>, ms: number, extra?: number[]): Promise<number> {
  const times: number[] = [];
  const stop = performance.now() + ms;
  while (times.length < 3 || performance.now() < stop) {
    const t0 = performance.now();
    const r = await fn();
    times.push(performance.now() - t0);
    if (extra && typeof r === 'number') extra.push(r);
  }
  return medianOf(times);
}

async function loadTfjsWebgpu(): Promise<SeImplementation | string> {
  if (args.has('no-tfjs')) return 'skipped (--no-tfjs)';
  try {
    const { tfjsImplementations } = await import('../impls/tfjs/index.ts');
    const impl = tfjsImplementations().find((i) => i.name === 'tfjs-webgpu');
    if (!impl) return 'tfjs-webgpu is not among tfjsImplementations()';
    const a = await impl.probe();
    return a.available ? impl : `unavailable: ${a.reason}`;
  } catch (e) {
    return `failed to load: ${(e as Error).message}`;
  }
}

const w = await nodeWebGpu();
if (!w.ok) throw new Error(`no WebGPU adapter: ${w.reason} (fix: ${w.installHint})`);
const impl = new WgslImplementation(options);
const split = new WgslImplementation({ ...options, path: 'split', name: 'wgsl-fused (split path)', sameDeviceAs: impl });
const a = await impl.probe();
if (!a.available) throw new Error(`${impl.name} unavailable: ${a.reason}`);
const tfjs = await loadTfjsWebgpu();
const device = await impl.gpuDevice();
console.log(`adapter: ${adapterLine(w.report)}; ${a.detail ?? ''}`);
console.log(`tfjs-webgpu: ${typeof tfjs === 'string' ? tfjs : 'available'}`);
console.log(`batch ${batch}, r=16, fp32 NCHW; >= ${minMs} ms per row; medians of single calls${w.report.software ? '; SOFTWARE adapter: the numbers carry no target' : ''}`);

const table: string[][] = [['shape', 'row', 'ms', 'GPU ms', 'GB/s', '% copy', 'tfjs / this']];
for (const [stage, c, hw] of stages) {
  const spec = makeSeSpec({ channels: c, ratio: 16 });
  const weights: Weights = {};
  for (const [name, shape] of Object.entries(seWeightShapes(spec))) {
    weights[name] = { shape, data: uniform(shape.reduce((p, q) => p * q, 1), { seed: 7, stream: `bench.${name}`, lo: -0.1, hi: 0.1 }) };
  }
  const x: Tensor = { shape: [batch, c, hw, hw], data: uniform(batch * c * hw * hw, { seed: 7, stream: 'bench.x', lo: -2, hi: 2 }) };
  const bytes = x.data.byteLength;
  const rows: { label: string; ms: number; gpuMs?: number }[] = [];
  const copy = await gpuCopyBandwidth(device, bytes, minMs);
  rows.push({ label: 'copy (copyBufferToBuffer)', ms: copy.medianMs });

  const block = await impl.prepareSe(spec, weights);
  const staged = block.stage(x);
  await block.run(staged); // compile + first run, untimed
  const gpu: number[] = [];
  await block.runDeviceOnly();
  const deviceMs = await sample(() => block.runDeviceOnly(), minMs, gpu);
  rows.push({ label: `${impl.name} device-only [${block.lastPath}]`, ms: deviceMs, gpuMs: medianOf(gpu.filter(Number.isFinite)) });
  if (block.lastPath === 'fused') {
    const sb = await split.prepareSe(spec, weights);
    const sx = sb.stage(x);
    await sb.run(sx);
    const sg: number[] = [];
    rows.push({ label: `${impl.name} device-only [split]`, ms: await sample(() => sb.runDeviceOnly(), minMs, sg), gpuMs: medianOf(sg.filter(Number.isFinite)) });
    await sb.dispose();
  }
  const runMs = await sample(() => block.run(staged), minMs);
  rows.push({ label: `${impl.name} run (staged)`, ms: runMs });
  const uploadMs = await sample(() => block.run(x), minMs);
  rows.push({ label: `${impl.name} run (+upload)`, ms: uploadMs });
  await block.dispose();

  let tfjsMs: number | undefined;
  if (typeof tfjs !== 'string') {
    const tb = await tfjs.prepareSe(spec, weights);
    const xt = nchwToNhwc(x);
    await tb.run(xt);
    tfjsMs = await sample(() => tb.run(xt), minMs);
    rows.push({ label: 'tfjs-webgpu run (+upload)', ms: tfjsMs });
    await tb.dispose();
  }
  for (const r of rows) {
    // tfjs's run uploads and reads back: compare it with our run rows only.
    const vsTfjs = tfjsMs !== undefined && r.label.includes(' run ') && !r.label.startsWith('tfjs') ? (tfjsMs / r.ms).toFixed(2) : '';
    table.push([
      `stage${stage} ${batch}x${c}x${hw}x${hw}`, r.label, r.ms.toFixed(3), r.gpuMs !== undefined && Number.isFinite(r.gpuMs) ? r.gpuMs.toFixed(3) : '',
      ((2 * bytes) / (r.ms * 1e6)).toFixed(2), `${((100 * copy.medianMs) / r.ms).toFixed(0)}%`, vsTfjs,
    ]);
  }
}
const widths = table[0]!.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
for (const r of table) console.log(r.map((v, j) => (j < 2 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!))).join('  '));
console.log('GB/s = 2 x input bytes / ms (input read once, output written once); % copy = copy ms / row ms; '
  + 'GPU ms = compute-pass time from timestamp queries (empty when the adapter has none).');
