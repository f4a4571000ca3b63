/**
 * How tensors travel between Node and the page: one binary message holding
 * several named float32 tensors, sent over HTTP (weights and inputs: the page
 * fetches them; outputs: the page POSTs them back). Binary rather than base64
 * through page.evaluate, because a whole network is 100 MB of weights.
 *
 * Layout: u32 little-endian header length L (a multiple of 4), L bytes of
 * UTF-8 JSON `{ tensors: [{ name, shape, offset, length }] }` padded with
 * spaces, then the float32 data (native order; every platform Chromium and
 * Node run on is little-endian). `offset` and `length` count floats from the
 * start of the data, so each tensor is 4-byte aligned.
 *
 * Plain TypeScript with no Node imports: the page bundle uses it too.
 */
import type { Tensor } from '../../data/tensor.ts';

interface WireEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Bytes of `a`, without copying. */
function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Packs named tensors into chunks to send one after another (the data chunks
 * view the tensors' own memory: nothing is copied).
 */
export function packTensors(tensors: Record<string, Tensor>): Uint8Array[] {
  const entries: WireEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    entries.push({ name, shape: [...t.shape], offset, length: t.data.length });
    offset += t.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify({ tensors: entries }));
  const headerBytes = Math.ceil(json.length / 4) * 4;
  const header = new Uint8Array(4 + headerBytes).fill(0x20);
  new DataView(header.buffer).setUint32(0, headerBytes, true);
  header.set(json, 4);
  return [header, ...Object.values(tensors).map((t) => bytesOf(t.data))];
}

/** Joins chunks into one buffer (the page's POST body). */
export function joinChunks(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads a packed message. The tensors view `bytes` when it is 4-byte aligned,
 * else one aligned copy of the data is made. Throws on a malformed message.
 */
export function unpackTensors(bytes: Uint8Array, what = 'tensor message'): Record<string, Tensor> {
  if (bytes.byteLength < 4) throw new Error(`${what}: ${bytes.byteLength} bytes, too short for a header`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (headerBytes % 4 !== 0 || 4 + headerBytes > bytes.byteLength) throw new Error(`${what}: bad header length ${headerBytes}`);
  const { tensors } = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerBytes))) as { tensors: WireEntry[] };
  const dataStart = bytes.byteOffset + 4 + headerBytes;
  const dataBytes = bytes.byteLength - 4 - headerBytes;
  if (dataBytes % 4 !== 0) throw new Error(`${what}: ${dataBytes} data bytes, not a whole number of float32 values`);
  const floats = dataStart % 4 === 0
    ? new Float32Array(bytes.buffer, dataStart, dataBytes / 4)
    : new Float32Array(bytes.slice(4 + headerBytes).buffer);
  const out: Record<string, Tensor> = {};
  for (const e of tensors) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (n !== e.length || e.offset + e.length > floats.length) {
      throw new Error(`${what}: tensor ${e.name} [${e.shape.join(', ')}] does not fit the message (${floats.length} floats)`);
    }
    out[e.name] = { shape: e.shape, data: floats.subarray(e.offset, e.offset + e.length) };
  }
  return out;
}
