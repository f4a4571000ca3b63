/**
 * Tensor comparison (design.md section 6): shape first, then the element rule
 * |y - ref| <= atol + rtol * |ref| (as in ONNX backend tests), relative L2
 * error, max ULP distance, mismatch count and the first failing element with
 * its neighbours. NaN never equals a number; infinities must match exactly.
 * Returns a rich result and never throws: the runner decides what to do.
 */
import { sameShape, type Tensor } from '../data/tensor.ts';

/** Absolute and relative tolerance with the reason for the numbers. */
export interface Tolerance {
  atol: number;
  rtol: number;
  reason: string;
}

/** One element in a failure report; non-finite values are kept as strings so JSON shows "NaN". */
export interface ElementReport {
  index: number[];
  actual: number | string;
  expected: number | string;
}

export interface CompareResult {
  ok: boolean;
  shapeOk: boolean;
  expectedShape: number[];
  actualShape: number[];
  elements: number;
  /** Elements failing the rule (NaN and infinity mismatches included). */
  mismatches: number;
  /** Actual NaN where the reference is not NaN. */
  unexpectedNaN: number;
  /** Infinity in either tensor without an identical one in the other. */
  infMismatches: number;
  /** Over elements where both are finite. */
  maxAbsErr: number;
  relL2: number;
  maxUlp: number;
  /** max |y - ref| / (atol + rtol |ref|): below 1 passes; how close to the edge we are. */
  worstRatio: number;
  firstFail?: ElementReport & { neighbours: ElementReport[] };
  lastFailIndex?: number[];
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Maps a float32 onto a line where adjacent floats differ by 1 (monotonic in value). */
function orderedBits(v: number): number {
  f32[0] = v;
  const b = i32[0]!;
  return b >= 0 ? b : -(b & 0x7fffffff);
}

/** Units-in-the-last-place distance between two float32 values. */
export function ulpDistance(a: number, b: number): number {
  return Math.abs(orderedBits(a) - orderedBits(b));
}

/** Multi-index of flat offset `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx[d] = n === 0 ? 0 : i % n;
    i = n === 0 ? 0 : Math.floor(i / n);
  }
  return idx;
}

/** A value for a report: numbers as numbers, NaN and infinities as strings. */
export function reportValue(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function elementReport(i: number, actual: Tensor, expected: Tensor): ElementReport {
  return { index: unravel(i, expected.shape), actual: reportValue(actual.data[i]!), expected: reportValue(expected.data[i]!) };
}

/** Compares `actual` against the reference `expected` under `tol`. */
export function compareTensors(actual: Tensor, expected: Tensor, tol: Pick<Tolerance, 'atol' | 'rtol'>, neighbourRadius = 2): CompareResult {
  const base = { expectedShape: [...expected.shape], actualShape: [...actual.shape], elements: expected.data.length };
  if (!sameShape(actual.shape, expected.shape)) {
    return { ...base, ok: false, shapeOk: false, mismatches: base.elements, unexpectedNaN: 0, infMismatches: 0,
      maxAbsErr: NaN, relL2: NaN, maxUlp: NaN, worstRatio: Infinity };
  }
  const a = actual.data;
  const e = expected.data;
  let mismatches = 0;
  let unexpectedNaN = 0;
  let infMismatches = 0;
  let maxAbsErr = 0;
  let maxUlp = 0;
  let worstRatio = 0;
  let errSq = 0;
  let refSq = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < e.length; i++) {
    const y = a[i]!;
    const r = e[i]!;
    let bad: boolean;
    if (Number.isNaN(r) || Number.isNaN(y)) {
      bad = !(Number.isNaN(r) && Number.isNaN(y));
      if (bad && Number.isNaN(y)) unexpectedNaN++;
      if (bad) worstRatio = Infinity;
    } else if (!Number.isFinite(r) || !Number.isFinite(y)) {
      bad = y !== r;
      if (bad) {
        infMismatches++;
        worstRatio = Infinity;
      }
    } else {
      const diff = Math.abs(y - r);
      const allowed = tol.atol + tol.rtol * Math.abs(r);
      bad = diff > allowed;
      const ratio = allowed > 0 ? diff / allowed : diff > 0 ? Infinity : 0;
      if (ratio > worstRatio) worstRatio = ratio;
      if (diff > maxAbsErr) maxAbsErr = diff;
      const u = ulpDistance(y, r);
      if (u > maxUlp) maxUlp = u;
      errSq += diff * diff;
      refSq += r * r;
    }
    if (bad) {
      mismatches++;
      if (first < 0) first = i;
      last = i;
    }
  }
  const result: CompareResult = {
    ...base, ok: mismatches === 0, shapeOk: true, mismatches, unexpectedNaN, infMismatches, maxAbsErr,
    relL2: refSq > 0 ? Math.sqrt(errSq / refSq) : Math.sqrt(errSq), maxUlp, worstRatio,
  };
  if (first >= 0) {
    const neighbours: ElementReport[] = [];
    for (let j = Math.max(0, first - neighbourRadius); j <= Math.min(e.length - 1, first + neighbourRadius); j++) {
      if (j !== first) neighbours.push(elementReport(j, actual, expected));
    }
    result.firstFail = { ...elementReport(first, actual, expected), neighbours };
    result.lastFailIndex = unravel(last, expected.shape);
  }
  return result;
}

/**
 * The axes an index of a rank-`n` tensor names, for failure text. Golden
 * tensors are PyTorch's NCHW (and [N, C] for gates and logits), and the gate
 * converts every output to that layout before comparing (check/conformance.ts
 * fromLayout), so an NHWC kernel's failing element is still named in NCHW.
 */
function axesOf(n: number): string {
  return n === 4 ? 'NCHW ' : n === 2 ? 'NC ' : '';
}

/** One line describing a comparison, e.g. for a table cell or a failure log; failing indices are labelled with their layout (NCHW). */
export function describeComparison(r: CompareResult): string {
  if (!r.shapeOk) return `shape [${r.actualShape.join(', ')}], expected [${r.expectedShape.join(', ')}]`;
  const stats = `max abs ${r.maxAbsErr.toExponential(2)}, rel L2 ${r.relL2.toExponential(2)}, max ULP ${r.maxUlp}, ${(r.worstRatio * 100).toFixed(1)}% of tolerance`;
  if (r.ok) return stats;
  const f = r.firstFail!;
  const parts = [`${r.mismatches}/${r.elements} elements out of tolerance`];
  if (r.unexpectedNaN) parts.push(`${r.unexpectedNaN} NaN where a number was expected`);
  if (r.infMismatches) parts.push(`${r.infMismatches} infinity mismatches`);
  const axes = axesOf(r.expectedShape.length);
  parts.push(`first at ${axes}[${f.index.join(', ')}]: got ${f.actual}, expected ${f.expected}`);
  parts.push(`neighbours ${f.neighbours.map((n) => `[${n.index.join(',')}] ${n.actual} vs ${n.expected}`).join('; ')}`);
  parts.push(`last at ${axes}[${r.lastFailIndex!.join(', ')}]`);
  return `${parts.join('; ')}; ${stats}`;
}
