// A worker thread of wasm-simd-mt: instantiates the kernels on the block's
// shared memory, then runs its share of every job until told to stop.
// workerData: { module, memory, control, t, threads }.
import { parentPort, workerData } from 'node:worker_threads';
import { CTL, makeBarrier, readParams, SPIN, squeezeJob } from './pipeline.mjs';

const { module, memory, control, t, threads } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(control);
const barrier = makeBarrier(ctl, threads);
let seen = Atomics.load(ctl, CTL.JOB);
parentPort.postMessage('ready');

for (;;) {
  // Spin briefly (back-to-back runs start within microseconds), then sleep
  // in Atomics.wait until the main thread bumps JOB.
  for (let i = 0; i < SPIN && Atomics.load(ctl, CTL.JOB) === seen; i++);
  while (Atomics.load(ctl, CTL.JOB) === seen) Atomics.wait(ctl, CTL.JOB, seen);
  seen = Atomics.load(ctl, CTL.JOB);
  if (Atomics.load(ctl, CTL.STOP) !== 0) break;
  try {
    const job = readParams(ctl);
    if (t < job.threads) squeezeJob(kernels, job, t, job.threads);
    barrier();
  } catch (e) {
    // Peers see ERROR at their next barrier wait and throw instead of hanging.
    Atomics.store(ctl, CTL.ERROR, 1);
    Atomics.notify(ctl, CTL.GEN);
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
    break;
  }
}
