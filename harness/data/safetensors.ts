/**
 * safetensors reader and writer: an 8-byte little-endian header length N, N
 * bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the little-endian data, offsets relative to the end of the header.
 * Every structural fault is reported with what was wrong and where.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { sizeOf, type Tensor } from './tensor.ts';

/** Bytes per element of each dtype the format defines. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** Largest header we accept (the reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor entry as stored: dtype, shape and its raw little-endian bytes. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** Error for any malformed safetensors content; `source` names the file. */
export class SafetensorsError extends Error {
  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'SafetensorsError';
  }
}

/** Parses safetensors bytes; `source` is used in error messages. */
export function parseSafetensors(buf: Uint8Array, source = 'safetensors'): SafetensorsFile {
  const fail = (detail: string): never => { throw new SafetensorsError(source, detail); };
  if (buf.length < 8) fail(`file is ${buf.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLen > buf.length) fail(`header length ${headerLen} runs past the end of the ${buf.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail('__metadata__ must be an object of string values');
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`tensor "${name}": entry must be an object`);
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      fail(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}": shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) {
      fail(`tensor "${name}": data_offsets must be [begin, end] integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) fail(`tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`tensor "${name}": data_offsets [${begin}, ${end}] are out of range (data section is ${dataLen} bytes)`);
    const want = sizeOf(shape as number[]) * DTYPE_BYTES[dtype as string]!;
    if (end - begin !== want) {
      fail(`tensor "${name}": ${dtype} shape [${(shape as number[]).join(', ')}] needs ${want} bytes, data_offsets span ${end - begin}`);
    }
    spans.push([begin, end, name]);
    entries.set(name, { dtype: dtype as string, shape: shape as number[], bytes: buf.subarray(dataStart + begin, dataStart + end) });
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor) {
      fail(begin < cursor ? `tensor "${name}" overlaps the tensor before it (offset ${begin} < ${cursor})`
        : `gap in the data section before tensor "${name}" (offset ${begin}, expected ${cursor})`);
    }
    cursor = end;
  }
  if (cursor !== dataLen) fail(`data section is ${dataLen} bytes but the tensors cover ${cursor}`);
  return { entries, metadata };
}

/** Reads and parses a safetensors file from disk. */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileSync(path), path);
}

/** The named entry as a float32 tensor; a missing name or non-F32 dtype is an error naming both. */
export function getF32(file: SafetensorsFile, name: string, source = 'safetensors'): Tensor {
  const e = file.entries.get(name);
  if (!e) {
    throw new SafetensorsError(source, `no tensor named "${name}" (has: ${[...file.entries.keys()].join(', ') || 'none'})`);
  }
  if (e.dtype !== 'F32') throw new SafetensorsError(source, `tensor "${name}" has dtype ${e.dtype}, expected F32`);
  // Copy into an aligned buffer: the data section need not be 4-byte aligned in memory.
  const data = new Float32Array(e.bytes.length / 4);
  new Uint8Array(data.buffer).set(e.bytes);
  if (!littleEndianHost) byteSwap32(data);
  return { shape: [...e.shape], data };
}

/** Floating dtypes `getAsF32` converts (F16 and BF16 exactly; F64 rounds to nearest). */
export const CONVERTIBLE_DTYPES = ['F32', 'F16', 'BF16', 'F64'] as const;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * The named entry converted to float32, for user files (state dicts saved in
 * half or double precision); golden data goes through the strict getF32.
 */
export function getAsF32(file: SafetensorsFile, name: string, source = 'safetensors'): Tensor {
  const e = file.entries.get(name);
  if (!e || e.dtype === 'F32') return getF32(file, name, source);
  const view = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  const n = sizeOf(e.shape);
  const data = new Float32Array(n);
  if (e.dtype === 'F16') for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(2 * i, true));
  else if (e.dtype === 'BF16') {
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    for (let i = 0; i < n; i++) {
      bits[0] = view.getUint16(2 * i, true) << 16; // bfloat16 is the top half of a float32
      data[i] = asFloat[0]!;
    }
  }
  else if (e.dtype === 'F64') for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, true);
  else throw new SafetensorsError(source, `tensor "${name}" has dtype ${e.dtype}; expected one of ${CONVERTIBLE_DTYPES.join(', ')}`);
  return { shape: [...e.shape], data };
}

/**
 * Serialises float32 tensors; keys are written in sorted order and the header is
 * padded with spaces to a multiple of 8 bytes, so the output is deterministic
 * and byte-identical to `scripts/golden.py`'s writer.
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = sortKeys(metadata);
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name]!.data;
    const copy = new Float32Array(data);
    if (!littleEndianHost) byteSwap32(copy);
    out.set(new Uint8Array(copy.buffer), at);
    at += copy.byteLength;
  }
  return out;
}

/** Writes float32 tensors to `path` in safetensors format. */
export function writeSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  writeFileSync(path, serializeSafetensors(tensors, metadata));
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function byteSwap32(a: Float32Array): void {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < u.length; i += 4) {
    [u[i], u[i + 1], u[i + 2], u[i + 3]] = [u[i + 3]!, u[i + 2]!, u[i + 1]!, u[i]!];
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
