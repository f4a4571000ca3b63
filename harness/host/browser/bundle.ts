/**
 * Builds the page's JavaScript with esbuild's JS API, in process, at run time,
 * into memory (served from there by server.ts; nothing is written to disk or
 * committed). Entry: page/entry.ts; the page modules it imports (the
 * built-in ones and any --page-module, set by setPageModules) reach it
 * through a generated module, `se-bench:page-modules`, each behind its own
 * dynamic import so one that throws at import leaves the others usable.
 *
 * Node-only modules on the import chain (impls/tfjs/backends.ts imports
 * node:module, node:path and harness/host/webgpu-node.ts for its Node loaders,
 * which the page never calls) are replaced: node:module and node:path by the
 * stand-ins in ./stubs (backends.ts calls createRequire when it loads); any
 * other `node:` module and harness/host/webgpu-node.ts by a generated module that
 * exports the names its importer asks for, each a function that throws
 * "<name> from <module> is Node-only" when called. So a Node-only import added
 * elsewhere does not break the page; calling it in the page fails by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');
/** The page's entry module. */
export const PAGE_ENTRY = join(HERE, 'page', 'entry.ts');

let pageModules: readonly string[] = [];

/**
 * The modules the page imports its implementations from (absolute paths;
 * each default-exports implementations as a Node plug-in does). Set before
 * the page is built; a different list drops the built bundle.
 */
export function setPageModules(paths: readonly string[]): void {
  if (paths.join('\0') === pageModules.join('\0')) return;
  pageModules = [...paths];
  built = undefined;
}

/** The generated `se-bench:page-modules`: one lazily imported entry per page module. */
const pageModuleList: Plugin = {
  name: 'se-bench-page-modules',
  setup(build) {
    build.onResolve({ filter: /^se-bench:page-modules$/ }, () => ({ path: 'page-modules', namespace: 'se-bench-page-modules' }));
    build.onLoad({ filter: /.*/, namespace: 'se-bench-page-modules' }, () => ({
      contents: `export const PAGE_MODULES = [\n${pageModules.map((p) => `  { path: ${JSON.stringify(p)}, load: () => import(${JSON.stringify(p)}) },`).join('\n')}\n];\n`,
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};
/** The page's HTML (static). */
export const PAGE_HTML = join(HERE, 'page', 'index.html');

const STUBS: Record<string, string> = {
  'node:module': join(HERE, 'stubs', 'node-module.ts'),
  'node:path': join(HERE, 'stubs', 'node-path.ts'),
};
/** Project modules that are Node-only (Dawn, the wabt assembler), by absolute path. */
const NODE_ONLY_FILES = new Set([join(ROOT, 'harness', 'host', 'webgpu-node.ts'), join(ROOT, 'harness', 'host', 'wat.ts')]);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Value names `importer` imports from `specifier` (type-only names left out); `default` for a default import. */
export function importedNames(source: string, specifier: string): string[] {
  const names = new Set<string>();
  const statement = new RegExp(`(?:import|export)\\s+(?!type\\s)([^;]*?)\\s+from\\s+['"]${escapeRegExp(specifier)}['"]`, 'g');
  for (const m of source.matchAll(statement)) {
    const clause = m[1]!;
    const braces = /\{([\s\S]*?)\}/.exec(clause);
    for (const part of braces ? braces[1]!.split(',') : []) {
      const name = part.trim().split(/\s+as\s+/)[0]!.trim();
      if (name && !name.startsWith('type ')) names.add(name);
    }
    if (/^\s*[A-Za-z_$][\w$]*\s*(,|$)/.test(clause)) names.add('default');
  }
  return [...names];
}

function generatedStub(specifier: string, importer: string): string {
  const names = existsSync(importer) ? importedNames(readFileSync(importer, 'utf8'), specifier) : [];
  const where = `${specifier} (imported by ${importer.startsWith(ROOT) ? importer.slice(ROOT.length + 1) : importer})`;
  const fn = (name: string) => `function () { throw new Error(${JSON.stringify(`${name} from ${where} is Node-only and was called in the browser page`)}); }`;
  return names.map((n) => (n === 'default' ? `export default {};` : `export const ${n} = ${fn(n)};`)).join('\n');
}

const nodeStubs: Plugin = {
  name: 'se-bench-node-stubs',
  setup(build) {
    // One generated module per (specifier, importer): each importer gets exactly the names it asks for.
    const generated = (specifier: string, importer: string) => ({ path: `${specifier}\0${importer}`, namespace: 'se-bench-node-only' });
    build.onResolve({ filter: /^node:/ }, (args) => {
      const stub = STUBS[args.path];
      return stub ? { path: stub } : generated(args.path, args.importer);
    });
    build.onResolve({ filter: /\.ts$/ }, (args) => (NODE_ONLY_FILES.has(resolve(args.resolveDir, args.path)) ? generated(args.path, args.importer) : undefined));
    build.onLoad({ filter: /.*/, namespace: 'se-bench-node-only' }, (args) => {
      const [specifier, importer] = args.path.split('\0') as [string, string];
      return { contents: generatedStub(specifier, importer), loader: 'js' };
    });
  },
};

/** One built file, served as is. */
export interface BundleFile {
  bytes: Uint8Array;
  contentType: string;
}

/** The built page: files by URL path (`/bundle.js`, `/bundle.js.map`). */
export interface PageBundle {
  files: Map<string, BundleFile>;
  /** Build time, ms. */
  buildMs: number;
  esbuildVersion: string;
}

async function build(): Promise<PageBundle> {
  const esbuild = await import('esbuild'); // first: in the portable pack this throws why the browser device is not there
  if (!existsSync(PAGE_ENTRY)) throw new Error(`page entry ${PAGE_ENTRY} is missing`);
  const t0 = performance.now();
  const result = await esbuild.build({
    entryPoints: { bundle: PAGE_ENTRY },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    outdir: '/se-bench-page',
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [nodeStubs, pageModuleList],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = new Map<string, BundleFile>();
  for (const f of result.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/'));
    files.set(name, { bytes: f.contents, contentType: name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8' });
  }
  if (!files.has('/bundle.js')) throw new Error(`esbuild produced ${[...files.keys()].join(', ')}, not /bundle.js`);
  return { files, buildMs: performance.now() - t0, esbuildVersion: esbuild.version };
}

let built: Promise<PageBundle> | undefined;

/**
 * The page bundle, built on first call and kept for the process. A failed
 * build rejects with esbuild's messages (file:line) and is retried next call.
 */
export function pageBundle(): Promise<PageBundle> {
  built ??= build().catch((e: unknown) => {
    built = undefined;
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const text = errors?.length
      ? errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('; ')
      : e instanceof Error ? e.message : String(e);
    throw new Error(`building the browser page with esbuild failed: ${text}`);
  });
  return built;
}
