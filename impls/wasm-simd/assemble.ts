/**
 * Turns se.wat into a compiled WebAssembly.Module at run time with wabt (the
 * WebAssembly Binary Toolkit compiled to JS), so no binary is committed and no
 * build step exists. The module is compiled once per memory kind and cached.
 */
import { readFileSync } from 'node:fs';
import { AssembleError, assembleWat } from '../../harness/api.ts';

export { AssembleError, simdSupported } from '../../harness/api.ts';

/** The kernel exports of se.wat; pointers are byte offsets, counts are float32 elements. */
export interface SeKernels {
  pool_avg(x: number, s: number, planes: number, hw: number): void;
  pool_max(x: number, s: number, planes: number, hw: number): void;
  gemm(input: number, inStride: number, rows: number, w: number, k: number, m: number, bias: number, out: number, p0: number, p1: number): void;
  activate(ptr: number, count: number, kind: number): void;
  compact(dst: number, src: number, rows: number, cols: number, srcStride: number): void;
  scale(x: number, y: number, g: number, planes: number, hw: number): void;
  scale_pool(x: number, y: number, g: number, xn: number, s: number, planes: number, hw: number): void;
  transpose(src: number, srcStride: number, dst: number, dstStride: number, rows: number, cols: number): void;
  mul(a: number, b: number, out: number, count: number): void;
  copy(dst: number, src: number, bytes: number): void;
}

/** Codes of `activate`'s kind argument (any other code traps in the kernel). */
export const ACTIVATION = { relu: 0, tanh: 1, sigmoid: 2, silu: 3, hardsigmoid: 4 } as const;

/** The hidden activations and gates se.wat implements. */
export const HIDDEN_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'silu'] as const;
export const GATES = ['sigmoid', 'hardsigmoid'] as const;

/**
 * The `activate` code for the spec's hidden activation or gate; throws, naming
 * the value and what is supported, for anything else (never a fallback).
 */
export function activationCode(name: string, role: 'hiddenActivation' | 'gate', value: unknown): number {
  const allowed: readonly string[] = role === 'gate' ? GATES : HIDDEN_ACTIVATIONS;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new Error(`${name}: unsupported ${role} ${JSON.stringify(value)}; this kernel implements ${role} ${allowed.join(' | ')}`);
  }
  return ACTIVATION[value as keyof typeof ACTIVATION];
}

/** Largest wasm32 memory in 64 KiB pages (4 GiB). */
export const MAX_PAGES = 65536;

/** The wat source; `shared` swaps the memory import for a shared one (threads). */
export function kernelSource(shared: boolean): string {
  const wat = readFileSync(new URL('./se.wat', import.meta.url), 'utf8');
  if (!shared) return wat;
  const line = /\(import "env" "memory" \(memory 1\)\) ;;MEMORY/;
  if (!line.test(wat)) throw new AssembleError('se.wat: the memory import line marked ;;MEMORY is missing', 'restore impls/wasm-simd/se.wat');
  return wat.replace(line, `(import "env" "memory" (memory 1 ${MAX_PAGES} shared))`);
}

const cache = new Map<boolean, Promise<WebAssembly.Module>>();

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
