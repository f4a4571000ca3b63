/** Versions of the packages that shape the numbers (tfjs, Dawn, tinybench), for the environment fingerprint. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The installed version of `name`, read from its package.json in the
 * node_modules folders Node would search. Not `require.resolve(name +
 * '/package.json')`: packages with an exports map that omits package.json
 * (chart.js, csv-stringify, tinybench) refuse that and looked "not installed".
 */
function installedVersion(name: string): string | undefined {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = join(dir, name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return undefined;
}

/** Installed version of each dependency in package.json (and the optional tfjs-node packages when present), or "not installed". */
export function packageVersions(): Record<string, string> {
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const name of [...Object.keys(own.dependencies ?? {}), '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    const version = installedVersion(name);
    if (version) out[name] = version;
    else if (own.dependencies?.[name]) out[name] = 'not installed';
  }
  return out;
}
