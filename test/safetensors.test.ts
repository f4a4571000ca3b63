import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN_DIR } from '../harness/data/golden.ts';
import { getF32, parseSafetensors, serializeSafetensors, type SafetensorsFile } from '../harness/data/safetensors.ts';
import { tensor } from '../harness/data/tensor.ts';

/** Builds a file from a header object and a data section, for malformed-input tests. */
function raw(header: unknown, data = new Uint8Array(0), headerLen?: number): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('round trip keeps names, shapes, values and metadata', () => {
  const a = tensor([2, 3], Float32Array.from([1, -2, 3.5, NaN, Infinity, -0]));
  const b = tensor([0, 4]);
  const bytes = serializeSafetensors({ b, a }, { note: 'x' });
  const file = parseSafetensors(bytes);
  assert.deepEqual(getF32(file, 'a'), a);
  assert.deepEqual(getF32(file, 'b').shape, [0, 4]);
  assert.deepEqual(file.metadata, { note: 'x' });
  assert.equal((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8, 0, 'data starts 8-byte aligned');
});

test('the TypeScript writer reproduces golden.py files byte for byte', () => {
  const name = 'seed-se_block-64-r16.safetensors';
  const original = readFileSync(join(GOLDEN_DIR, name));
  const file = parseSafetensors(original, name);
  const tensors = Object.fromEntries([...file.entries.keys()].map((k) => [k, getF32(file, k)]));
  assert.ok(Buffer.from(serializeSafetensors(tensors)).equals(original));
});

test('malformed files are rejected with what is wrong', () => {
  const f32x2 = new Uint8Array(8);
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  assert.throws(() => parseSafetensors(new Uint8Array(4), 'f'), /f: file is 4 bytes, shorter than the 8-byte header length/);
  assert.throws(() => parseSafetensors(raw(ok, f32x2, 1000)), /header length 1000 runs past the end/);
  assert.throws(() => parseSafetensors(raw('{"t": [', f32x2)), /header is not valid UTF-8 JSON/);
  assert.throws(() => parseSafetensors(raw('[1,2]')), /header must be a JSON object/);
  assert.throws(() => parseSafetensors(raw({ t: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } }, f32x2)), /unknown dtype "F33"/);
  assert.throws(() => parseSafetensors(raw({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 16] } }, f32x2)), /data_offsets \[0, 16\] are out of range \(data section is 8 bytes\)/);
  assert.throws(() => parseSafetensors(raw({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32x2)), /F32 shape \[3\] needs 12 bytes, data_offsets span 8/);
  assert.throws(() => parseSafetensors(raw({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 8] } }, f32x2)), /shape must be an array of non-negative integers/);
  assert.throws(() => parseSafetensors(raw({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32x2)), /gap in the data section before tensor "t"/);
  assert.throws(() => parseSafetensors(raw({
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
  }, f32x2)), /tensor "b" overlaps the tensor before it/);
  assert.throws(() => parseSafetensors(raw(ok, new Uint8Array(12))), /data section is 12 bytes but the tensors cover 8/);
  assert.throws(() => parseSafetensors(raw({ __metadata__: { a: 1 } })), /__metadata__ must be an object of string values/);
});

test('dtype mismatch and missing names are clear errors', () => {
  const file: SafetensorsFile = parseSafetensors(raw({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), 'w.safetensors');
  assert.throws(() => getF32(file, 'h', 'w.safetensors'), /w.safetensors: tensor "h" has dtype F16, expected F32/);
  assert.throws(() => getF32(file, 'x', 'w.safetensors'), /no tensor named "x" \(has: h\)/);
});
