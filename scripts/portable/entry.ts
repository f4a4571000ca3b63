/**
 * The portable pack's CLI entry (bundled by scripts/pack-portable.ts): the
 * same `mainThenClose` as scripts/se-bench.mjs, with two differences.
 *   - Golden data is read from ./golden in the working folder (the checkout
 *     the pack was copied beside) unless --golden=DIR says otherwise, and it
 *     must be the data the pack was built with: its manifest's sha256 is
 *     fixed at build time (SE_BENCH_PACK_GOLDEN_SHA256, injected by esbuild).
 *   - Plug-in modules that import 'se-bench' or 'se-bench/conformance' get
 *     the pack's own api.mjs / conformance.mjs (resolve-hooks.mjs).
 */
import { register } from 'node:module';
import { mainThenClose } from '../../harness/cli/main.ts';
import { useGolden } from '../../harness/data/paths.ts';

declare const SE_BENCH_PACK_GOLDEN_SHA256: string;
declare const SE_BENCH_PACK_COMMIT: string;

register('./resolve-hooks.mjs', import.meta.url);
useGolden({
  dir: 'golden',
  manifestSha256: SE_BENCH_PACK_GOLDEN_SHA256,
  hint: `run from the se-bench checkout this pack was built from (commit ${SE_BENCH_PACK_COMMIT}), or pass --golden=DIR with its golden/ folder`,
});
process.exitCode = await mainThenClose(process.argv.slice(2), process.argv[1]);
