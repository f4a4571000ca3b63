/**
 * The compute ceiling of one CPU thread for WebAssembly SIMD128: how many
 * float32 multiply-adds per second f32x4.mul + f32x4.add sustain on
 * operands in L1. An SE block's two FCs cost N * 2 * C * C/r multiply-adds,
 * so MACs / this rate is the least time any one-thread SIMD128 kernel needs
 * for them: at stage 5 that exceeds the copy time, and the block is
 * compute-bound there (see the bench's floor column).
 */
import { assembleWat } from '../host/wat.ts';
import { measure, type Measurement } from './stats.ts';

export interface MacPeak {
  method: string;
  /** Multiply-adds per second, in units of 1e9. */
  gmacPerS: number;
  /** Multiply-adds per timed call. */
  macsPerCall: number;
  stats: Measurement;
}

const ACC = ['00', '01', '10', '11', '20', '21', '30', '31'];
/**
 * The FC kernel's register tile (impls/wasm-simd/se.wat, $panel2) on operands
 * that stay in L1: per step two splats and four weight vectors are loaded
 * from a 4 KiB window and eight accumulators a_jk += w_j * s_k are updated.
 * Loads use their own ports, so this is the float pipes' ceiling for this
 * instruction mix; loop-invariant operands would let the engine hoist the
 * multiplications and time additions alone.
 */
const PEAK_WAT = `(module
  (memory (export "m") 1)
  (func (export "mac") (param $iters i32) (result f32)
    (local $p i32) (local $w v128) (local $s0 v128) (local $s1 v128)
    ${ACC.map((a) => `(local $a${a} v128)`).join(' ')}
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $iters)))
      (local.set $s0 (v128.load32_splat offset=0 (local.get $p)))
      (local.set $s1 (v128.load32_splat offset=4 (local.get $p)))
      ${[0, 1, 2, 3].map((j) => `(local.set $w (v128.load offset=${16 * j} (local.get $p)))
      (local.set $a${j}0 (f32x4.add (local.get $a${j}0) (f32x4.mul (local.get $w) (local.get $s0))))
      (local.set $a${j}1 (f32x4.add (local.get $a${j}1) (f32x4.mul (local.get $w) (local.get $s1))))`).join('\n      ')}
      (local.set $p (i32.and (i32.add (local.get $p) (i32.const 64)) (i32.const 4095)))
      (local.set $iters (i32.sub (local.get $iters) (i32.const 1)))
      (br $l)))
    (f32x4.extract_lane 0 (f32x4.add
      (f32x4.add (f32x4.add (local.get $a00) (local.get $a01)) (f32x4.add (local.get $a10) (local.get $a11)))
      (f32x4.add (f32x4.add (local.get $a20) (local.get $a21)) (f32x4.add (local.get $a30) (local.get $a31)))))))`;

const ITERS = 250_000;

/** Measures the one-thread SIMD128 multiply-add rate (a few hundred ms). */
export async function measureMacPeak(minTimeMs = 200): Promise<MacPeak> {
  const module = await assembleWat('harness/measure/compute-peak.ts (PEAK_WAT)', PEAK_WAT, { simd: true });
  const exports = new WebAssembly.Instance(module).exports;
  new Float32Array((exports.m as WebAssembly.Memory).buffer, 0, 1024).fill(1e-3);
  const mac = exports.mac as (iters: number) => number;
  let sink = 0;
  const stats = await measure(() => { sink += mac(ITERS); }, { minTimeMs, minSamples: 10, warmupMs: Math.min(50, minTimeMs / 4) });
  if (!Number.isFinite(sink)) throw new Error('compute peak: the accumulators overflowed');
  const macsPerCall = ITERS * ACC.length * 4;
  return {
    method: 'wasm f32x4.mul + f32x4.add, the FC register tile on L1-resident operands, 1 thread',
    gmacPerS: macsPerCall / (stats.medianMs * 1e6), macsPerCall, stats,
  };
}
