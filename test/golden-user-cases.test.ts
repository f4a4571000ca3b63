import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GOLDEN_DIR, GoldenSet, type GoldenManifest } from '../harness/data/golden.ts';
import { goldenSource, useGolden } from '../harness/data/paths.ts';
import { pythonMissing } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'se-bench-user-cases-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['scripts/se-bench.mjs', ...args], { encoding: 'utf8', env: { ...process.env, SE_BENCH_EXPECT: '', ...env } });
}

/** Writes `body` (a string as is, anything else as JSON) to tmp/<name>.json and returns the path. */
function casesFile(name: string, body: unknown): string {
  const path = join(tmp, `${name}.json`);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

const ok = { id: 'a', spec: { channels: 8, ratio: 2 }, inputShape: [1, 8, 3, 3], seed: 1 };

test('bad --cases files and --out folders are one line each, exit 2, before Python runs and with nothing written', () => {
  const full = join(tmp, 'full');
  mkdirSync(full);
  writeFileSync(join(full, 'manifest.json'), '{}');
  const good = casesFile('good', [ok]);
  const out = join(tmp, 'never-written');
  const bad: [string[], RegExp][] = [
    [[`--cases=${casesFile('not-json', 'not json\n')}`, `--out=${out}`], /not-json\.json: is not JSON \(Unexpected token/],
    [[`--cases=${casesFile('missing', [{ ...ok, inputShape: undefined }])}`, `--out=${out}`], /missing\.json: \[0\] \(id "a"\): inputShape is missing$/],
    [[`--cases=${casesFile('mismatch', [ok, { ...ok, id: 'b', inputShape: [1, 16, 3, 3] }])}`, `--out=${out}`],
      /mismatch\.json: \[1\] \(id "b"\): spec\.channels is 8 but inputShape\[1\] is 16/],
    [[`--cases=${casesFile('duplicate', [ok, ok])}`, `--out=${out}`], /duplicate\.json: \[1\] \(id "a"\): duplicate id, entry \[0\] has it too$/],
    [[`--cases=${casesFile('bad-id', [{ ...ok, id: 'my case' }])}`, `--out=${out}`], /\[0\] \(id "my case"\): id "my case" may hold only letters, digits/],
    [[`--cases=${casesFile('bad-gate', [{ ...ok, spec: { ...ok.spec, gate: 'relu' } }])}`, `--out=${out}`], /\[0\] \(id "a"\): spec: gate must be one of sigmoid \| hardsigmoid, got "relu"$/],
    [[`--cases=${casesFile('bad-seed', [{ ...ok, seed: -1 }])}`, `--out=${out}`], /\[0\] \(id "a"\): seed must be >= 0, got -1$/],
    [[`--cases=${good}`], /--cases needs --out=DIR/],
    [[`--cases=${good}`, `--out=${full}`], /--out=.*full: already holds golden data \(manifest\.json\); give a new or empty folder/],
    [[`--cases=${good}`, `--out=${good}`], /--out=.*good\.json: is a file/],
    [[`--cases=${join(tmp, 'absent.json')}`, `--out=${out}`], /absent\.json: no such file/],
    [[`--out=${out}`], /--out goes with --cases=FILE\.json/],
  ];
  for (const [args, message] of bad) {
    const r = cli(['golden', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^se-bench: /);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr.trimEnd(), message);
  }
  assert.ok(!existsSync(out), '--out was not created');
  assert.deepEqual(readdirSync(full), ['manifest.json'], 'the existing folder is untouched');
});

test('without PyTorch: the install hint, exit 2, and no --out folder', () => {
  const out = join(tmp, 'no-torch');
  const r = cli(['golden', '--cases=examples/my-cases.json', `--out=${out}`], { SE_BENCH_PYTHON: join(tmp, 'no-such-python') });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^PyTorch is not available \(.*no-such-python not found\)\. Install it with `apt-get install -y python3-torch/);
  assert.ok(!existsSync(out));
});

test('examples/my-cases.json generates a golden folder that conformance --impl=reference passes; a flipped byte is caught', (t) => {
  const missing = pythonMissing('torch, torchvision, numpy');
  if (missing) return t.skip(missing);
  const mine = join(tmp, 'mine');
  let r = cli(['golden', '--cases=examples/my-cases.json', `--out=${mine}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote 3 cases to .*mine; check an implementation against them with: se-bench conformance --golden=/);
  const manifest = JSON.parse(readFileSync(join(mine, 'manifest.json'), 'utf8')) as GoldenManifest;
  const mineCases = manifest.cases.map((c) => c.id);
  assert.deepEqual(mineCases, ['my-avg-c24-r4-conv1x1', 'my-hardsigmoid-c40-h16', 'my-max-c32-r8-nobias1']);
  // Same code path as the built-in SE cases: defaults filled, PyTorch's output stored as input*gate's digest.
  const hard = manifest.cases[1]!;
  assert.equal(hard.kind, 'se');
  assert.deepEqual(hard.spec, { reduction: 'floor', squeeze: 'avg', weightLayout: 'linear', bias1: true, bias2: true, hiddenActivation: 'relu', gate: 'hardsigmoid', channels: 40, hidden: 16, ratio: 2.5 });
  assert.ok(manifest.cases.every((c) => c.tensors.output.derived === 'input*gate' && c.tolerance === 'se-block'));

  r = cli(['conformance', `--golden=${mine}`, '--impl=reference']);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /OK: 3 pass \(3 cases x 1 implementations\)/);

  r = cli(['golden', '--cases=examples/my-cases.json', `--out=${mine}`]);
  assert.equal(r.status, 2, 'a second run does not overwrite the first');
  assert.match(r.stderr, /already holds golden data/);

  const tampered = join(tmp, 'tampered');
  cpSync(mine, tampered, { recursive: true });
  const file = join(tampered, 'my-max-c32-r8-nobias1.safetensors');
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  writeFileSync(file, bytes);
  r = cli(['conformance', `--golden=${tampered}`, '--impl=reference']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /my-max-c32-r8-nobias1\.safetensors is corrupt or edited: sha256 \w+, manifest says \w+; this folder holds your own cases: regenerate them with `se-bench golden --cases=FILE\.json --out=NEW_DIR`/);
  assert.doesNotMatch(r.stderr, /git checkout golden|npm run golden/);
});

/** A folder shaped like one `golden --cases` writes, without PyTorch: our golden/ cut down to its SE cases. */
function seOnlyCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(GOLDEN_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as GoldenManifest;
  manifest.cases = manifest.cases.filter((c) => c.kind === 'se');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

test("a damaged folder of the user's own cases says to regenerate it with golden --cases, not to restore our golden/", () => {
  const dir = seOnlyCopy('own-edited');
  const file = join(dir, 'awkward-batch1-c32-r4.safetensors');
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  writeFileSync(file, bytes);
  assert.throws(() => new GoldenSet(dir).load('awkward-batch1-c32-r4'), (e: Error) => {
    assert.match(e.message, /awkward-batch1-c32-r4\.safetensors is corrupt or edited: .*; this folder holds your own cases: regenerate them with `se-bench golden --cases=FILE\.json --out=NEW_DIR`/);
    assert.doesNotMatch(e.message, /git checkout golden|npm run golden/);
    return true;
  });
  // A whole copy of our golden/ (bottleneck and network cases too) is still ours to restore.
  const copy = join(tmp, 'our-copy');
  cpSync(GOLDEN_DIR, copy, { recursive: true });
  writeFileSync(join(copy, 'awkward-batch1-c32-r4.safetensors'), bytes);
  assert.throws(() => new GoldenSet(copy).load('awkward-batch1-c32-r4'), /corrupt or edited: .*`git checkout golden\/` to restore the committed copy$/);
});

test("the portable pack's golden pin holds for our golden/ only: a folder of the user's own cases is read", () => {
  const before = goldenSource();
  try {
    const own = seOnlyCopy('own-pinned');
    useGolden({ dir: own, manifestSha256: '0'.repeat(64), hint: 'run from the checkout' });
    assert.equal(new GoldenSet().load('awkward-batch1-c32-r4').case.kind, 'se');
    const ours = join(tmp, 'ours-pinned');
    cpSync(GOLDEN_DIR, ours, { recursive: true });
    useGolden({ dir: ours, manifestSha256: '0'.repeat(64), hint: 'run from the checkout' });
    assert.throws(() => new GoldenSet(), /is not the golden data this build was made with .*: run from the checkout$/);
  } finally {
    useGolden(before);
  }
});
