/**
 * A run about a plug-in: with --impl-module and no --impl, conformance runs
 * only the plug-in (and what --expect names), bench times it beside the
 * fastest built-ins and PyTorch, records its file and digest, and opens with
 * its verdicts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchResults } from '../harness/bench/results.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'se-bench.mjs');
const DIR = mkdtempSync(join(tmpdir(), 'se-bench-plugin-runs-'));
// The example, declining NoSqueeze as a kernel author's plug-in would.
const DECLINE = join(DIR, 'decline.mjs');
writeFileSync(DECLINE, `import { createSe } from ${JSON.stringify(join(import.meta.dirname, '..', 'examples', 'my-se.mjs'))};
const base = createSe({ name: 'my-decline' });
export default { ...base, supports(spec, kind) { return kind === 'se' && spec.squeeze === 'none' ? 'NoSqueeze is out of scope here' : true; } };
`);

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, SE_BENCH_EXPECT: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('conformance with a plug-in and no --impl runs only the plug-in, one progress line per case; --expect names join it', () => {
  const r = cli('conformance', `--impl-module=${DECLINE}`, '--case=ablation-*');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.err, /^note: running the plug-ins only: my-decline \(--impl=NAME,\.\.\. runs built-ins as well\)$/m);
  assert.match(r.out, /^OK: 5 pass, 2 unsupported \(7 cases x 1 implementations\)$/m);
  assert.match(r.err, /^\[2\/7\] ablation-nosqueeze checked: my-decline unsupported \(declined by my-decline\.supports\(\): NoSqueeze is out of scope here\) \(1 pass, 1 unsupported so far, \d+ s\)$/m);
  assert.equal(r.err.split('\n').filter((l) => /^\[\d\/7\] /.test(l)).length, 7);
  const withExpected = cli('conformance', `--impl-module=${DECLINE}`, '--case=ablation-nobias', '--expect=reference');
  assert.equal(withExpected.code, 0, withExpected.err);
  assert.match(withExpected.out, /^case\s+reference\s+my-decline\s*$/m);
  assert.match(withExpected.err, /^note: running the plug-ins my-decline and what --expect or SE_BENCH_EXPECT names: reference \(--impl=NAME,\.\.\. picks others\)$/m);
});

test('a plug-in on no device of --device is one line, exit 2', () => {
  const r = cli('conformance', `--impl-module=${DECLINE}`, '--device=webgpu');
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.trim(), 'se-bench: no plug-in runs on --device=webgpu: my-decline runs on cpu; leave --device out for the plug-ins\' own devices, or give --impl=NAME,... for built-ins');
});

test('bench with a plug-in and no --impl: the plug-in beside wasm-simd, wasm-simd-mt and PyTorch, recorded by path and sha256, verdicts first', () => {
  const out = join(DIR, 'run');
  const r = cli('bench', `--impl-module=${DECLINE}`, '--quick', '--blocks=resnet50', '--case=se/stage5-*', `--out=${out}`);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.err, /note: timing the plug-ins my-decline beside the built-ins wasm-simd, wasm-simd-mt \(the fastest on cpu\) and the PyTorch anchor/);
  assert.match(r.err, /SE blocks only, as no plug-in implements prepareNetwork/);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
  assert.deepEqual(res.plugins, [{
    name: 'my-decline', declaredName: 'my-decline', kind: 'impl-module', path: DECLINE, sha256: createHash('sha256').update(readFileSync(DECLINE)).digest('hex'),
  }]);
  assert.equal(res.environment.seBenchVersion, (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version);
  const timed = new Set(res.rows.filter((x) => x.status === 'ok').map((x) => x.impl));
  for (const name of ['my-decline', 'wasm-simd', 'wasm-simd-mt']) assert.ok(timed.has(name), `${name} timed: ${[...timed].join(', ')}`);
  assert.ok(!res.rows.some((x) => x.kind === 'network'), 'no network rows');
  assert.match(r.out, /^Your implementation\(s\):\n- my-decline, SE block 2048x7x7, batch 2, r = 16: [\d.]+ ms; [\d.]+x the time of the fastest built-in, wasm-simd(-mt)? /);
  if (timed.has('pytorch-eager-cpu')) assert.match(r.out, /the time of PyTorch, pytorch-eager-cpu/);
  assert.equal(res.validation['my-decline']?.status, 'pass', 'declined cases do not fail the validation');
});
