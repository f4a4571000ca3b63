/**
 * The esbuild build of the portable pack: the CLI, the public API ('se-bench')
 * and its conformance entry ('se-bench/conformance') as ES modules sharing
 * chunks, all at the pack's root, so a plug-in that imports 'se-bench' gets
 * the very modules the CLI runs.
 *
 * The pack mirrors the checkout's layout for every file read at run time
 * (CARRIED in pack-portable.ts), so code that finds a file next to itself
 * finds it in the pack too: each bundled file's `import.meta.url` (and, in
 * CommonJS files, `__dirname`/`__filename`) is rewritten to where that file
 * sat in the checkout, relative to the bundle. Every `new URL('./x',
 * import.meta.url)` the build meets is recorded, so the pack script can refuse
 * to build when one names a file the pack neither carries nor leaves out on
 * purpose.
 *
 * Packages left out (OMITTED) are replaced by a module that throws when loaded:
 * the implementations needing them are then unavailable with that reason.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Packages not in the pack, each with the reason the implementations that need it are unavailable. */
export const OMITTED: Record<string, string> = {
  'onnxruntime-node': 'ONNX Runtime is not in the portable pack (its native library alone is 44 MB, over the size budget); run ort-* from a checkout',
  'onnxruntime-web': 'ONNX Runtime is not in the portable pack (its WASM files are over the size budget); run ort-* from a checkout',
  esbuild: 'the browser device is not in the portable pack (it builds its pages with esbuild and drives Chromium); run it from a checkout',
  'puppeteer-core': 'the browser device is not in the portable pack (it drives Chromium with puppeteer-core); run it from a checkout',
};

/** The pack's ES module entries: output name (without .mjs) -> source, relative to the checkout. */
export const ENTRIES = {
  'se-bench': 'scripts/portable/entry.ts',
  api: 'harness/api.ts',
  conformance: 'harness/conformance.ts',
};

const URL_LITERAL = /new URL\(\s*(['"])(\.{1,2}\/[^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;

export interface BundleResult {
  /** Checkout-relative paths that source files locate with `new URL('./x', import.meta.url)`. */
  urlTargets: Set<string>;
  /** Bytes of JavaScript written. */
  bytes: number;
}

function checkoutPaths(root: string, urlTargets: Set<string>): Plugin {
  return {
    name: 'checkout-paths',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${Object.keys(OMITTED).join('|')})$`) }, (args) => ({ path: args.path, namespace: 'omitted' }));
      b.onLoad({ filter: /.*/, namespace: 'omitted' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(OMITTED[args.path])});`, loader: 'js',
      }));
      b.onLoad({ filter: /\.(ts|mts|js|mjs|cjs)$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        const rel = relative(root, args.path);
        if (rel.startsWith('..')) return undefined;
        for (const m of text.matchAll(URL_LITERAL)) urlTargets.add(relative(root, resolve(dirname(args.path), m[2]!)));
        const esm = text.includes('import.meta');
        if (esm) text = text.replaceAll('import.meta.url', `__seBenchUrl(${JSON.stringify(rel)})`);
        if (!esm && /\b__(dirname|filename)\b/.test(text)) {
          text = `var __filename = __seBenchPath(${JSON.stringify(rel)}), __dirname = __seBenchPath(${JSON.stringify(dirname(rel))});\n${text}`;
        }
        const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
        return { contents: text, loader: ext === 'ts' || ext === 'mts' ? 'ts' : 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Every output file starts with these: `require` for bundled CommonJS, and the checkout-path helpers. */
const BANNER = [
  "import { createRequire as __seBenchCreateRequire } from 'node:module';",
  "import { fileURLToPath as __seBenchFileUrlToPath } from 'node:url';",
  'const require = __seBenchCreateRequire(import.meta.url);',
  'const __seBenchUrl = (rel) => new URL(rel, import.meta.url).href;',
  'const __seBenchPath = (rel) => __seBenchFileUrlToPath(new URL(rel || ".", import.meta.url));',
].join('\n');

/** Bundles ENTRIES from checkout `root` into `outdir` (the pack's root); `define` replaces build-time constants. */
export async function bundle(root: string, outdir: string, define: Record<string, string>): Promise<BundleResult> {
  const urlTargets = new Set<string>();
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(ENTRIES).map(([out, src]) => ({ out, in: src })),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // ES module builds first: tfjs's CommonJS builds lose their named exports through esbuild's import() of CommonJS.
    mainFields: ['module', 'main'],
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    minify: true,
    legalComments: 'none',
    banner: { js: BANNER },
    define,
    metafile: true,
    logLevel: 'error',
    plugins: [checkoutPaths(root, urlTargets)],
  });
  const bytes = Object.values(result.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
  return { urlTargets, bytes };
}
