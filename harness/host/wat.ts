/**
 * WAT text -> compiled WebAssembly.Module at run time with wabt (the
 * WebAssembly Binary Toolkit compiled to JS), so no binary is committed and no
 * build step exists. Used by the wasm-simd kernels (through the public API)
 * and by the compute-peak probe.
 */

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

