/** Types of pipeline.mjs (plain JavaScript so that worker threads can load it). */
import type { SeKernels } from './assemble.ts';

/** Slots of the control block. */
export declare const CTL: Readonly<{ JOB: 0; COUNT: 1; GEN: 2; STOP: 3; ERROR: 4; PARAMS: 16 }>;

/** One SE job over a batch: sizes, flags and byte offsets of every region (all uint32). */
export interface JobParams {
  n: number; c: number; hw: number; group: number; rd: number; rdPad: number; cPad: number;
  /** 1 for max squeeze, 0 for avg. */
  max: number;
  /** Hidden activation code (ACTIVATION in assemble.ts). */
  act: number;
  /** Gate activation code (ACTIVATION.sigmoid or ACTIVATION.hardsigmoid). */
  gateAct: number;
  x: number; y: number; gate: number;
  /** Scratch of thread 0; thread t uses s + t * sStride, and so on. */
  s: number; z: number; o: number; sStride: number; zStride: number; oStride: number;
  w1: number; b1: number; w2: number; b2: number;
  /** Threads sharing this job (thread t < threads takes a share; the others only meet at the barrier). */
  threads: number;
}

export declare const PARAM_KEYS: readonly (keyof JobParams)[];
/** Busy-wait iterations before a thread sleeps. */
export declare const SPIN: number;
/** Control block length in int32 slots. */
export declare const CTL_SLOTS: number;
export declare function writeParams(ctl: Int32Array, params: JobParams): void;
export declare function readParams(ctl: Int32Array): JobParams;
/** Waits until slot `at` differs from `value`; throws if a peer stalled or failed. */
export declare function waitChange(ctl: Int32Array, at: number, value: number): void;
export declare function makeBarrier(ctl: Int32Array, threads: number): () => void;
/** Thread t's share of an avg/max-squeeze SE job (see pipeline.mjs). */
export declare function squeezeJob(k: SeKernels, p: JobParams, t: number, threads: number): void;
