import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GOLDEN_DIR, GoldenSet, type GoldenManifest } from '../harness/data/golden.ts';
import { pythonMissing } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'se-bench-golden-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A private copy of golden/ to damage. */
function copyGolden(name: string): string {
  const dir = join(tmp, name);
  cpSync(GOLDEN_DIR, dir, { recursive: true });
  return dir;
}

test('manifest covers the issue\'s case families with stable ids and records versions', () => {
  const g = new GoldenSet();
  const ids = g.ids();
  for (const pattern of [/^seed-/, /^stage2-.*-floor$/, /^stage5-.*-divisor8$/, /^awkward-batch5/, /^ablation-nosqueeze$/, /^bottleneck-3x3$/]) {
    assert.ok(ids.some((id) => pattern.test(id)), `no case matches ${pattern}`);
  }
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  assert.match(g.manifest.generator.torch!, /^\d+\.\d+/);
  assert.equal(g.get('seed-maxpool-64-r3').params, 2773);
  assert.equal(g.get('seed-se_block-64-r16').params, 576);
  const hidden0 = g.load('seed-se_block-3-r16-hidden0');
  assert.deepEqual(hidden0.weights['fc1.weight']!.shape, [0, 3]);
});

test('an edited golden file is caught by sha256, naming the file and the fix', () => {
  const dir = copyGolden('edited');
  const file = join(dir, 'awkward-batch1-c32-r4.safetensors');
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  writeFileSync(file, bytes);
  assert.throws(() => new GoldenSet(dir).load('awkward-batch1-c32-r4'),
    /awkward-batch1-c32-r4\.safetensors is corrupt or edited: sha256 .* manifest says .*npm run golden/);
});

test('a PRNG-drawn tensor whose draw no longer matches its digest is caught', () => {
  const dir = copyGolden('drift');
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as GoldenManifest;
  const stage = manifest.cases.find((c) => c.id === 'stage2-256x56x56-b2-r16-floor')!;
  stage.tensors.input.prng!.seed += 1;
  writeFileSync(path, JSON.stringify(manifest));
  assert.throws(() => new GoldenSet(dir).load(stage.id), /input regenerated from PRNG stream "input" \(seed 357\) has sha256 .*npm run golden/);
});

test('an SE output rebuilt as input*gate must match PyTorch\'s digest; a derived output without a gate is refused', () => {
  const g = new GoldenSet();
  const se = g.manifest.cases.filter((c) => c.kind === 'se');
  assert.ok(se.every((c) => c.tensors.output.derived === 'input*gate' && !c.tensors.output.file), 'every SE output is derived, none stored');
  const mbv3 = g.load('mbv3-se-72x28x28-hardsigmoid');
  assert.equal(mbv3.output.data[5 * 784 + 3], Math.fround(mbv3.input.data[5 * 784 + 3]! * mbv3.gate!.data[5]!));
  const dir = copyGolden('derived');
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as GoldenManifest;
  const stage = manifest.cases.find((c) => c.id === 'stage5-2048x7x7-b2-r16-floor')!;
  stage.tensors.output.sha256 = stage.tensors.output.sha256.replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
  const hidden0 = manifest.cases.find((c) => c.id === 'seed-se_block-3-r16-hidden0')!;
  delete hidden0.tensors.gate;
  writeFileSync(path, JSON.stringify(manifest));
  assert.throws(() => new GoldenSet(dir).load(stage.id), /stage5-2048x7x7-b2-r16-floor output rebuilt as input\*gate has sha256 .* manifest says .*npm run golden/);
  assert.throws(() => new GoldenSet(dir).load(hidden0.id), /seed-se_block-3-r16-hidden0 output: derived from input\*gate, but the case has no gate/);
});

test('missing golden data says which command creates it', () => {
  assert.throws(() => new GoldenSet(join(tmp, 'nowhere')), /golden manifest not found at .*: run `npm run golden` to create it/);
  const dir = copyGolden('missing-file');
  rmSync(join(dir, 'ablation-nobias.safetensors'));
  assert.throws(() => new GoldenSet(dir).load('ablation-nobias'), /ablation-nobias\.safetensors is missing; run `npm run golden`/);
  assert.throws(() => new GoldenSet(dir).get('no-such-case'), /unknown golden case "no-such-case"; valid ids: seed-se_block-64-r16/);
});

test('npm run golden reproduces the committed golden/ byte for byte', (t) => {
  const missing = pythonMissing('torch, torchvision, numpy');
  if (missing) return t.skip(missing);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', 'golden', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /reproduced byte for byte/);
});
