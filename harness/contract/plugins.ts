/**
 * Plug-in modules: files outside this repository that default-export SE
 * implementations (one, an array, or a possibly async factory returning
 * either). Each is shape-checked when it loads, so a mistake is one message
 * naming the module and the field, not a failure deep inside a run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { splitList, UsageError } from '../data/select.ts';
import { API_VERSION, DEVICE_KINDS, LAYOUTS, PRECISIONS, type SeImplementation } from './implementation.ts';

/** A plug-in module that cannot be used; the CLI exits 2 with its message. */
export class PluginError extends UsageError {
  constructor(readonly modulePath: string, what: string) {
    super(`implementation module ${modulePath}: ${what}`);
    this.name = 'PluginError';
  }
}

/** File extensions a plug-in module may have. */
export const MODULE_EXTENSIONS = ['.mjs', '.js', '.ts', '.mts'];

/** Implementation names: a letter or digit, then letters, digits, `.`, `_`, `-` (they become CLI filters and file names). */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Module paths from an option (comma-separated) or, when it is absent, from the environment variable. */
export function modulePaths(option: string | undefined, envName: string): string[] {
  return splitList(option ?? process.env[envName] ?? '');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function' || v === undefined) return typeof v;
  return typeof v === 'object' ? `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}` : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * What is wrong with `v` as an SE implementation (the first problem), or
 * undefined. Checks every required field and the type of the optional ones.
 */
export function implementationProblem(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return `is ${describe(v)}, not an implementation object`;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string') return `has no string "name" (got ${describe(o.name)})`;
  const who = `"${o.name}"`;
  if (!NAME_PATTERN.test(o.name)) return `${who}: name must match ${NAME_PATTERN} (letters, digits, . _ -)`;
  if (!(DEVICE_KINDS as readonly unknown[]).includes(o.device)) return `${who}: device ${describe(o.device)} is not one of ${DEVICE_KINDS.join(', ')}`;
  if (!(LAYOUTS as readonly unknown[]).includes(o.layout)) return `${who}: layout ${describe(o.layout)} is not one of ${LAYOUTS.join(', ')}`;
  if (!(PRECISIONS as readonly unknown[]).includes(o.precision)) return `${who}: precision ${describe(o.precision)} is not one of ${PRECISIONS.join(', ')}`;
  if (typeof o.description !== 'string') return `${who}: "description" must be a string (one line for listings)`;
  if (o.apiVersion !== undefined && o.apiVersion !== API_VERSION) {
    return `${who}: written for se-bench API version ${describe(o.apiVersion)}, this se-bench has version ${API_VERSION}; update the implementation to README's contract`;
  }
  for (const m of ['probe', 'prepareSe'] as const) {
    if (typeof o[m] !== 'function') return `${who}: "${m}" must be a method (got ${describe(o[m])})`;
  }
  for (const m of ['supports', 'prepareBottleneck', 'prepareNetwork'] as const) {
    if (o[m] !== undefined && typeof o[m] !== 'function') return `${who}: "${m}" is optional, but when present it must be a method (got ${describe(o[m])})`;
  }
  return undefined;
}

/** The implementations a module's default export stands for, each shape-checked. */
export async function implementationsOf(exported: unknown, modulePath: string): Promise<SeImplementation[]> {
  let value = exported;
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (e) {
      throw new PluginError(modulePath, `its default-exported factory threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PluginError(modulePath, 'exports an empty list of implementations');
  return list.map((v, i) => {
    const problem = implementationProblem(v);
    const where = Array.isArray(value) ? `default export [${i}]` : 'default export';
    if (problem) throw new PluginError(modulePath, `${where} ${problem}. An implementation has name, device, layout, precision, description, probe() and prepareSe() (README "Bring your own implementation")`);
    return v as SeImplementation;
  });
}

/** The module's absolute path; a missing file, a folder or another extension is a PluginError. */
export function checkModuleFile(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new PluginError(path, `no such file (resolved to ${abs})`);
  if (!statSync(abs).isFile()) throw new PluginError(path, 'is not a file');
  if (!MODULE_EXTENSIONS.includes(extname(abs))) throw new PluginError(path, `has extension "${extname(abs)}"; use one of ${MODULE_EXTENSIONS.join(', ')}`);
  return abs;
}

/**
 * One line for an import that failed. tsx's loader reports a JavaScript
 * syntax error in a module with imports only as "Parse error FILE:1:1";
 * `node --check` then gives V8's own message and line.
 */
function importFailure(e: unknown, abs: string): string {
  const first = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  if (!/^Parse error/.test(first) || !['.mjs', '.js'].includes(extname(abs))) return first;
  const check = spawnSync(process.execPath, ['--check', abs], { encoding: 'utf8' });
  const lines = check.stderr.split('\n');
  const syntax = lines.find((l) => /^SyntaxError/.test(l));
  const where = lines.find((l) => l.startsWith(abs));
  return syntax ? `${syntax}${where ? ` at ${where.slice(abs.length + 1) ? `line ${where.slice(abs.length + 1)}` : ''}` : ''}` : first;
}

/** Imports one plug-in module (path relative to the working directory) and returns its checked implementations. */
export async function loadImplementationModule(path: string): Promise<SeImplementation[]> {
  const abs = checkModuleFile(path);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(abs).href) as Record<string, unknown>;
  } catch (e) {
    throw new PluginError(path, `failed to import: ${importFailure(e, abs)}`);
  }
  if (!('default' in mod) || mod.default === undefined) {
    throw new PluginError(path, `has no default export (it exports: ${Object.keys(mod).join(', ') || 'nothing'}); default-export an implementation, an array of them, or a factory`);
  }
  return implementationsOf(mod.default, path);
}

/** Where a plug-in implementation came from, recorded in results.json so a result names the exact file it measured. */
export interface PluginOrigin {
  /** Its name in se-bench (`browser-<name>` for a page module's). */
  name: string;
  /** The name its module gave it. */
  declaredName: string;
  kind: 'impl-module' | 'page-module' | 'impl-onnx';
  /** Absolute path of the module or ONNX file. */
  path: string;
  /** sha256 of that file's bytes (the entry file only: what it imports is not hashed). */
  sha256: string;
}
