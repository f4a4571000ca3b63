/**
 * CI outputs (docs/ci.md): `conformance --junit` is valid JUnit XML whose
 * counts match the cells, for a passing, a failing, an erroring and a missing
 * expected plug-in; `--summary-md` appends and never truncates; `report
 * --format=github-benchmark` has github-action-benchmark's shape; bad targets
 * are one line, exit 2, before any work.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ConformanceReport } from '../harness/check/conformance.ts';
import { renderJunit } from '../harness/report/junit.ts';
import { appendOutputFile, checkOutputFile, writeOutputFile } from '../harness/cli/ci-outputs.ts';
import { readResultsFile } from '../harness/bench/results-file.ts';
import { measured } from '../harness/bench/results.ts';
import { UsageError } from '../harness/data/select.ts';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'scripts', 'se-bench.mjs');
const DIR = mkdtempSync(join(tmpdir(), 'se-bench-ci-outputs-'));
const BASELINE = join(ROOT, 'reports/baselines/vm-2core-epyc-2026-12-07.json');
const SEED = '--case=seed-*'; // the five seed cases: a few seconds

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, SE_BENCH_EXPECT: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A plug-in module in DIR built from examples/my-se.mjs (as test/plugins.test.ts makes them). */
function plugin(file: string, body: string): string {
  const path = join(DIR, file);
  writeFileSync(path, `import base from ${JSON.stringify(join(ROOT, 'examples', 'my-se.mjs'))};\n${body}\n`);
  return path;
}

interface Testcase { classname: string; name: string; time: string; failure?: { message: string; type: string; '#text'?: string }; error?: { message: string; '#text'?: string }; skipped?: { message: string } }
interface Suite { name: string; tests: string; failures: string; errors: string; skipped: string; time: string; testcase: Testcase[] }

/** Validates `xml` and parses it; testcases always as an array. */
function readJunit(xml: string): { root: Omit<Suite, 'testcase'>; suite: Suite } {
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, isArray: (n) => n === 'testcase' || n === 'testsuite' })
    .parse(xml) as { testsuites: Omit<Suite, 'testcase'> & { testsuite: Suite[] } };
  assert.equal(doc.testsuites.testsuite.length, 1);
  const suite = doc.testsuites.testsuite[0]!;
  suite.testcase ??= [];
  assert.equal(suite.name, 'se-bench conformance');
  // Totals agree with the elements, on the suite and on the root.
  const n = (k: 'failure' | 'error' | 'skipped') => String(suite.testcase.filter((t) => t[k] !== undefined).length);
  for (const node of [suite, doc.testsuites]) {
    assert.equal(node.tests, String(suite.testcase.length));
    assert.equal(node.failures, n('failure'));
    assert.equal(node.errors, n('error'));
    assert.equal(node.skipped, n('skipped'));
  }
  for (const t of suite.testcase) assert.match(t.time, /^\d+\.\d{3}$/, `${t.name} time`);
  return { root: doc.testsuites, suite };
}

test('--junit: a passing plug-in gives one testcase per cell, the unsupported ones skipped with the reason', () => {
  const file = join(DIR, 'pass.xml');
  const r = cli('conformance', '--impl-module=examples/my-se.mjs', '--impl=my-se', `--junit=${file}`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /OK: 32 pass, 22 unsupported/, 'the table is still printed');
  const { suite } = readJunit(readFileSync(file, 'utf8'));
  assert.equal(suite.testcase.length, 54);
  assert.equal(suite.failures, '0');
  assert.equal(suite.errors, '0');
  assert.equal(suite.skipped, '22');
  assert.ok(suite.testcase.every((t) => t.classname === 'my-se'));
  const net = suite.testcase.find((t) => t.name === 'net-resnet50-64');
  assert.equal(net?.skipped?.message, 'implementation has no network support');
  assert.ok(Number(suite.time) > 0);
});

test('--junit: failing and erroring plug-ins are <failure> and <error> naming the case and what is wrong; user text is escaped', () => {
  const scaled = plugin('scaled.mjs', `export default { ...base, name: 'my-se-scaled', async prepareSe(spec, w) {
  const b = await base.prepareSe(spec, w);
  return { async run(x) { const o = await b.run(x); return { y: { shape: o.y.shape, data: o.y.data.map((v) => v * 1.01) }, gate: o.gate }; }, dispose: () => b.dispose() };
} };`);
  const throws = plugin('throws.mjs', `export default { ...base, name: 'my-se-throws', async prepareSe() { throw new Error('kernel <b>&"broke"</b> \\u0001 ]]>'); } };`);
  const file = join(DIR, 'fail.xml');
  const r = cli('conformance', `--impl-module=${scaled},${throws}`, '--impl=my-se-scaled,my-se-throws', SEED, `--junit=${file}`);
  assert.equal(r.code, 1, r.err);
  const { suite } = readJunit(readFileSync(file, 'utf8'));
  assert.equal(suite.testcase.length, 10);
  assert.equal(suite.failures, '5');
  assert.equal(suite.errors, '5');
  const fail = suite.testcase.find((t) => t.classname === 'my-se-scaled' && t.name === 'seed-se_block-64-r16')!;
  assert.equal(fail.failure?.type, 'tolerance');
  assert.match(fail.failure!.message, /^seed-se_block-64-r16 x my-se-scaled failed: output: \d+\/65536 elements out of tolerance; first at NCHW \[/);
  assert.doesNotMatch(fail.failure!.message, /\n/, 'the message is one line');
  assert.match(fail.failure!['#text']!, /^tolerance atol/m, 'the body has the tolerance');
  assert.match(fail.failure!['#text']!, /^output: /m);
  const error = suite.testcase.find((t) => t.classname === 'my-se-throws' && t.name === 'seed-maxpool-64-r3')!;
  assert.equal(error.error?.message, 'seed-maxpool-64-r3 x my-se-throws error: kernel <b>&"broke"</b>  ]]>', 'escaped and read back; the control character dropped');
});

test('--junit: an expected implementation that is unavailable fails its cells, and the empty gate is a failing testcase', () => {
  const never = plugin('never.mjs', "export default { ...base, name: 'never', probe: async () => ({ available: false, reason: 'no such device', installHint: 'buy one' }) };");
  const file = join(DIR, 'missing.xml');
  const r = cli('conformance', `--impl-module=${never}`, '--impl=never', '--expect=never', SEED, `--junit=${file}`);
  assert.equal(r.code, 1, r.err);
  const { suite } = readJunit(readFileSync(file, 'utf8'));
  assert.equal(suite.testcase.length, 6);
  assert.equal(suite.failures, '6');
  assert.equal(suite.skipped, '0', 'no green skip for an expected implementation');
  assert.match(suite.testcase[0]!.failure!.message, /^seed-[\w-]+ x never expected to run here but unavailable: no such device \(fix: buy one\)$/);
  const gate = suite.testcase.at(-1)!;
  assert.equal(gate.failure?.type, 'empty-gate');
  assert.match(gate.failure!.message, /^no check ran, so nothing was proved/);
});

test('renderJunit: a report with no cells is still valid JUnit', () => {
  const report: ConformanceReport = { schema: 1, cases: [], implementations: [], cells: [], failures: [], ok: true };
  const { suite } = readJunit(renderJunit(report));
  assert.equal(suite.tests, '0');
});

test('--summary-md: appends after what the file holds (never truncates), once per run; counts, totals and failing cells', () => {
  const file = join(DIR, 'step-summary.md');
  const earlier = '## Build\n\nearlier step, no newline at the end';
  writeFileSync(file, earlier);
  const scaled = plugin('scaled-md.mjs', `export default { ...base, name: 'scaled-md', async prepareSe(spec, w) {
  const b = await base.prepareSe(spec, w);
  return { async run(x) { const o = await b.run(x); return { y: { shape: o.y.shape, data: o.y.data.map((v) => v * 1.01) } }; }, dispose: () => b.dispose() };
} };`);
  const throws = plugin('throws-md.mjs', "export default { ...base, name: 'throws-md', async prepareSe() { throw new Error('a | b'); } };");
  let r = cli('conformance', '--impl-module=examples/my-se.mjs', '--impl=my-se', SEED, `--summary-md=${file}`);
  assert.equal(r.code, 0, r.err);
  r = cli('conformance', `--impl-module=${scaled},${throws}`, '--impl=scaled-md,throws-md', '--case=seed-*,net-resnet50-64', `--summary-md=${file}`);
  assert.equal(r.code, 1, r.err);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith(`${earlier}\n\n### se-bench conformance: PASSED\n`), text.slice(0, 200));
  assert.equal(text.match(/^### se-bench conformance/gm)?.length, 2);
  assert.match(text, /^5 cases x 1 implementation: 5 pass, 0 fail, 0 error, 0 unsupported, 0 skipped/m);
  assert.match(text, /^### se-bench conformance: FAILED\n\n6 cases x 2 implementations: 0 pass, 5 fail, 5 error, 2 unsupported, 0 skipped/m);
  assert.match(text, /^\| my-se \| cpu \| fp32 \| available \| 5 \| 0 \| 0 \| 0 \| 0 \| \d+% \|/m, 'per-implementation totals');
  assert.match(text, /^#### Not passing \(10\)$/m);
  assert.match(text, /^\| seed-se\\_block-64-r16 \| scaled-md \| fail \| failed: output: \d+\/65536 elements out of tolerance/m);
  // The message's pipe is escaped, so the table keeps its columns.
  assert.match(text, /^\| seed-maxpool-64-r3 \| throws-md \| error \| error: a \\\| b \|$/m);
  assert.match(text, /^\| scaled-md \| unsupported \| 1 \| implementation has no network support \| net-resnet50-64 \|$/m);
});

test('report --format=github-benchmark: customSmallerIsBetter entries, one per measured row, in benchmark.json', () => {
  const out = mkdtempSync(join(DIR, 'gb-'));
  const r = cli('report', BASELINE, '--format=github-benchmark', `--out=${out}`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `wrote ${join(out, 'benchmark.json')}\n`);
  const entries = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8')) as { name: string; unit: string; value: number; range?: string; extra?: string }[];
  const rows = readResultsFile(BASELINE).rows.filter(measured);
  assert.ok(Array.isArray(entries));
  assert.equal(entries.length, rows.length);
  assert.equal(new Set(entries.map((e) => e.name)).size, entries.length, 'names are unique: one chart series each');
  for (const [i, e] of entries.entries()) {
    assert.deepEqual(Object.keys(e).sort(), ['extra', 'name', 'range', 'unit', 'value']);
    assert.equal(e.name, `${rows[i]!.workload} (${rows[i]!.impl})`);
    assert.equal(e.unit, 'ms');
    assert.ok(Number.isFinite(e.value) && e.value > 0);
    assert.ok(Math.abs(e.value - rows[i]!.measurement!.medianMs) <= 1e-5 * e.value, 'value is the median');
    assert.match(e.range!, /^± \d[\d.]*(e-\d+)?$/);
    assert.match(e.extra!, /95% interval \[/);
  }
  // Two runs: each name says its run, so the series stay apart.
  const two = cli('report', BASELINE, join(ROOT, 'reports/baselines/vm-2core-xeon-2026-12-01.json'), '--format=github-benchmark', `--out=${out}`);
  assert.equal(two.code, 0, two.err);
  const merged = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8')) as { name: string }[];
  assert.equal(new Set(merged.map((e) => e.name)).size, merged.length);
  assert.ok(merged.every((e) => / @ /.test(e.name)));
});

test('bad targets: one line, exit 2, before any work; nothing already there is lost', () => {
  const kept = join(DIR, 'kept.md');
  writeFileSync(kept, 'keep me\n');
  const cases: [string[], RegExp][] = [
    [['conformance', '--impl-module=examples/my-se.mjs', SEED, `--junit=${join(DIR, 'no-such-folder', 'j.xml')}`], /^se-bench: --junit: no such folder .*no-such-folder; create it first/],
    [['conformance', '--impl-module=examples/my-se.mjs', SEED, '--junit=/sys/se-bench-junit.xml'], /^se-bench: --junit: cannot write \/sys\/se-bench-junit\.xml \(E[A-Z]+\)/],
    [['conformance', '--impl-module=examples/my-se.mjs', SEED, `--junit=${DIR}`], /^se-bench: --junit: .* is a folder; give a file in it/],
    [['conformance', '--impl-module=examples/my-se.mjs', SEED, '--junit='], /^se-bench: --junit needs a file: --junit=FILE$/],
    [['conformance', '--impl-module=examples/my-se.mjs', SEED, '--summary-md=/sys/se-bench.md'], /^se-bench: --summary-md: cannot write \/sys\/se-bench\.md/],
    [['report', BASELINE, '--format=nope', `--out=${DIR}`], /^se-bench: --format must be html, md or github-benchmark, got "nope"$/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err.trim(), message);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.equal(r.out, '', 'nothing ran');
  }
  // bench: refused before its --out folder is even made.
  const out = join(DIR, 'bench-never');
  const b = cli('bench', '--impl-module=examples/my-se.mjs', '--impl=my-se', '--quick', `--out=${out}`, `--summary-md=${join(DIR, 'nope', 's.md')}`);
  assert.equal(b.code, 2, b.err);
  assert.match(b.err, /^se-bench: --summary-md: no such folder/);
  assert.equal(existsSync(out), false);
  // The checks and writes themselves: an existing file is left as it is; a failed write is a UsageError (exit 2).
  checkOutputFile('summary-md', kept);
  assert.equal(readFileSync(kept, 'utf8'), 'keep me\n');
  appendOutputFile('summary-md', kept, 'more\n');
  assert.equal(readFileSync(kept, 'utf8'), 'keep me\n\nmore\n');
  assert.throws(() => writeOutputFile('junit', '/sys/se-bench-junit.xml', '<x/>'), (e) => e instanceof UsageError && /--junit: cannot write/.test(e.message));
  assert.throws(() => appendOutputFile('summary-md', '/sys/se-bench.md', 'x'), (e) => e instanceof UsageError && /--summary-md: cannot append/.test(e.message));
});
