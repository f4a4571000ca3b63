import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/se-bench.mjs', ...args], { encoding: 'utf8', env: { ...process.env, SE_BENCH_EXPECT: '' } });
}

test('bad usage exits 2 with the valid names', () => {
  let r = cli('conformance', '--impl=tfjs-tpu');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown implementation "tfjs-tpu"; valid implementations: reference/);
  r = cli('conformance', '--case=nope*');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no case matches "nope\*"; valid cases: seed-se_block-64-r16, /);
  r = cli('conformance', '--colour');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unknown option '--colour'.*Options of "conformance": --impl, --case, --expect, --json/);
  r = cli('conformance', '--impl=');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /the implementation list is empty; give one or more of: reference/);
  r = cli('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "frobnicate"; commands: conformance, bench, list, golden/);
  r = cli('bench', '--min-time=fast');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--min-time must be a positive number of milliseconds, got "fast"/);
});

test('conformance --json prints one JSON document on stdout and nothing else', () => {
  const r = cli('conformance', '--impl=reference', '--case=awkward-*', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.cells.length, 7);
  assert.ok(report.cells.every((c: { status: string }) => c.status === 'pass'));
});

test('conformance text output is a case x implementation table', () => {
  const r = cli('conformance', '--case=seed-*,bottleneck-pre');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^case\s+reference/m);
  assert.match(r.stdout, /^bottleneck-pre\s+PASS \d+%/m);
  assert.match(r.stdout, /OK: 6 pass/);
});

test('bench --quick writes results JSON and prints figures', () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-bench-'));
  try {
    const r = cli('bench', '--quick', '--min-time=20', '--case=awkward-batch5-c32-r4', `--out=${out}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /awkward-batch5-c32-r4\s+reference\s+5x32x6x6\s+median [\d.]+ ms/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(results.rows[0].status, 'ok');
    assert.ok(results.rows[0].measurement.samplesMs.length >= 10);
    assert.equal(results.rows[0].bytes, 2 * 4 * 5 * 32 * 6 * 6);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
