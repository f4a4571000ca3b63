/** Registry of SE implementations keyed by name; duplicate names throw. */
import type { SeImplementation } from './implementation.ts';

export class Registry {
  readonly #byName = new Map<string, SeImplementation>();

  /** Adds an implementation; a second one with the same name is an error. */
  register(impl: SeImplementation): void {
    if (this.#byName.has(impl.name)) {
      throw new Error(`implementation "${impl.name}" is already registered; names must be unique`);
    }
    this.#byName.set(impl.name, impl);
  }

  /** All registered implementations, in registration order. */
  list(): SeImplementation[] {
    return [...this.#byName.values()];
  }

  /** Names in registration order. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The named implementation; an unknown name lists the valid ones. */
  get(name: string): SeImplementation {
    const impl = this.#byName.get(name);
    if (!impl) throw new Error(`unknown implementation "${name}"; valid names: ${this.names().join(', ')}`);
    return impl;
  }
}
