/**
 * --impl-onnx / --onnx-map: a user's ONNX graph of an SE block, gated and
 * timed on the ORT back ends as onnx-<stem>-ort-*. Graphs come from
 * se-bench's own exporter and a hand-built torch-like graph (always), and
 * from torch.onnx.export (skipped without PyTorch unless SE_BENCH_REQUIRE_TORCH=1).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { seOnnx } from '../harness/data/onnx/index.ts';
import { makeSeSpec, seWeightShapes } from '../harness/model/spec.ts';
import { PYTHON } from '../harness/host/python.ts';
import { pythonMissing } from './helpers.ts';

const { onnx } = onnxProto;
const tmp = mkdtempSync(join(tmpdir(), 'se-bench-impl-onnx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/se-bench.mjs', ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, SE_BENCH_EXPECT: '' } });
}

interface Cell { caseId: string; impl: string; status: string; message?: string }
function cells(stdout: string): Cell[] {
  return (JSON.parse(stdout) as { cells: Cell[] }).cells;
}

/** se-bench's own export of an SE block (initializers fc1.weight [h, C, 1, 1] etc.); the values are replaced by each case's. */
function ownExport(name: string, spec: Parameters<typeof makeSeSpec>[0]): string {
  const s = makeSeSpec(spec);
  const weights = Object.fromEntries(Object.entries(seWeightShapes(s)).map(([k, shape]) => [k, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }]));
  const path = join(tmp, name);
  writeFileSync(path, seOnnx(s, weights));
  return path;
}

/**
 * A graph shaped like torch.onnx.export of Linear(C, h, bias=False) -> ReLU ->
 * Linear(h, C) -> Sigmoid: fc1's weight transposed under "onnx::MatMul_29",
 * fc2 a Gemm with transB = 1, an int64 shape initializer, optionally a float
 * constant `extra` the map must keep.
 */
function torchLike(name: string, c: number, h: number, extra = false): string {
  const f = (n: string, dims: number[]) => ({ name: n, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });
  const shape = { name: 'shape', dims: [4], dataType: onnx.TensorProto.DataType.INT64, int64Data: [0, -1, 1, 1] };
  const vi = (n: string, dim: (number | string)[]) => ({ name: n, type: { tensorType: { elemType: 1, shape: { dim: dim.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
  const node = (opType: string, input: string[], output: string, attribute: object[] = []) => ({ opType, input, output: [output], name: output, attribute });
  const graph = {
    name: 'torch_like',
    input: [vi('input', ['N', c, 'H', 'W'])],
    output: [vi('output', ['N', c, 'H', 'W']), vi('gate', ['N', c])],
    initializer: [f('onnx::MatMul_29', [c, h]), f('fc2.weight', [c, h]), f('fc2.bias', [c]), shape, ...(extra ? [{ ...f('one', [1]), rawData: new Uint8Array(new Float32Array([1]).buffer) }] : [])],
    node: [
      node('GlobalAveragePool', ['input'], 'pooled'),
      node('Flatten', ['pooled'], 'flat'),
      node('MatMul', ['flat', 'onnx::MatMul_29'], 'z1'),
      node('Relu', ['z1'], 'z'),
      node('Gemm', ['z', 'fc2.weight', 'fc2.bias'], 'logits', [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      node('Sigmoid', ['logits'], extra ? 'gate0' : 'gate'),
      ...(extra ? [node('Mul', ['gate0', 'one'], 'gate')] : []),
      node('Reshape', ['gate', 'shape'], 'gate4'),
      node('Mul', ['input', 'gate4'], 'output'),
    ],
  };
  const path = join(tmp, name);
  writeFileSync(path, onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'test', graph }).finish());
  return path;
}

test('se-bench\'s own export, default names: passes its cases, declines other shapes and variants with the reason', () => {
  const file = ownExport('c64r4.onnx', { channels: 64, ratio: 4 });
  const r = cli('conformance', `--impl-onnx=${file}`, '--impl=onnx-c64r4-ort-cpu,onnx-c64r4-ort-wasm', '--case=awkward-*,ablation-*', '--json');
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const got = cells(r.stdout);
  const status = (id: string) => new Set(got.filter((c) => c.caseId === id).map((c) => c.status));
  const reason = (id: string) => got.find((c) => c.caseId === id)!.message ?? '';
  assert.deepEqual(status('awkward-spatial1x1-c64-r4'), new Set(['pass']));
  assert.equal(got.filter((c) => c.status === 'pass').length, 2, 'only awkward-spatial1x1-c64-r4 fits, on both back ends');
  assert.ok(got.every((c) => c.status === 'pass' || c.status === 'unsupported'), JSON.stringify(got));
  assert.match(reason('awkward-batch1-c32-r4'), /was not made for this case: the graph's input "x" has 64 channels; this case has 32 channels, hidden width 8/);
  assert.match(reason('ablation-squeeze-max'), /squeezes by max, the graph has no GlobalMaxPool/);
  assert.match(reason('ablation-nosqueeze'), /no squeeze \(NoSqueeze\), the graph pools/);
  assert.match(reason('ablation-hidden-tanh'), /hidden activation is tanh, the graph has no Tanh node/);
  assert.match(reason('ablation-hidden-sigmoid'), /no Sigmoid besides the gate's/);
  assert.match(reason('ablation-hidden-relu-bias2-only'), /the graph has fc1\.bias, this case has none/);
  assert.match(reason('ablation-nobias'), /the graph has fc1\.bias, fc2\.bias, this case has none/);
});

test('a torch-like graph: --onnx-map names the transposed MatMul weight (inline or @file); int64 initializers stay; a float constant needs null', () => {
  const file = torchLike('torchlike.onnx', 64, 4);
  const map = join(tmp, 'map.json');
  writeFileSync(map, JSON.stringify({ 'onnx::MatMul_29': 'fc1.weight' }));
  for (const option of [`--onnx-map=@${map}`, '--onnx-map={"onnx::MatMul_29": "fc1.weight"}']) {
    const r = cli('conformance', `--impl-onnx=${file}`, option, '--impl=onnx-torchlike-ort-cpu', '--case=seed-*');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /seed-se_block-64-r16\s+PASS/);
    assert.match(r.stdout, /OK: 1 pass, 4 unsupported/);
  }
  const extra = torchLike('extra.onnx', 64, 4, true);
  let r = cli('conformance', `--impl-onnx=${extra}`, '--onnx-map={"onnx::MatMul_29": "fc1.weight"}', '--impl=onnx-extra-ort-cpu', '--case=seed-se_block-64-r16');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^se-bench: --impl-onnx=.*extra\.onnx: float initializer "one" is neither a golden SE weight .* or to null to keep it as a constant\n$/);
  r = cli('conformance', `--impl-onnx=${extra}`, '--onnx-map={"onnx::MatMul_29": "fc1.weight", "one": null}', '--impl=onnx-extra-ort-cpu', '--case=seed-se_block-64-r16');
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

test('files and maps that cannot be used: one line, exit 2, before any case runs', () => {
  const file = torchLike('bad-map.onnx', 64, 4);
  const text = join(tmp, 'text.onnx');
  writeFileSync(text, 'not an onnx model\n');
  mkdirSync(join(tmp, 'folder.onnx'));
  const cases: [string[], RegExp][] = [
    [[`--impl-onnx=${join(tmp, 'missing.onnx')}`], /missing\.onnx: no such file/],
    [[`--impl-onnx=${join(tmp, 'folder.onnx')}`], /folder\.onnx: is not a file/],
    [[`--impl-onnx=${text}`], /text\.onnx: is not an ONNX model/],
    [[`--impl-onnx=${file}`], /float initializer "onnx::MatMul_29" is neither a golden SE weight \(fc1\.weight, fc2\.weight, fc1\.bias, fc2\.bias\) nor in --onnx-map/],
    [[`--impl-onnx=${file}`, '--onnx-map={"onnx::MatMul_29": "fc3.weight"}'], /maps "onnx::MatMul_29" to "fc3\.weight", which is not a golden SE weight/],
    [[`--impl-onnx=${file}`, '--onnx-map={"onnx::MatMul_29": "fc1.weight", "fc9": "fc1.weight"}'], /--onnx-map names "fc9", which is neither an initializer nor an input of the graph/],
    [[`--impl-onnx=${file}`, '--onnx-map={"onnx::MatMul_29": '], /--onnx-map: not valid JSON/],
    [[`--impl-onnx=${file}`, `--onnx-map=@${join(tmp, 'nope.json')}`], /no such file; give a JSON object inline/],
    [['--onnx-map={}'], /--onnx-map needs --impl-onnx=FILE\.onnx/],
  ];
  for (const [args, want] of cases) {
    const r = cli('conformance', '--impl=reference', '--case=seed-se_block-64-r16', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '', 'no case ran');
  }
});

const EXPORT = `
import sys, torch, torch.nn as nn
out = sys.argv[1]
class SE(nn.Module):
    def __init__(s, c, h, bias1):
        super().__init__()
        s.pool = nn.AdaptiveAvgPool2d(1); s.fc1 = nn.Linear(c, h, bias=bias1); s.relu = nn.ReLU()
        s.fc2 = nn.Linear(h, c); s.sigmoid = nn.Sigmoid()
    def forward(s, x):
        g = s.sigmoid(s.fc2(s.relu(s.fc1(s.pool(x).flatten(1)))))
        return x * g[:, :, None, None], g
def export(name, c, h, bias1, **kw):
    path = f'{out}/{name}.onnx'
    torch.onnx.export(SE(c, h, bias1).eval(), torch.randn(2, c, 7, 7), path, input_names=['x'], output_names=['y', 'gate'],
                      opset_version=13, dynamic_axes={'x': {0: 'N', 2: 'H', 3: 'W'}}, **kw)
export('se64', 64, 4, False)                                      # seed-se_block-64-r16: no fc1 bias, so fc1 is a MatMul
export('se64-inputs', 64, 4, False, keep_initializers_as_inputs=True)
export('se64-noparams', 64, 4, False, export_params=False)        # weights only as graph inputs
export('se256', 256, 16, True)                                    # the bench's stage-2 block at r = 16
`;

test('torch.onnx.export of an SE block: passes its golden case on ORT, weights as initializers or inputs; bench times it', (t) => {
  const missing = pythonMissing('torch');
  if (missing) return t.skip(missing);
  const dir = join(tmp, 'torch');
  mkdirSync(dir);
  const py = spawnSync(PYTHON, ['-c', EXPORT, dir], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(py.status, 0, py.stderr);
  for (const stem of ['se64', 'se64-inputs', 'se64-noparams']) {
    const file = join(dir, `${stem}.onnx`);
    // As a user would: list the names (here with onnx-proto; python -c "import onnx; ..." in docs/own-onnx.md) and map torch's MatMul weight.
    const graph = onnx.ModelProto.decode(readFileSync(file)).graph!;
    const matmul = [...graph.initializer!.map((i) => i.name!), ...graph.input!.map((i) => i.name!)].find((n) => n.startsWith('onnx::MatMul'))!;
    const r = cli('conformance', `--impl-onnx=${file}`, `--onnx-map={"${matmul}": "fc1.weight"}`, `--impl=onnx-${stem}-ort-cpu,onnx-${stem}-ort-wasm`, '--case=seed-*', '--json');
    assert.equal(r.status, 0, `${stem}: ${r.stderr}${r.stdout}`);
    const got = cells(r.stdout);
    assert.deepEqual(got.filter((c) => c.status === 'pass').map((c) => c.caseId), ['seed-se_block-64-r16', 'seed-se_block-64-r16'], stem);
    assert.ok(got.filter((c) => c.caseId !== 'seed-se_block-64-r16').every((c) => c.status === 'unsupported' && /was not made for this case/.test(c.message ?? '')), JSON.stringify(got));
  }
  const out = join(tmp, 'bench');
  const r = cli('bench', `--impl-onnx=${join(dir, 'se256.onnx')}`, '--impl=onnx-se256-ort-cpu', '--model=none', '--blocks=resnet50', '--case=se/stage2*', '--quick', '--no-torch', `--out=${out}`);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: { impl: string; status: string; measurement?: { medianMs: number } }[]; validation: Record<string, { status: string; cases: number }> };
  assert.deepEqual(results.validation['onnx-se256-ort-cpu'], { status: 'pass', cases: 2, failures: [] });
  const row = results.rows.find((x) => x.impl === 'onnx-se256-ort-cpu');
  assert.equal(row?.status, 'ok', JSON.stringify(row));
  assert.ok(row.measurement!.medianMs > 0);
});
