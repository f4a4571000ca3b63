/** Versions of the packages that shape the numbers (tfjs, Dawn, tinybench), for the environment fingerprint. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Installed version of each dependency in package.json, or "not installed". */
export function packageVersions(): Record<string, string> {
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const name of [...Object.keys(own.dependencies ?? {}), '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    try {
      out[name] = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      if (own.dependencies?.[name]) out[name] = 'not installed';
    }
  }
  return out;
}
