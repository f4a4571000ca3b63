import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { readResultsFile } from '../harness/bench/results-file.ts';
import { selectByGlobs } from '../harness/data/select.ts';
import { writeSafetensors } from '../harness/data/safetensors.ts';

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
  assert.match(r.stderr, /unknown command "frobnicate"; commands: conformance, bench, count, /);
  r = cli('bench', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: se-bench bench \[--device=/);
  r = cli('bench', '--min-time=fast');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--min-time must be a positive number of milliseconds, got "fast"/);
  r = cli('conformance', '--impl=reference', '--golden=README.md');
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'se-bench: --golden=README.md: is a file, not a folder; give the golden/ folder of an se-bench checkout\n');
  r = cli('list', '--golden');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--golden needs a folder: --golden=DIR/);
});

test('bench: a bad --precision, an empty --out and a folder another live run holds are one line each, exit 2, and nothing is written', () => {
  for (const bad of ['0', '-1', '51%', 'fine', '']) {
    const r = cli('bench', `--precision=${bad}`);
    assert.equal(r.status, 2, bad);
    assert.equal(r.stderr, `se-bench: --precision must be a percentage above 0 and at most 50%, such as 1.5%, got "${bad}"\n`);
  }
  for (const bad of ['', '  ']) {
    const dir = mkdtempSync(join(tmpdir(), 'se-bench-out-'));
    const r = spawnSync(process.execPath, [join(process.cwd(), 'scripts/se-bench.mjs'), 'bench', `--out=${bad}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, SE_BENCH_EXPECT: '' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^se-bench: --out is empty; give the folder to write the results into/);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
    assert.deepEqual(readdirSync(dir), [], 'nothing written into the current folder');
    rmSync(dir, { recursive: true });
  }
  // A folder held by a live process (this one) is refused, naming it; the lock and what is there are kept.
  const held = mkdtempSync(join(tmpdir(), 'se-bench-held-'));
  writeFileSync(join(held, '.se-bench.lock'), JSON.stringify({ pid: process.pid, startedAt: '2026-12-06T00:00:00Z' }));
  let r = cli('bench', `--out=${held}`, '--quick', '--no-torch');
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `se-bench: --out: ${held} is held by another bench run (pid ${process.pid}, started 2026-12-06T00:00:00Z); wait for it to finish or give another folder\n`);
  assert.deepEqual(readdirSync(held), ['.se-bench.lock']);
  rmSync(held, { recursive: true });
});

test('conformance --json prints one JSON document on stdout and nothing else', () => {
  const r = cli('conformance', '--impl=reference', '--case=awkward-*', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.cells.length, 7);
  assert.ok(report.cells.every((c: { status: string }) => c.status === 'pass'));
});

test('conformance in which nothing was checked exits 1 saying why; --allow-empty accepts it', () => {
  let r = cli('conformance', '--impl=wasm-simd', '--case=net-*');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /FAILED: \d+ unsupported .*\n {2}no check ran, so nothing was proved: wasm-simd supports none of the selected cases; pass --allow-empty/);
  r = cli('conformance', '--impl=wasm-simd', '--case=net-*', '--allow-empty');
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /^OK: \d+ unsupported/m);
});

test('conformance text output is a case x implementation table', () => {
  const r = cli('conformance', '--impl=reference', '--case=seed-*,bottleneck-pre');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^case\s+reference/m);
  assert.match(r.stdout, /^bottleneck-pre\s+PASS \d+%/m);
  assert.match(r.stdout, /OK: 6 pass/);
  // Not a TTY here: one progress line per case on stderr, with each implementation's status (there are few), none on stdout.
  const lines = r.stderr.split('\n').filter((l) => /^\[\d+\/6\] \S+ checked: reference pass \(\d+ pass so far, \d+ s\)$/.test(l));
  assert.equal(lines.length, 6, r.stderr);
  assert.match(lines[5]!, /^\[6\/6\] bottleneck-pre checked: reference pass \(6 pass so far/);
  assert.doesNotMatch(r.stdout, /so far/);
});

test('bench --quick: checked rows, results JSON and CSV, roofline, summary; bad options exit 2 before work', () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-bench-'));
  try {
    const r = cli('bench', '--quick', '--impl=reference,tfjs-wasm,wasm-simd', '--case=se/stage5*,net/resnet50/*', '--no-torch', '--min-time=20', '--resolution=32', `--out=${out}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /validation tfjs-wasm: pass on \d+ golden cases/);
    assert.match(r.stderr, /se\/stage5-2048x7x7\/b2\/r16 tfjs-wasm: median [\d.]+ ms/);
    assert.match(r.stdout, /SE blocks, r = 16/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(results.schema, 'se-bench/results@1');
    assert.ok(results.finishedAt);
    assert.deepEqual(results.run, { status: 'complete' });
    assert.doesNotThrow(() => readResultsFile(join(out, 'results.json')), 'what bench writes validates against the published schema');
    const wasm = results.rows.find((x: { impl: string; kind: string }) => x.impl === 'tfjs-wasm' && x.kind === 'se-block');
    assert.equal(wasm.status, 'ok');
    // What each sample holds, as the harness saw it: tfjs uploads and reads back in run(); wasm-simd is staged and returns a view of its heap.
    assert.deepEqual(wasm.timedRegion, { input: 'in-run', output: 'fresh', clock: 'node' });
    const simd = results.rows.find((x: { impl: string; kind: string }) => x.impl === 'wasm-simd' && x.kind === 'se-block');
    assert.deepEqual(simd.timedRegion, { input: 'staged', output: 'view', clock: 'node' });
    assert.match(r.stdout, /se\/stage5-2048x7x7\/b2\/r16 +wasm-simd .* staged\/view\/node$/m);
    assert.equal(wasm.bytes, 2 * 4 * 2 * 2048 * 7 * 7);
    assert.ok(wasm.checkRatio < 1 && wasm.rooflinePct > 0 && wasm.measurement.samplesMs.length >= 5);
    // The one-thread floor: 2 x 2 x 2048 x 128 FC multiply-adds at the measured rate, against the memory floor:
    // the copy plus a re-read of one image (2048 x 7 x 7 floats) per thread, twice (batch 2).
    assert.ok(results.macPeak.gmacPerS > 0.1, JSON.stringify(results.macPeak));
    assert.equal(wasm.threads, undefined, 'tfjs-wasm does not say its threads: one-thread ceilings');
    assert.equal(simd.threads, 1);
    assert.ok(Math.abs(wasm.computeFloorMs - (2 * 2 * 2048 * 128) / (results.macPeak.gmacPerS * 1e6)) < 1e-9);
    const copyMs = wasm.rooflinePct * wasm.measurement.medianMs / 100;
    const read = results.readCeiling.find((m: { bytes: number; threads: number }) => m.bytes === 4 * 2048 * 7 * 7 && m.threads === 1);
    assert.ok(read, JSON.stringify(results.readCeiling));
    assert.ok(Math.abs(wasm.memoryFloorMs - (copyMs + 2 * read.stats.medianMs)) < 1e-6);
    assert.ok(Math.abs(wasm.floorPct - (100 * Math.max(wasm.memoryFloorMs, wasm.computeFloorMs)) / wasm.measurement.medianMs) < 1e-6);
    assert.ok(Array.isArray(results.environment.cpuCaches) || typeof results.environment.cpuCachesMissing === 'string', 'caches, or why not');
    const net = results.rows.find((x: { kind: string; impl: string }) => x.kind === 'network' && x.impl === 'reference');
    assert.equal(net.status, 'ok');
    assert.equal(net.params, 25_557_032);
    assert.ok(results.roofline.length >= 2);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').split('\n');
    assert.match(csv[0]!, /^workload,kind,impl,device,precision,layout,shape,ratio,model,status,message,median_ms,/);
    assert.equal(csv.filter(Boolean).length, results.rows.length + 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const bad: [string[], RegExp][] = [
    [['--device=tpu'], /unknown device "tpu"; valid devices: cpu, webgpu, gpu, browser, all/],
    [['--batch=0'], /--batch must be a positive integer, got "0"/],
    [['--ratios=abc'], /--ratios must be a positive integer, got "abc"/],
    [['--ratios=512'], /ratio 512 is larger than the 256 channels of stage 2/],
    [['--net-ratios=300'], /--net-ratios: ratio 300 is larger than the 256 channels of the first SE block/],
    [['--net-samples=0'], /--net-samples must be a positive integer, got "0"/],
    [['--net-samples=20000'], /--net-samples=20000 is over 10000 per network; give 10000 or less/],
    [['--model=vgg'], /unknown model "vgg"; valid models: resnet50, /],
    [['--impl=tfjs-tpu'], /unknown implementation "tfjs-tpu"/],
    [['--case=nothing*'], /no workload matches "nothing\*"; valid workloads: se\/stage2-256x56x56\/b8\/r2, /],
    [['--compare=/nonexistent.json'], /--compare: \/nonexistent.json does not exist/],
    [['--max-slowdown=5%'], /--max-slowdown needs --compare/],
    [['--min-samples=1000000000'], /--min-samples=1000000000 is over 10000 per measurement .*; give 10000 or less/],
    [['--min-time=1e9'], /--min-time=1e9 is over 600000 ms \(10 minutes\) per measurement; give 600000 or less/],
    [['--batch=1000000000'], /se\/stage2-256x56x56\/b1000000000\/r2 would need about [\d.]+ GB of memory and [\d.]+ GB is available here; use a smaller --batch/],
    [['--resolution=100000', '--model=resnet50'], /net\/resnet50\/100000\/b1 would need about [\d.]+ GB .*; use a smaller --net-batch or --resolution/],
  ];
  for (const [args, re] of bad) {
    const b = cli('bench', ...args);
    assert.equal(b.status, 2, `${args.join(' ')}: ${b.stderr}`);
    assert.match(b.stderr, re);
  }
});

test('bench: correctness baselines (reference, tfjs-cpu) are timed at r = 16 only unless named in --impl', () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-baselines-'));
  try {
    const common = ['bench', '--quick', '--case=se/stage5*', '--ratios=8,16', '--model=none', '--no-torch', '--min-time=20'];
    let r = cli(...common, '--device=cpu', `--out=${join(out, 'a')}`);
    assert.equal(r.status, 0, r.stderr);
    let rows = readResultsFile(join(out, 'a', 'results.json')).rows;
    const row = (impl: string, ratio: number) => rows.find((x) => x.impl === impl && x.ratio === ratio)!;
    for (const impl of ['reference', 'tfjs-cpu']) {
      assert.equal(row(impl, 16).status, 'ok', impl);
      assert.equal(row(impl, 8).status, 'skipped', impl);
      assert.equal(row(impl, 8).message, 'a correctness baseline, timed at r = 16 only; name it in --impl to time every ratio');
    }
    assert.equal(row('wasm-simd', 8).status, 'ok');
    r = cli(...common, '--impl=reference', `--out=${join(out, 'b')}`);
    assert.equal(r.status, 0, r.stderr);
    rows = readResultsFile(join(out, 'b', 'results.json')).rows;
    assert.equal(row('reference', 8).status, 'ok', 'named in --impl: every ratio');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('honesty rules: failing golden, or the check on the very input to be timed, makes rows invalid and never timed; exit 1', () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-honesty-'));
  try {
    const r = cli('bench', '--impl-module=examples/my-se-broken.mjs,test/fixtures/wrong-on-timed-input.mjs', '--impl=my-se-no-sigmoid,wrong-on-timed-input',
      '--case=se/stage5*', '--batch=3', '--model=none', '--no-torch', '--quick', `--out=${join(out, 'run')}`);
    assert.equal(r.status, 1, r.stderr);
    const results = JSON.parse(readFileSync(join(out, 'run', 'results.json'), 'utf8'));
    assert.equal(results.validation['my-se-no-sigmoid'].status, 'fail');
    assert.equal(results.validation['wrong-on-timed-input'].status, 'pass');
    const row = (impl: string) => results.rows.find((x: { impl: string }) => x.impl === impl);
    assert.equal(row('my-se-no-sigmoid').status, 'invalid');
    assert.equal(row('my-se-no-sigmoid').message, 'failed golden conformance; not timed');
    assert.equal(row('wrong-on-timed-input').status, 'invalid');
    assert.match(row('wrong-on-timed-input').message, /^output differs from the float64 reference on this input \(max abs error [\d.e-]+\); not timed$/);
    for (const impl of ['my-se-no-sigmoid', 'wrong-on-timed-input']) assert.equal(row(impl).measurement, undefined, `${impl} was timed`);
    // Visible in the summary and the report too, not only in the file.
    for (const impl of ['my-se-no-sigmoid', 'wrong-on-timed-input']) assert.match(r.stdout, new RegExp(`^se/stage5\\S+ +${impl} +invalid `, 'm'));
    const html = readFileSync(join(out, 'run', 'report.html'), 'utf8');
    assert.match(html, /failed golden conformance; not timed/);
    assert.match(html, /output differs from the float64 reference on this input/);
    assert.match(html, /failing, so never timed: my-se-no-sigmoid/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('count: totals as JSON numbers, overhead vs the baseline, torchinfo-like summary, CSV', () => {
  let r = cli('count', '--model=se-resnet50', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.params, 28_088_024);
  assert.equal(j.macs, 4_091_699_200);
  assert.equal(j.flops, j.macs + j.seOpsTotal);
  assert.equal(j.overhead.params.abs, 2_530_992);
  assert.equal(j.baseline.model, 'resnet50');
  r = cli('count', '--model=se-resnet50', '--summary');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /│  │  ├─ se \(SEModule\)\s+\[1, 256, 56, 56\]\s+\[1, 256, 56, 56\]\s+8,464\s+8,192\s+1,606,176/);
  assert.match(r.stdout, /SE overhead vs resnet50: params \+2,530,992 \(\+9\.90%\), MACs \+2,514,944 \(\+0\.06%\)/);
  r = cli('count', '--model=resnext50_32x4d', '--csv');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'model,resolution,layer,type,depth,input_shape,output_shape,params,macs,se_squeeze_ops,se_activation_ops,se_gate_ops,se_bias_ops,se_scale_ops');
  assert.match(lines[1]!, /^resnext50_32x4d,224,resnext50_32x4d,ResNeXt,0,"\[1, 3, 224, 224\]","\[1, 1000\]",25028904,4230479872,/);
});

test('count and infer: bad input exits 2 with what is valid', () => {
  const cases: [string[], RegExp][] = [
    [['count'], /--model is required; valid models: resnet50, /],
    [['count', '--model=se-resnet51'], /unknown model "se-resnet51"; valid models: /],
    [['count', '--model=se-resnet50', '--stages=1'], /unknown stage 1; valid stages/],
    [['count', '--model=se-resnet50', '--position=middle'], /valid positions: standard, pre, post, identity, 3x3/],
    [['count', '--model=se-resnet50', '--ratio=abc'], /--ratio must be a positive integer, got "abc"/],
    [['count', '--model=se-resnet50', '--bias=yes'], /--bias must be on or off/],
    [['count', '--model=resnet50', '--resolution=0'], /--resolution must be a positive integer, got "0"/],
    [['count', '--model=resnet50', '--ratio=8'], /model resnet50 has no SE blocks/],
    [['count', '--model=resnet50', '--json', '--csv'], /exclusive/],
    [['infer', '--model=resnet50', '--weights=/nonexistent.safetensors', '--input=x', '--output=y'], /--weights: file \/nonexistent.safetensors does not exist/],
    // The output is checked before the weights are read or the network runs.
    [['infer', '--model=resnet50', '--weights=package.json', '--input=package.json'], /--output=FILE is required: where to write the logits \(e\.g\. --output=logits\.safetensors\)/],
    [['infer', '--model=resnet50', '--weights=package.json', '--input=package.json', '--output=/nonexistent/y.safetensors'], /--output: folder \/nonexistent does not exist/],
    [['infer', '--model=resnet50', '--weights=package.json', '--input=package.json', '--output=test'], /--output: test is a folder; give a file name such as test\/logits\.safetensors/],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-infer-bad-'));
  const nanInput = join(dir, 'nan.safetensors');
  const data = new Float32Array(2 * 3 * 8 * 8).fill(0.5);
  data[3 * 64 + 5] = Number.NaN;
  writeSafetensors(nanInput, { input: { shape: [2, 3, 8, 8], data } });
  cases.push([['infer', '--model=resnet50', '--weights=package.json', `--input=${nanInput}`, `--output=${join(dir, 'out.safetensors')}`],
    /--input .*nan\.safetensors: tensor "input" has 1 NaN or infinite value\(s\), the first at \[1, 0, 0, 5\]; logits of such an input mean nothing: fix the input/]);
  for (const [args, re] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  rmSync(dir, { recursive: true, force: true });
  const zero = cli('count', '--model=se-resnet50', '--ratio=300', '--json');
  assert.equal(zero.status, 0);
  assert.match(zero.stderr, /warning: SE hidden width is 0 in 3 block/);
});

test('paper prints every figure with ours and a verdict', () => {
  const r = cli('paper');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /SE-ResNet-50\s+3\.87\s+3\.87156\s+\+0\.0016\s+GFLOPs\s+agrees/);
  assert.match(r.stdout, /r = 4\s+35\.7\s+35\.6357\d?\s+-0\.064\s+M params\s+rounded up/);
  assert.match(r.stdout, /21 figures: 15 agree at the paper's rounding, 5 only when the exact count is rounded up, 1 differ\./);
});

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`bench: ${signal} keeps every measurement made so far, marks the run interrupted, writes the report, exits ${code}`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'se-bench-signal-'));
    try {
      const child = spawn(process.execPath, ['scripts/se-bench.mjs', 'bench', '--impl=reference', '--model=none', '--no-torch', '--min-time=100', `--out=${out}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      const deadline = Date.now() + 60_000;
      while (!/\[2\/\d+\]/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const running = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      assert.deepEqual(running.run, { status: 'running' }, 'a run in progress says so');
      child.kill(signal);
      assert.equal(await exited, code);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      assert.deepEqual(results.run, { status: 'interrupted', signal });
      readResultsFile(join(out, 'results.json')); // an interrupted file validates too
      assert.ok(results.rows.length >= 2);
      assert.match(stderr, new RegExp(`interrupted by ${signal}: ${results.rows.length} measurements kept in ${join(out, 'results.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, marked interrupted`));
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      assert.match(html, new RegExp(`class="incomplete" role="alert">.*INCOMPLETE: this run was interrupted \\(${signal}\\)`));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}

test('bench: SIGTERM during a call that holds the event loop for 60 s stops within seconds, keeps the run, marks it interrupted, leaves no process', async () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-signal-busy-'));
  try {
    const child = spawn(process.execPath, ['scripts/se-bench.mjs', 'bench', '--impl-module=test/fixtures/blocks-event-loop.mjs', '--impl=blocks-event-loop', '--model=none',
      '--no-torch', '--quick', `--out=${out}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const deadline = Date.now() + 60_000;
    while (!/^results: /m.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // validation is now inside the plug-in's 60 s run
    const t0 = Date.now();
    child.kill('SIGTERM');
    assert.equal(await exited, 143, stderr);
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(seconds < 10, `stopped after ${seconds} s`);
    const results = readResultsFile(join(out, 'results.json'));
    assert.deepEqual(results.run, { status: 'interrupted', signal: 'SIGTERM' });
    assert.match(stderr, /interrupted by SIGTERM: 0 measurements kept in .*results\.json, marked interrupted \(the call in progress did not yield within 2 s and was stopped\)/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /INCOMPLETE: this run was interrupted \(SIGTERM\)/);
    const left = spawnSync('ps', ['-A', '-o', 'args='], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('blocks-event-loop.mjs') && l.includes(out));
    assert.deepEqual(left, [], 'the busy child was killed');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('bench never overwrites an earlier run: same --out, --compare inside it, --out a file or unwritable all exit 2 before work, files intact', () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-keep-'));
  try {
    const small = ['bench', '--quick', '--impl=reference', '--case=se/stage5*', '--model=none', '--no-torch', '--min-time=20'];
    const first = cli(...small, `--out=${out}`);
    assert.equal(first.status, 0, first.stderr);
    const files = ['results.json', 'results.csv', 'report.html'];
    const before = files.map((f) => readFileSync(join(out, f)));
    const refusals: [string[], RegExp][] = [
      [[`--out=${out}`], /--out: .* already holds results\.json, results\.csv, report\.html \(a run started 20\d\d-.*\); se-bench never overwrites a measurement: give a new folder/],
      [[`--out=${out}`, `--compare=${join(out, 'results.json')}`], /already holds results\.json/],
      [[`--out=${join(out, 'results.json')}`], /--out: .*results\.json is a file; give a folder/],
      [['--out=/proc/se-bench-test/run'], /--out: cannot write into \/proc\/se-bench-test\/run \(E[A-Z]+\); give a folder you can write/],
    ];
    for (const [args, re] of refusals) {
      const r = cli(...small, ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at .*\.(ts|js|mjs):\d+/, 'no stack trace');
      assert.doesNotMatch(r.stderr, /validation|devices:/, 'refused before any work');
    }
    files.forEach((f, i) => assert.deepEqual(readFileSync(join(out, f)), before[i], `${f} changed`));
    for (const [dest, re] of [[join(out, 'results.json'), /--out: .*results\.json is a file/], ['/proc/se-bench-test', /--out: cannot write .*\/proc\/se-bench-test/]] as const) {
      const r = cli('report', out, `--out=${dest}`);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('report and --compare: no files, a missing file, another kind, broken JSON, an older schema and invalid fields exit 2 naming what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-report-bad-'));
  const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
  const broken = write('broken.json', '{');
  const good = JSON.parse(readFileSync('reports/baselines/vm-2core-xeon-2026-12-01.json', 'utf8'));
  const older = write('older.json', JSON.stringify({ ...good, schema: 'se-bench/results@0' }));
  const noRows = write('no-rows.json', JSON.stringify({ ...good, rows: undefined }));
  const badRow = write('bad-row.json', JSON.stringify({ ...good, rows: [{ ...good.rows[0], status: 'great' }, { ...good.rows[1], measurement: undefined }] }));
  const cases: [string[], RegExp][] = [
    [[], /give one or more results\.json files or directories/],
    [['/nonexistent'], /\/nonexistent does not exist; give a results\.json written by npm run bench/],
    [['golden/manifest.json'], /golden\/manifest\.json has schema 1; this version reads se-bench\/results@1: give a results\.json written by npm run bench/],
    [[broken], /broken\.json is not JSON/],
    [[older], /older\.json has schema "se-bench\/results@0"; this version reads se-bench\/results@1: open it with the se-bench version that wrote it, or run the bench again/],
    [[noRows], /no-rows\.json is not a valid se-bench\/results@1 file: rows is missing; schema: schemas\/results-v1\.schema\.json/],
    [[badRow], /bad-row\.json is not a valid se-bench\/results@1 file: rows\/0\/status must be one of ok, invalid, failed, skipped; rows\/1\/measurement is missing/],
  ];
  for (const [args, re] of cases) {
    const r = cli('report', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.(ts|js|mjs):\d+/, 'no stack trace');
  }
  const r = cli('bench', `--compare=${noRows}`);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--compare: .*no-rows\.json is not a valid se-bench\/results@1 file: rows is missing/);
  rmSync(dir, { recursive: true, force: true });
});

test('the committed baseline validates against the published results schema', () => {
  const out = mkdtempSync(join(tmpdir(), 'se-bench-baseline-'));
  const r = cli('report', 'reports/baselines/vm-2core-xeon-2026-12-01.json', `--out=${out}`);
  rmSync(out, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
});

test('an internal fault is one line with the message and the path of a file holding the whole trace', async () => {
  const { internalError } = await import('../harness/cli/main.ts');
  const line = internalError(new Error('boom\nsecond line'), ['bench', '--quick']);
  const m = /^se-bench: internal error: boom; the full trace is in (\S+\.log) \(please include it when you report this\)$/.exec(line);
  assert.ok(m, line);
  const trace = readFileSync(m[1]!, 'utf8');
  rmSync(m[1]!);
  assert.match(trace, /^se-bench bench --quick\nnode v\d+/);
  assert.match(trace, /Error: boom\nsecond line\n\s+at /);
});

test('SE_BENCH_WASM_THREADS of 0, negative, above the core count or not a number: one line naming it, exit 2, on every command that lists implementations', () => {
  const cores = availableParallelism();
  for (const [bad, command] of [['0', 'list'], ['-2', 'bench'], [String(cores + 1), 'conformance'], ['two', 'devices'], ['1.5', 'list']] as const) {
    const r = spawnSync(process.execPath, ['scripts/se-bench.mjs', command, ...(command === 'bench' ? ['--impl=wasm-simd-mt', '--quick'] : [])],
      { encoding: 'utf8', env: { ...process.env, SE_BENCH_EXPECT: '', SE_BENCH_WASM_THREADS: bad } });
    assert.equal(r.status, 2, `${command} with ${bad}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^se-bench: SE_BENCH_WASM_THREADS must be an integer from 1 to ${cores} \\(the cores here\\), got "${bad.replace('.', '\\.')}"`));
    assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+/, 'no stack trace');
  }
  const ok = spawnSync(process.execPath, ['scripts/se-bench.mjs', 'list', '--json'], { encoding: 'utf8', env: { ...process.env, SE_BENCH_EXPECT: '', SE_BENCH_WASM_THREADS: '1' } });
  assert.equal(ok.status, 0, ok.stderr);
});

test('--case exclusions: "!glob" removes matches; only exclusions start from every case; an exclusion matching nothing or leaving nothing is a usage error', () => {
  const ids = ['seed-a', 'ablation-x', 'ablation-y', 'net-z'];
  assert.deepEqual(selectByGlobs(ids, ['!ablation-*'], 'case'), ['seed-a', 'net-z']);
  assert.deepEqual(selectByGlobs(ids, ['ablation-*', '!ablation-y'], 'case'), ['ablation-x']);
  assert.throws(() => selectByGlobs(ids, ['!nope-*'], 'case'), /no case matches "!nope-\*"/);
  assert.throws(() => selectByGlobs(ids, ['ablation-*', '!ablation-*'], 'case'), /leaves no case: every match is excluded/);
  assert.throws(() => selectByGlobs(ids, ['!'], 'case'), /exclusion is "!" followed by a glob/);
});
