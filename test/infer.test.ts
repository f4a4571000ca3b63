import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PYTHON } from '../harness/host/python.ts';
import { compareTensors } from '../harness/check/compare.ts';
import { getF32, readSafetensors } from '../harness/data/safetensors.ts';
import { toleranceFor } from '../harness/check/tolerances.ts';
import { pythonMissing } from './helpers.ts';

const missing = pythonMissing('torch, torchvision, numpy');

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/se-bench.mjs', ...args], { encoding: 'utf8' });
}

test('infer with a PyTorch state dict reproduces PyTorch\'s logits and SE gates', { skip: missing }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-infer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const py = spawnSync(PYTHON, ['scripts/export_state_dict.py', '--model', 'se-resnext50_32x4d', '--bias', 'off', '--out', dir], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const out = join(dir, 'out.safetensors');
  const args = [`--weights=${join(dir, 'weights.safetensors')}`, `--input=${join(dir, 'input.safetensors')}`, `--output=${out}`];
  const r = cli('infer', '--model=se-resnext50_32x4d', '--bias=off', ...args, '--gates');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /logits 1x1000, 16 SE gates/);
  const got = readSafetensors(out);
  const want = readSafetensors(join(dir, 'expected.safetensors'));
  const tol = toleranceFor('network', 'fp64');
  assert.equal(got.entries.size, want.entries.size);
  for (const name of want.entries.keys()) {
    const c = compareTensors(getF32(got, name), getF32(want, name), tol);
    assert.ok(c.ok, `${name}: max abs error ${c.maxAbsErr}`);
  }

  const wrong = cli('infer', '--model=se-resnet50', ...args);
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /mis-shaped \(176\): .*layer1\.0\.conv2\.weight is \[128, 4, 3, 3\], expected \[64, 64, 3, 3\]/);
  assert.match(wrong.stderr, /The file matches --model=se-resnext50_32x4d --bias=off\./);
});

test('infer reads torchvision\'s own randomly initialised mobilenet_v3_large and efficientnet_b0: PyTorch\'s logits within rel-L2 1e-4 on reference and ort-cpu', { skip: missing }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-infer-tv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const model of ['mobilenet_v3_large', 'efficientnet_b0']) {
    const at = join(dir, model);
    const py = spawnSync(PYTHON, ['scripts/export_state_dict.py', '--model', model, '--init', 'torchvision', '--seed', '3', '--out', at], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const want = readSafetensors(join(at, 'expected.safetensors'));
    for (const impl of ['reference', 'ort-cpu']) {
      const out = join(at, `${impl}.safetensors`);
      const r = cli('infer', `--model=${model}`, `--impl=${impl}`, `--weights=${join(at, 'weights.safetensors')}`, `--input=${join(at, 'input.safetensors')}`, `--output=${out}`, '--gates');
      assert.equal(r.status, 0, `${model} on ${impl}: ${r.stderr}`);
      const got = readSafetensors(out);
      assert.equal(got.entries.size, want.entries.size, `${model} on ${impl}: logits and one gate per SE block`);
      const logits = compareTensors(getF32(got, 'logits'), getF32(want, 'logits'), toleranceFor('network', impl === 'reference' ? 'fp64' : 'fp32'));
      assert.ok(logits.relL2 < 1e-4, `${model} on ${impl}: logits rel-L2 ${logits.relL2}`);
      t.diagnostic(`${model} on ${impl}: logits rel-L2 ${logits.relL2.toExponential(2)}`);
      for (const name of [...want.entries.keys()].filter((k) => k.startsWith('gate.'))) {
        const g = compareTensors(getF32(got, name), getF32(want, name), toleranceFor('network', 'fp32'));
        assert.ok(g.relL2 < 1e-4, `${model} on ${impl}: ${name} rel-L2 ${g.relL2}`);
      }
    }
  }
});
