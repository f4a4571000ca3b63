/**
 * Throughput of the shared PRNG in JS (target: >= 50 M float32 values/s).
 * A benchmark that prints figures, not a timed test: `npm run bench:prng`.
 */
import { measure } from '../harness/measure/stats.ts';
import { fillUniform } from '../harness/data/prng.ts';

const n = 1 << 22;
const out = new Float32Array(n);
const draw = { seed: 7, stream: 'bench', lo: -1, hi: 1 };
const m = await measure(async () => fillUniform(out, draw), { minTimeMs: 1000, minSamples: 10, warmupMs: 200 });
const mPerS = n / (m.medianMs * 1e3);
const copy = await measure(async () => out.slice(), { minTimeMs: 500, minSamples: 10, warmupMs: 100 });
console.log(`PRNG fillUniform: ${n} float32 values, median ${m.medianMs.toFixed(2)} ms, rme ${m.rmePct.toFixed(1)}%, n=${m.sampleCount}`);
console.log(`  ${mPerS.toFixed(0)} M values/s (target >= 50): ${mPerS >= 50 ? 'met' : 'MISSED'}`);
console.log(`  for scale, copying the same ${(n * 4) / 2 ** 20} MiB takes ${copy.medianMs.toFixed(2)} ms`);
if (m.noiseWarning) console.log(`  warning: ${m.noiseWarning}`);
