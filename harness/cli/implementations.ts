/**
 * The implementations a command works with: the built-ins, plus plug-ins from
 * --impl-module (Node) and --page-module (Chromium page), each behind the
 * guard (contract/guard.ts). Options and environment variables are shared by
 * conformance, bench, list, devices and infer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CALL_TIMEOUT_MS, guard } from '../contract/guard.ts';
import type { DeviceKind, SeImplementation } from '../contract/implementation.ts';
import { checkModuleFile, implementationProblem, loadImplementationModule, modulePaths, PluginError, type PluginOrigin } from '../contract/plugins.ts';
import { Registry } from '../contract/registry.ts';
import { positiveInt, UsageError } from '../data/select.ts';
import { setPageModules } from '../host/browser/bundle.ts';
import { BrowserUnavailable } from '../host/browser/driver.ts';
import { discoverPageImplementations, type BrowserImplementation } from '../host/browser/implementation.ts';
import { implementationsOn } from '../host/devices.ts';
import { onnxFileImplementations } from '../host/onnx-file/index.ts';
import { BUILTIN_PAGE_MODULES, builtinImplementations, ortFileRuntimes } from './builtins.ts';

/** parseArgs options for plug-ins and the guard. */
export const IMPLEMENTATION_OPTIONS = {
  'impl-module': { type: 'string' },
  'page-module': { type: 'string' },
  'call-timeout': { type: 'string' },
  'impl-onnx': { type: 'string' },
  'onnx-map': { type: 'string' },
} as const;

/** Usage text for IMPLEMENTATION_OPTIONS. */
export const IMPLEMENTATION_USAGE = '[--impl-module=PATH,...] [--page-module=PATH,...] [--call-timeout=MS] [--impl-onnx=FILE.onnx [--onnx-map=JSON|@FILE.json]]';

export interface ImplementationValues {
  'impl-module'?: string;
  'page-module'?: string;
  'call-timeout'?: string;
  'impl-onnx'?: string;
  'onnx-map'?: string;
}

/** The per-call limit: --call-timeout, else SE_BENCH_CALL_TIMEOUT_MS, else the default; a bad value is a UsageError. */
export function callTimeoutMs(values: ImplementationValues): number {
  if (values['call-timeout'] !== undefined) return positiveInt('call-timeout', values['call-timeout']);
  const env = process.env.SE_BENCH_CALL_TIMEOUT_MS;
  if (env === undefined || env === '') return DEFAULT_CALL_TIMEOUT_MS;
  if (!/^\d+$/.test(env.trim()) || Number(env) < 1) throw new UsageError(`SE_BENCH_CALL_TIMEOUT_MS must be a positive integer (ms), got "${env}"; unset it for the default ${DEFAULT_CALL_TIMEOUT_MS}`);
  return Number(env);
}

function clash(name: string, modulePath: string, owner: string | undefined): PluginError {
  const other = owner ? `the implementation of that name from ${owner}` : `the built-in implementation "${name}"`;
  return new PluginError(modulePath, `implementation "${name}" clashes with ${other}; names must be unique, rename yours`);
}

/** The page modules' own implementations, discovered in Chromium (which starts here). */
async function pageImplementations(paths: string[]): Promise<BrowserImplementation[]> {
  let found;
  try {
    found = await discoverPageImplementations();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const fix = e instanceof BrowserUnavailable ? `; fix: ${e.installHint}` : '';
    throw new PluginError(paths.join(','), `cannot be loaded: the browser page did not start (${why})${fix}`);
  }
  const error = found.errors.find((x) => paths.includes(x.module));
  if (error) throw new PluginError(error.module, `failed in Chromium: ${error.error}`);
  const builtin = found.errors.find((x) => BUILTIN_PAGE_MODULES.includes(x.module));
  if (builtin) throw new Error(`built-in page module ${builtin.module} failed in Chromium: ${builtin.error}`);
  const mine = found.implementations.filter((i) => i.module !== undefined && paths.includes(i.module));
  for (const impl of mine) {
    const problem = implementationProblem(impl);
    if (problem) throw new PluginError(impl.module!, `default export ${problem}`);
  }
  return mine;
}

/** Every implementation a command can use, and which of them are plug-ins. */
export interface LoadedImplementations {
  registry: Registry;
  plugins: PluginOrigin[];
}

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The registry of every implementation this command can use: built-ins,
 * then --impl-module plug-ins, then --page-module ones (`browser-<name>`),
 * all guarded. A module that cannot be used, or a name used twice, is a
 * PluginError (exit 2) naming the module.
 */
export async function loadImplementations(values: ImplementationValues): Promise<LoadedImplementations> {
  const timeout = callTimeoutMs(values);
  const implPaths = modulePaths(values['impl-module'], 'SE_BENCH_IMPL_MODULES');
  const pagePaths = modulePaths(values['page-module'], 'SE_BENCH_PAGE_MODULES').map((p) => resolve(p));
  const builtins = builtinImplementations();
  const owners = new Map<string, string | undefined>(builtins.map((i) => [i.name, undefined]));
  const registry = new Registry();
  const plugins: PluginOrigin[] = [];
  const add = (impl: SeImplementation, from?: { kind: PluginOrigin['kind']; path: string; declaredName?: string }) => {
    if (from !== undefined && owners.has(impl.name)) throw clash(impl.name, from.path, owners.get(impl.name));
    owners.set(impl.name, from?.path);
    registry.register(guard(impl, { callTimeoutMs: timeout }));
    if (from) {
      const path = resolve(from.path);
      plugins.push({ name: impl.name, declaredName: from.declaredName ?? impl.name, kind: from.kind, path, sha256: sha256Of(path) });
    }
  };
  for (const impl of builtins) add(impl);
  for (const path of implPaths) {
    for (const impl of await loadImplementationModule(path)) add(impl, { kind: 'impl-module', path });
  }
  // --impl-onnx: a user's ONNX graph on each ORT back end (docs/own-onnx.md); a bad file or map is exit 2 here.
  const onnx = values['impl-onnx'];
  for (const impl of onnxFileImplementations(onnx, values['onnx-map'], ortFileRuntimes())) add(impl, { kind: 'impl-onnx', path: onnx! });
  for (const path of pagePaths) checkModuleFile(path); // before Chromium starts
  setPageModules([...BUILTIN_PAGE_MODULES, ...pagePaths]);
  if (pagePaths.length) {
    for (const impl of await pageImplementations(pagePaths)) add(impl, { kind: 'page-module', path: impl.module!, declaredName: impl.page });
  }
  return { registry, plugins };
}

/**
 * Built-ins that a plug-in's bench rows are set beside, per device: the
 * fastest SE blocks in the committed baseline (reports/baselines/
 * vm-2core-epyc-2026-12-07.json: wasm-simd on one thread, wasm-simd-mt on
 * every core, each faster than every other built-in on every shape);
 * wgsl-fused, the only WebGPU kernel of our own; the browser has no timed
 * baseline, so its fastest engine on each side, WASM and WebGPU.
 */
export const COMPARISON_BUILTINS: Record<DeviceKind, string[]> = {
  cpu: ['wasm-simd', 'wasm-simd-mt'], webgpu: ['wgsl-fused'], gpu: ['wgsl-fused'], browser: ['browser-ort-wasm', 'browser-tfjs-webgpu'],
};
/** When a plug-in runs whole networks: the fastest network engine of the baseline (ort-cpu, 4x ort-wasm) and its WebGPU twin. */
export const NETWORK_COMPARISON_BUILTINS: Partial<Record<DeviceKind, string[]>> = { cpu: ['ort-cpu'], webgpu: ['ort-webgpu'], gpu: ['ort-webgpu'] };

/** What a command runs when plug-ins are given: the devices, the names and a note for stderr; undefined without plug-ins or with --impl. */
export interface PluginRun {
  devices: DeviceKind[];
  names: string[];
  note: string;
}

/**
 * With plug-ins and no --impl, a command is about the plug-ins: conformance
 * runs only them; bench (`compare`) adds the built-ins of
 * COMPARISON_BUILTINS on the plug-ins' devices (and, when a plug-in runs
 * networks, NETWORK_COMPARISON_BUILTINS). Without --device the devices are
 * the plug-ins' own. A --device none of them runs on is a UsageError.
 */
export function pluginRun(loaded: LoadedImplementations, devices: DeviceKind[] | undefined, impl: string | undefined, compare: boolean): PluginRun | undefined {
  if (impl !== undefined || loaded.plugins.length === 0) return undefined;
  const { registry } = loaded;
  const deviceOf = (name: string) => registry.get(name).device;
  const all = loaded.plugins.map((p) => p.name);
  const there = devices && new Set(devices.flatMap((d) => implementationsOn(registry, d).map((i) => i.name)));
  const mine = there ? all.filter((n) => there.has(n)) : all;
  if (!mine.length) {
    throw new UsageError(`no plug-in runs on --device=${devices!.join(',')}: ${all.map((n) => `${n} runs on ${deviceOf(n)}`).join(', ')}; `
      + 'leave --device out for the plug-ins\' own devices, or give --impl=NAME,... for built-ins');
  }
  const on = devices ?? [...new Set(mine.map(deviceOf))];
  if (!compare) return { devices: on, names: mine, note: `running the plug-ins only: ${mine.join(', ')} (--impl=NAME,... runs built-ins as well)` };
  const networks = mine.some((n) => registry.get(n).prepareNetwork !== undefined);
  const wanted = on.flatMap((d) => [...COMPARISON_BUILTINS[d], ...(networks ? NETWORK_COMPARISON_BUILTINS[d] ?? [] : [])]);
  const builtins = [...new Set(wanted)].filter((n) => registry.names().includes(n) && !mine.includes(n));
  return {
    devices: on, names: [...mine, ...builtins],
    note: `timing the plug-ins ${mine.join(', ')} beside ${builtins.length ? `the built-ins ${builtins.join(', ')} (the fastest on ${on.join(', ')})` : 'no built-in'}`
      + ' and the PyTorch anchor; --impl=NAME,... picks others',
  };
}
