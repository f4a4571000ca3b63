/**
 * Benchmarks the `wasm-simd` SE kernel on the four ResNet-50 stage shapes
 * (batch 8, r = 16, fp32) against copying the tensor once (the memory-bound
 * floor), tfjs-wasm and PyTorch eager on one thread (scripts/torch_anchor.py,
 * kept open), with the subjects interleaved round by round, so drift in
 * machine speed hits every subject alike.
 *
 *   npx tsx scripts/bench-wasm-simd.ts [--min-time=MS] [--rounds=N] [--batch=8]
 *        [--group-bytes=B] [--threads=T|auto] [--no-tfjs] [--no-torch] [--shapes=2,5]
 *
 * --min-time: total sampling time per (shape, subject) in ms (default 600), split over --rounds (default 6).
 * --threads: also time wasm-simd-mt with T threads (auto = os.availableParallelism()).
 * Every wasm subject runs on a staged input (block.stage), as the harness times it.
 */
import { makeSeSpec, seWeightShapes } from '../harness/model/spec.ts';
import { uniform } from '../harness/data/prng.ts';
import { nchwToNhwc, type Tensor } from '../harness/data/tensor.ts';
import type { PreparedBlock, SeImplementation, Weights } from '../harness/contract/implementation.ts';
import { instantiate, kernelModule } from '../impls/wasm-simd/assemble.ts';
import { WasmSimdImplementation } from '../impls/wasm-simd/index.ts';
import { medianOf, scriptArgs } from './kernel-bench-args.ts';
import { TorchAnchors } from '../harness/measure/anchors.ts';

const args = scriptArgs('npm run bench:wasm-simd -- [--min-time=MS] [--rounds=N] [--batch=8] [--group-bytes=B] [--threads=T|auto] [--no-tfjs] [--no-torch] [--shapes=2,5]',
  ['min-time', 'rounds', 'batch', 'group-bytes', 'threads', 'no-tfjs', 'no-torch', 'shapes']);
const minMs = args.num('min-time', 600);
const rounds = Math.max(1, Math.round(args.num('rounds', 6)));
const batch = args.num('batch', 8);
const groupBytes = args.has('group-bytes') ? args.num('group-bytes', 0) : undefined;
const threadsArg = args.text('threads');
const threads = threadsArg === 'auto' ? 'auto' : threadsArg ? args.num('threads', 1) : undefined;
const stages = args.stages;

/** One thing timed: `call` runs once; its times accumulate over the rounds. `round` instead times a whole round elsewhere (PyTorch). */
interface Subject { label: string; call: () => unknown; samples: number[]; round?: () => Promise<number[]> }

async function sample(s: Subject, ms: number, minCalls = 3): Promise<void> {
  const stop = performance.now() + ms;
  for (let i = 0; i < minCalls || performance.now() < stop; i++) {
    const t0 = performance.now();
    const r = s.call();
    if (r instanceof Promise) await r;
    s.samples.push(performance.now() - t0);
  }
}

async function loadTfjsWasm(): Promise<SeImplementation | string> {
  if (args.has('no-tfjs')) return 'skipped (--no-tfjs)';
  try {
    const { tfjsImplementations } = await import('../impls/tfjs/index.ts');
    const impl = tfjsImplementations().find((i) => i.name === 'tfjs-wasm');
    if (!impl) return 'tfjs-wasm is not among tfjsImplementations()';
    const a = await impl.probe();
    if (!a.available) return `tfjs-wasm unavailable: ${a.reason}`;
    console.log(`tfjs-wasm: ${a.detail ?? ''}`);
    return impl;
  } catch (e) {
    return `tfjs-wasm failed to load: ${(e as Error).message}`;
  }
}

const tuning = groupBytes !== undefined ? { groupBytes } : {};
const wasmImpls = [new WasmSimdImplementation(tuning), ...(threads !== undefined ? [new WasmSimdImplementation({ ...tuning, threads })] : [])];
for (const impl of wasmImpls) {
  const a = await impl.probe();
  if (!a.available) throw new Error(`${impl.name} unavailable: ${a.reason}`);
  console.log(`${impl.name}: ${a.detail ?? ''}`);
}
const tfjs = await loadTfjsWasm();
let torch: TorchAnchors | undefined;
if (!args.has('no-torch')) {
  const started = await TorchAnchors.start({ threads: 1, minTimeMs: minMs / rounds, device: 'cpu' });
  if ('anchors' in started) {
    torch = started.anchors;
    console.log(`PyTorch ${started.info.torch}, ${started.info.threads} thread: eager SE block, timed in the same rounds`);
  } else console.log(`PyTorch: ${started.info.reason}; its column is left empty`);
}
if (typeof tfjs === 'string') console.log(`tfjs-wasm: ${tfjs}; its column is left empty`);
console.log(`batch ${batch}, r=16, fp32; ${minMs} ms per measurement over ${rounds} interleaved rounds; median of single calls`);

interface Row { stage: number; shape: string; bytes: number; subjects: Subject[]; blocks: PreparedBlock[] }
const rows: Row[] = [];
const module = await kernelModule();
for (const [stage, c, hw] of stages) {
  const spec = makeSeSpec({ channels: c, ratio: 16 });
  const weights: Weights = {};
  for (const [name, shape] of Object.entries(seWeightShapes(spec))) {
    const count = shape.reduce((a, b) => a * b, 1);
    weights[name] = { shape, data: uniform(count, { seed: 7, stream: `bench.${name}`, lo: -0.1, hi: 0.1 }) };
  }
  const x: Tensor = { shape: [batch, c, hw, hw], data: uniform(batch * c * hw * hw, { seed: 7, stream: 'bench.x', lo: -2, hi: 2 }) };
  const bytes = x.data.byteLength;
  const dst = new Float32Array(x.data.length);
  // memory.copy inside one wasm memory: src and dst regions of the tensor's size.
  const mem = new WebAssembly.Memory({ initial: Math.ceil((2 * bytes + 64) / 65536) });
  const k = instantiate(module, mem);
  new Float32Array(mem.buffer).set(x.data);
  const subjects: Subject[] = [
    { label: 'copy (TypedArray.set)', call: () => dst.set(x.data), samples: [] },
    { label: 'copy (wasm memory.copy)', call: () => k.copy(bytes, 0, bytes), samples: [] },
  ];
  const blocks: PreparedBlock[] = [];
  for (const impl of wasmImpls) {
    const block = await impl.prepareSe(spec, weights);
    const staged = block.stage!(x);
    subjects.push({ label: `${impl.name}${impl.threads > 1 ? ` (${impl.threads} threads)` : ''}`, call: () => block.run(staged), samples: [] });
    blocks.push(block);
  }
  if (typeof tfjs !== 'string') {
    const tb = await tfjs.prepareSe(spec, weights);
    const xt = nchwToNhwc(x);
    subjects.push({ label: tfjs.name, call: () => tb.run(xt), samples: [] });
    blocks.push(tb);
  }
  if (torch) {
    const t = torch;
    subjects.push({ label: 'pytorch-eager-cpu', call: () => {}, samples: [], round: async () => {
      const [row] = await t.time(x.shape, 16);
      if (!row?.available) throw new Error(`PyTorch failed on ${x.shape.join('x')}: ${row?.reason ?? 'no row'}`);
      return row.stats.samplesMs;
    } });
  }
  rows.push({ stage, shape: `${c}x${hw}x${hw}`, bytes, subjects, blocks });
}

for (const row of rows) for (const s of row.subjects) if (!s.round) { await sample(s, 60); s.samples.length = 0; } // warm-up (PyTorch warms itself)
for (let r = 0; r < rounds; r++) {
  for (const row of rows) for (const s of row.subjects) if (s.round) s.samples.push(...await s.round()); else await sample(s, minMs / rounds);
}
torch?.close();

const table: string[][] = [['shape', 'subject', 'ms median', 'samples', 'GB/s', 'x copy', 'tfjs-wasm / this', 'PyTorch / this']];
for (const row of rows) {
  const ms = row.subjects.map((s) => medianOf(s.samples));
  const copyMs = ms[0]!;
  const msOf = (label: string): number | undefined => ms[row.subjects.findIndex((s) => s.label === label)];
  const tfjsMs = msOf('tfjs-wasm');
  const torchMs = msOf('pytorch-eager-cpu');
  row.subjects.forEach((s, i) => {
    const t = ms[i]!;
    table.push([
      `stage${row.stage} ${batch}x${row.shape}`, s.label, t.toFixed(3), String(s.samples.length),
      ((2 * row.bytes) / (t * 1e6)).toFixed(1), (t / copyMs).toFixed(2), tfjsMs ? (tfjsMs / t).toFixed(2) : '', torchMs ? (torchMs / t).toFixed(2) : '',
    ]);
  });
  for (const b of row.blocks) await b.dispose();
}
const widths = table[0]!.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
for (const r of table) console.log(r.map((v, j) => (j < 2 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!))).join('  '));
console.log('GB/s counts the input read once and the output written once (2 x tensor bytes); x copy = time / TypedArray.set time.');
