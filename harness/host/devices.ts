/**
 * Devices: which implementations `--device=` selects.
 *   cpu     implementations that compute on the CPU (reference, tfjs cpu/wasm/node)
 *   webgpu  WebGPU in Node (Dawn) on any adapter, SwiftShader included
 *   gpu     the webgpu implementations restricted to a hardware adapter, plus
 *           implementations that are GPU-only by nature (tfjs-node-gpu)
 *   browser the reference and tfjs (cpu, wasm, webgpu) inside headless Chromium, driven from Node (harness/browser)
 */
import type { DeviceKind, SeImplementation } from '../contract/implementation.ts';
import { Registry } from '../contract/registry.ts';
import { selectByNames, splitList, UsageError } from '../data/select.ts';
import { hardwareAdapter } from './webgpu-node.ts';

/** Every device, in display order. */
export const DEVICES: readonly DeviceKind[] = ['cpu', 'webgpu', 'gpu', 'browser'];

/** Why a device has no implementation yet; shown instead of an empty run. */
export const NOT_YET: Partial<Record<DeviceKind, string>> = {};

/** Parses `--device=cpu,webgpu` (or `all`); undefined when the option was not given. Unknown names are a UsageError listing the valid ones. */
export function parseDevices(value: string | undefined): DeviceKind[] | undefined {
  if (value === undefined) return undefined;
  const names = splitList(value);
  const valid = `${DEVICES.join(', ')}, all`;
  if (names.length === 0) throw new UsageError(`the device list is empty; give one or more of: ${valid}`);
  if (names.includes('all')) return [...DEVICES];
  for (const n of names) {
    if (!(DEVICES as readonly string[]).includes(n)) throw new UsageError(`unknown device "${n}"; valid devices: ${valid}`);
  }
  return DEVICES.filter((d) => names.includes(d));
}

/**
 * A webgpu implementation seen on the `gpu` device: the same code, available
 * only when Dawn's adapter is hardware (a software adapter is named in the
 * reason). Methods are bound to the original, so any optional ones carry over.
 */
export function onHardwareAdapter(impl: SeImplementation): SeImplementation {
  const view: Record<string, unknown> = {};
  for (let o: object | null = impl; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === 'constructor' || key in view) continue;
      const v = (impl as unknown as Record<string, unknown>)[key];
      view[key] = typeof v === 'function' ? v.bind(impl) : v;
    }
  }
  return Object.assign(view, {
    device: 'gpu',
    description: `${impl.description}; hardware adapters only`,
    probe: async () => {
      const a = await impl.probe();
      if (!a.available) return a;
      const hw = await hardwareAdapter();
      return hw.ok ? a : { available: false, reason: hw.reason, installHint: hw.installHint };
    },
  }) as unknown as SeImplementation;
}

/** The implementations of `full` that run on `device` (webgpu ones wrapped by onHardwareAdapter for `gpu`). */
export function implementationsOn(full: Registry, device: DeviceKind): SeImplementation[] {
  return full.list().flatMap((impl) => {
    if (impl.device === device) return [impl];
    if (device === 'gpu' && impl.device === 'webgpu') return [onHardwareAdapter(impl)];
    return [];
  });
}

/** What a command runs: a registry holding the selected implementations, their names, and notes for stderr. */
export interface Selection {
  registry: Registry;
  names: string[];
  /** E.g. "device browser: no implementation yet". */
  notes: string[];
}

/**
 * Selects implementations by device and name. Without --device every
 * registered implementation is eligible. A name on another device, or a
 * device with nothing to run, is a UsageError that says so.
 */
export function selectImplementations(full: Registry, devices: DeviceKind[] | undefined, names: string[] | undefined): Selection {
  if (!devices) return { registry: full, names: selectByNames(full.names(), names, 'implementation'), notes: [] };
  const registry = new Registry();
  const notes: string[] = [];
  for (const device of devices) {
    const here = implementationsOn(full, device).filter((i) => !registry.names().includes(i.name));
    // webgpu and gpu together: the webgpu entry (any adapter) already holds what gpu would restrict.
    for (const impl of here) registry.register(impl);
    if (implementationsOn(full, device).length === 0) notes.push(NOT_YET[device] ?? `no implementation for device ${device}`);
  }
  if (registry.names().length === 0) {
    const withImpls = DEVICES.filter((d) => implementationsOn(full, d).length > 0);
    throw new UsageError(`${notes.join('; ')}; devices with implementations: ${withImpls.join(', ')}`);
  }
  for (const n of names ?? []) {
    if (!registry.names().includes(n) && full.names().includes(n)) {
      throw new UsageError(`implementation "${n}" runs on device ${full.get(n).device}, not on --device=${devices.join(',')}; `
        + `implementations there: ${registry.names().join(', ')}`);
    }
  }
  return { registry, names: selectByNames(registry.names(), names, 'implementation'), notes };
}
