/**
 * The implementations a command works with: the built-ins, plus plug-ins from
 * --impl-module (Node) and --page-module (Chromium page), each behind the
 * guard (contract/guard.ts). Options and environment variables are shared by
 * conformance, bench, list, devices and infer.
 */
import { resolve } from 'node:path';
import { DEFAULT_CALL_TIMEOUT_MS, guard } from '../contract/guard.ts';
import type { SeImplementation } from '../contract/implementation.ts';
import { checkModuleFile, implementationProblem, loadImplementationModule, modulePaths, PluginError } from '../contract/plugins.ts';
import { Registry } from '../contract/registry.ts';
import { positiveInt, UsageError } from '../data/select.ts';
import { setPageModules } from '../host/browser/bundle.ts';
import { BrowserUnavailable } from '../host/browser/driver.ts';
import { discoverPageImplementations } from '../host/browser/implementation.ts';
import { onnxFileImplementations } from '../host/onnx-file/index.ts';
import { BUILTIN_PAGE_MODULES, builtinImplementations } from './builtins.ts';

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
async function pageImplementations(paths: string[]): Promise<SeImplementation[]> {
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

/**
 * The registry of every implementation this command can use: built-ins,
 * then --impl-module plug-ins, then --page-module ones (`browser-<name>`),
 * all guarded. A module that cannot be used, or a name used twice, is a
 * PluginError (exit 2) naming the module.
 */
export async function loadImplementations(values: ImplementationValues): Promise<Registry> {
  const timeout = callTimeoutMs(values);
  const implPaths = modulePaths(values['impl-module'], 'SE_BENCH_IMPL_MODULES');
  const pagePaths = modulePaths(values['page-module'], 'SE_BENCH_PAGE_MODULES').map((p) => resolve(p));
  const builtins = builtinImplementations();
  const owners = new Map<string, string | undefined>(builtins.map((i) => [i.name, undefined]));
  const registry = new Registry();
  const add = (impl: SeImplementation, modulePath?: string) => {
    if (modulePath !== undefined && owners.has(impl.name)) throw clash(impl.name, modulePath, owners.get(impl.name));
    owners.set(impl.name, modulePath);
    registry.register(guard(impl, { callTimeoutMs: timeout }));
  };
  for (const impl of builtins) add(impl);
  for (const path of implPaths) {
    for (const impl of await loadImplementationModule(path)) add(impl, path);
  }
  // --impl-onnx: a user's ONNX graph on each ORT back end (docs/own-onnx.md); a bad file or map is exit 2 here.
  for (const impl of onnxFileImplementations(values['impl-onnx'], values['onnx-map'])) add(impl, values['impl-onnx']);
  for (const path of pagePaths) checkModuleFile(path); // before Chromium starts
  setPageModules([...BUILTIN_PAGE_MODULES, ...pagePaths]);
  if (pagePaths.length) {
    for (const impl of await pageImplementations(pagePaths)) add(impl, (impl as { module?: string }).module);
  }
  return registry;
}
