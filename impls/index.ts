/** The default registry: every implementation the harness knows, by name. */
import { browserImplementations } from './browser/index.ts';
import { ReferenceImplementation } from './reference/index.ts';
import { Registry } from './registry.ts';
import { tfjsImplementations } from './tfjs/index.ts';
import { WasmSimdImplementation } from './wasm-simd/index.ts';
import { WgslImplementation } from './wgsl/index.ts';

/** Builds the registry of all known implementations (available or not); backends start lazily, in probe. */
export function defaultRegistry(): Registry {
  const registry = new Registry();
  registry.register(new ReferenceImplementation());
  for (const impl of tfjsImplementations()) registry.register(impl);
  registry.register(new WgslImplementation()); // wgsl-fused: hand-written WGSL on Dawn
  registry.register(new WasmSimdImplementation()); // wasm-simd: one thread
  registry.register(new WasmSimdImplementation({ threads: 'auto' })); // wasm-simd-mt: one worker per core, shared memory
  for (const impl of browserImplementations()) registry.register(impl);
  return registry;
}
