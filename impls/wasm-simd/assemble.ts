/**
 * Turns se.wat into a compiled WebAssembly.Module at run time with wabt (the
 * WebAssembly Binary Toolkit compiled to JS), so no binary is committed and no
 * build step exists. The module is compiled once per memory kind and cached.
 */
import { readFileSync } from 'node:fs';

/** The kernel exports of se.wat; pointers are byte offsets, counts are float32 elements. */
export interface SeKernels {
  pool_avg(x: number, s: number, planes: number, hw: number): void;
  pool_max(x: number, s: number, planes: number, hw: number): void;
  gemm(input: number, inStride: number, rows: number, w: number, k: number, m: number, bias: number, out: number, p0: number, p1: number): void;
  activate(ptr: number, count: number, kind: number): void;
  compact(dst: number, src: number, rows: number, cols: number, srcStride: number): void;
  scale(x: number, y: number, g: number, planes: number, hw: number): void;
  transpose(src: number, srcStride: number, dst: number, dstStride: number, rows: number, cols: number): void;
  mul(a: number, b: number, out: number, count: number): void;
  copy(dst: number, src: number, bytes: number): void;
}

/** Codes of `activate`'s kind argument. */
export const ACTIVATION = { relu: 0, tanh: 1, sigmoid: 2 } as const;

/** Largest wasm32 memory in 64 KiB pages (4 GiB). */
export const MAX_PAGES = 65536;

/** The smallest module that uses a v128 value: `(func (result v128) v128.const 0)`. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // code: v128.const 0; end
]);

/** True when this engine validates WebAssembly SIMD128. */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Error for a missing assembler or a WAT file that does not assemble, with the fix. */
export class AssembleError extends Error {
  constructor(message: string, readonly installHint: string) {
    super(message);
    this.name = 'AssembleError';
  }
}

/** The wat source; `shared` swaps the memory import for a shared one (threads). */
export function kernelSource(shared: boolean): string {
  const wat = readFileSync(new URL('./se.wat', import.meta.url), 'utf8');
  if (!shared) return wat;
  const line = /\(import "env" "memory" \(memory 1\)\) ;;MEMORY/;
  if (!line.test(wat)) throw new AssembleError('se.wat: the memory import line marked ;;MEMORY is missing', 'restore impls/wasm-simd/se.wat');
  return wat.replace(line, `(import "env" "memory" (memory 1 ${MAX_PAGES} shared))`);
}

/** wabt's module object; validate takes the feature set although its typings omit it. */
interface WabtText {
  validate(features: object): void;
  toBinary(options: object): { buffer: Uint8Array<ArrayBuffer> };
  destroy(): void;
}
interface Wabt {
  parseWat(filename: string, text: string, features: object): WabtText;
}

const cache = new Map<boolean, Promise<WebAssembly.Module>>();

/**
 * Assembles WAT text with wabt and compiles it. `features`: wabt's feature
 * flags (simd, bulk_memory, threads...). Throws AssembleError with the reason
 * and the fix; `source` names the text in messages.
 */
export async function assembleWat(source: string, wat: string, features: Record<string, boolean>): Promise<WebAssembly.Module> {
  if (!simdSupported()) {
    throw new AssembleError(`this JavaScript engine (Node ${process.version}) does not validate WebAssembly SIMD128`, 'use Node >= 16.4 (SIMD is on by default since V8 9.1)');
  }
  let init: () => Promise<Wabt>;
  try {
    init = (await import('wabt')).default as unknown as () => Promise<Wabt>;
  } catch (e) {
    throw new AssembleError(`the WAT assembler package "wabt" cannot be loaded: ${(e as Error).message}`, 'npm install wabt');
  }
  const wabt = await init();
  let text: WabtText | undefined;
  try {
    text = wabt.parseWat(source, wat, features);
    text.validate(features);
    return await WebAssembly.compile(text.toBinary({}).buffer);
  } catch (e) {
    throw new AssembleError(`${source} does not assemble: ${(e as Error).message}`, `fix ${source} (wabt reports the line and column above)`);
  } finally {
    text?.destroy();
  }
}

/** The kernels: SIMD for the kernels, bulk memory for memory.copy, threads for a shared memory. */
const assemble = (shared: boolean): Promise<WebAssembly.Module> =>
  assembleWat('impls/wasm-simd/se.wat', kernelSource(shared), { simd: true, bulk_memory: true, threads: shared });

/**
 * The compiled kernel module (cached; a failed attempt is not cached, so a
 * later call retries). Throws AssembleError with the reason and the fix.
 */
export function kernelModule(shared = false): Promise<WebAssembly.Module> {
  let p = cache.get(shared);
  if (!p) {
    p = assemble(shared);
    cache.set(shared, p);
    p.catch(() => cache.delete(shared));
  }
  return p;
}

/** Instantiates the kernels on `memory` (synchronous: the module is already compiled). */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): SeKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as SeKernels;
}
