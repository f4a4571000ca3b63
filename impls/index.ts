/** The default registry: every implementation the harness knows, by name. */
import { ReferenceImplementation } from './reference/index.ts';
import { Registry } from './registry.ts';

/** Builds the registry of all known implementations (available or not). */
export function defaultRegistry(): Registry {
  const registry = new Registry();
  registry.register(new ReferenceImplementation());
  return registry;
}
