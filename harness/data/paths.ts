/** Where the checkout is, and where golden data is read from (`--golden=DIR` chooses another folder). */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (in the portable pack: the pack's own folder, which mirrors the checkout's layout). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** In the portable pack's root: what it was built from (scripts/pack-portable.ts writes it). */
export const PACK_INFO_FILE = 'pack-info.json';

/** The golden folder in use and, when the caller pins it, the sha256 its manifest must have. */
export interface GoldenSource {
  dir: string;
  manifestSha256?: string;
  /** What to do when the folder is missing or differs, for the message. */
  hint?: string;
}

let source: GoldenSource = { dir: resolve(REPO_ROOT, 'golden') };

/** The golden folder in use: the checkout's golden/ unless useGolden chose another. */
export function goldenSource(): GoldenSource {
  return source;
}

/** Reads golden data from `s.dir` from now on (`--golden=DIR`; the portable pack's default). */
export function useGolden(s: GoldenSource): void {
  source = { ...s, dir: resolve(s.dir) };
}
