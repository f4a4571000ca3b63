/**
 * The shared counter-based PRNG ("sebench-mix32", version 1).
 *
 * Every value is a pure function of (seed, stream name, index), so TypeScript
 * and `scripts/golden.py` produce bit-identical float32 tensors without sharing
 * state. Only 32-bit integer operations are used (Math.imul, shifts, xor), which
 * keeps the hot loop fast and free of BigInt; the float conversion takes the top
 * 24 bits, which float32 and float64 both represent exactly.
 *
 *   mix32(x)      = lowbias32 (C. Wellons): x^=x>>>16; x*=0x21f0aaad; x^=x>>>15; x*=0x735a2d97; x^=x>>>15
 *   s             = FNV-1a 32 of the UTF-8 stream name
 *   k0            = mix32(seed ^ s);  k1 = mix32(k0 + 0x9e3779b9)
 *   bits(i)       = mix32(mix32(i + k0) ^ k1)              (all arithmetic mod 2^32)
 *   unit(i)       = (bits(i) >>> 8) / 2^24                 in [0, 1)
 *   uniform(i)    = float32(lo + (hi - lo) * unit(i))      (float64 arithmetic, one rounding)
 */

/** Version tag written into golden manifests; bump when any formula above changes. */
export const PRNG_ID = 'sebench-mix32-v1';

const TWO_POW_M24 = 1 / 16777216;

/** lowbias32 finaliser: a bijective 32-bit mix. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** FNV-1a 32-bit hash of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The two stream keys for (seed, name). */
export function streamKeys(seed: number, name: string): [number, number] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`PRNG seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const k0 = mix32((seed ^ fnv1a32(name)) >>> 0);
  const k1 = mix32((k0 + 0x9e3779b9) >>> 0);
  return [k0, k1];
}

/** Raw 32-bit output at `index` of stream (seed, name). */
export function bitsAt(seed: number, name: string, index: number): number {
  const [k0, k1] = streamKeys(seed, name);
  return mix32((mix32((index + k0) >>> 0) ^ k1) >>> 0);
}

/** How a PRNG-generated tensor is drawn; recorded verbatim in the golden manifest. */
export interface PrngDraw {
  seed: number;
  stream: string;
  lo: number;
  hi: number;
}

/**
 * Fills `out` with uniform float32 values in [lo, hi) from stream (seed, name),
 * starting at counter `offset` (so a tensor can be produced in chunks).
 */
export function fillUniform(out: Float32Array, draw: PrngDraw, offset = 0): Float32Array {
  const { lo, hi } = draw;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo)) {
    throw new RangeError(`uniform bounds must be finite with hi >= lo, got [${lo}, ${hi})`);
  }
  if (offset + out.length > 0x100000000) {
    throw new RangeError('PRNG counter would exceed 2^32 elements for one stream');
  }
  const [k0, k1] = streamKeys(draw.seed, draw.stream);
  const span = hi - lo;
  for (let i = 0; i < out.length; i++) {
    // Inlined mix32 twice: this loop is the hot path for generating inputs.
    let x = (i + offset + k0) | 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x21f0aaad);
    x ^= x >>> 15;
    x = Math.imul(x, 0x735a2d97);
    x ^= x >>> 15;
    x ^= k1;
    x ^= x >>> 16;
    x = Math.imul(x, 0x21f0aaad);
    x ^= x >>> 15;
    x = Math.imul(x, 0x735a2d97);
    x ^= x >>> 15;
    out[i] = lo + span * ((x >>> 8) * TWO_POW_M24);
  }
  return out;
}

/** A new Float32Array of `length` uniform values from `draw`. */
export function uniform(length: number, draw: PrngDraw): Float32Array {
  return fillUniform(new Float32Array(length), draw);
}
