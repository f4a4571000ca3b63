/**
 * examples/ci/: the GitHub Actions workflow and the GitLab job run as
 * written. Every `npx se-bench` (and `mkdir -p`) line of their scripts runs
 * here, in order, in a scratch project holding examples/my-se.mjs as
 * ./my-se.mjs and se-bench under node_modules (a link to this checkout, as
 * `npm install` of the tarball would put it), with $GITHUB_STEP_SUMMARY a
 * scratch file; each exits 0 and what it writes parses: the JUnit file with
 * one testcase per golden case, the Markdown summary, benchmark.json.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GoldenSet } from '../harness/data/golden.ts';
import { PYTHON } from '../harness/host/python.ts';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'scripts', 'se-bench.mjs');
/** Environment variables the examples may use, and what they are here. */
const KNOWN_VARS = ['GITHUB_STEP_SUMMARY'];

/** The script lines to run from a CI file: `npx se-bench ...` and `mkdir -p ...`, backslash continuations joined, in order. */
function commandsOf(file: string): string[] {
  const joined = readFileSync(join(ROOT, 'examples', 'ci', file), 'utf8').replace(/\\\n\s*/g, '');
  return joined.split('\n').map((l) => l.replace(/^\s*(?:-\s+)?(?:run:\s+)?/, '')).filter((l) => /^(npx se-bench |mkdir -p )/.test(l));
}

/** Every shell script of the file (GitHub `run:` values, GitLab `script:` items), via Python's yaml; undefined where it is not installed. */
function scriptsOf(file: string): string[] | undefined {
  const py = `import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
out = []
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == 'run' and isinstance(x, str): out.append(x)
            elif k in ('script', 'before_script', 'after_script') and isinstance(x, list): out.extend(s for s in x if isinstance(s, str))
            else: walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
walk(d)
print(json.dumps(out))`;
  const r = spawnSync(PYTHON, ['-c', py, join(ROOT, 'examples', 'ci', file)], { encoding: 'utf8' });
  if (r.status !== 0) {
    assert.doesNotMatch(r.stderr, /yaml\.(scanner|parser)|YAMLError/, `${file} is not valid YAML: ${r.stderr}`);
    return undefined; // no python3-yaml here
  }
  return JSON.parse(r.stdout) as string[];
}

/** Runs the file's commands in a fresh scratch project; returns the project folder and the step summary file. */
function runExample(file: string): { project: string; summary: string } {
  const commands = commandsOf(file);
  assert.equal(commands.filter((c) => c.startsWith('npx se-bench ')).length, 3, `${file}: conformance, bench and report`);
  const scripts = scriptsOf(file);
  if (scripts) for (const c of commands) assert.ok(scripts.some((s) => s.replace(/\\\n\s*/g, '').includes(c)), `${file}: "${c}" is in a script, not a comment`);
  for (const c of commands) {
    for (const [, v] of c.matchAll(/\$\{?([A-Za-z_]\w*)/g)) assert.ok(KNOWN_VARS.includes(v!), `${file}: $${v} is not known to this test`);
  }
  const project = mkdtempSync(join(tmpdir(), 'se-bench-ci-example-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-kernel', private: true, type: 'module' }));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'se-bench'), 'dir');
  copyFileSync(join(ROOT, 'examples', 'my-se.mjs'), join(project, 'my-se.mjs'));
  const summary = join(project, 'github-step-summary.md');
  writeFileSync(summary, '## earlier step\n');
  for (const c of commands) {
    const line = c.replace(/^npx se-bench /, `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} `);
    const r = spawnSync('bash', ['-c', line], { cwd: project, encoding: 'utf8', timeout: 300_000, env: { ...process.env, GITHUB_STEP_SUMMARY: summary, SE_BENCH_EXPECT: '' } });
    assert.equal(r.status, 0, `${file}: ${c}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
  return { project, summary };
}

/** Checks what the commands wrote under se-bench-out/. */
function checkOutputs(project: string, summaryFile: string, before = ''): void {
  const xml = readFileSync(join(project, 'se-bench-out', 'junit.xml'), 'utf8');
  assert.equal(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' || n === 'testsuite' }).parse(xml) as
    { testsuites: { tests: string; failures: string; testsuite: { testcase: { classname: string; name: string }[] }[] } };
  const cases = doc.testsuites.testsuite[0]!.testcase;
  assert.equal(cases.length, new GoldenSet().ids().length, 'one testcase per golden case for --impl=my-se');
  assert.ok(cases.every((t) => t.classname === 'my-se'));
  assert.equal(doc.testsuites.failures, '0');
  const summary = readFileSync(summaryFile, 'utf8');
  assert.ok(summary.startsWith(`${before}### se-bench conformance: PASSED`), `appended after what was there: ${summary.slice(0, 120)}`);
  assert.match(summary, /^### se-bench: /m, 'the bench Markdown follows');
  assert.match(summary, /^#### Verdicts$/m);
  const entries = JSON.parse(readFileSync(join(project, 'se-bench-out', 'bench', 'benchmark.json'), 'utf8')) as { name: string; unit: string; value: number; range: string }[];
  assert.ok(entries.length > 0);
  for (const e of entries) {
    assert.equal(typeof e.name, 'string');
    assert.equal(e.unit, 'ms');
    assert.ok(Number.isFinite(e.value) && e.value > 0, e.name);
    assert.match(e.range, /^± /, e.name);
  }
  for (const impl of ['my-se', 'wasm-simd']) assert.ok(entries.some((e) => e.name.endsWith(`(${impl})`)), `${impl} has rows`);
}

test('examples/ci/github-workflow.yml: its se-bench commands pass here and write JUnit, the step summary and benchmark.json', () => {
  const { project, summary } = runExample('github-workflow.yml');
  checkOutputs(project, summary, '## earlier step\n\n');
});

test('examples/ci/gitlab-ci.yml: its se-bench commands pass here and write JUnit, the summary artifact and benchmark.json', () => {
  const { project } = runExample('gitlab-ci.yml');
  // GitLab has no step summary: the job keeps the file as an artifact, conformance creates it and bench appends.
  checkOutputs(project, join(project, 'se-bench-out', 'summary.md'));
});
