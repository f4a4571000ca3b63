/**
 * ONNX Runtime implementations under bad conditions: a corrupt model is a
 * clear refusal (never a crash or a hang), a broken onnxruntime-node install
 * makes only its implementations unavailable with the reason, and the
 * environment variables they read are checked and recorded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { restoreEnvAfter } from './helpers.ts';
import { seOnnx } from '../harness/data/onnx/index.ts';
import { drawWeights } from '../harness/bench/workloads.ts';
import { makeSeSpec, seWeightShapes } from '../harness/model/spec.ts';
import { createSession } from '../impls/ort/implementation.ts';
import { ortImplementations } from '../impls/ort/index.ts';
import { nodeCpu } from '../impls/ort/runtimes-node.ts';
import { webWasm } from '../impls/ort/runtimes-web.ts';

const spec = makeSeSpec({ channels: 32, ratio: 4 });
const model = seOnnx(spec, drawWeights(seWeightShapes(spec)));

/**
 * Damage that breaks the file's structure: cut short, its header overwritten,
 * not a model at all, empty. (Bytes changed inside a weight's data still load:
 * only the golden check on the outputs can see those.)
 */
function corruptions(): Record<string, Uint8Array> {
  const overwritten = model.slice();
  overwritten.fill(0xff, 0, 16);
  return {
    truncated: model.slice(0, Math.floor(model.length / 2)),
    'header overwritten': overwritten,
    text: new TextEncoder().encode('this is not an ONNX model\n'),
    empty: new Uint8Array(0),
  };
}

for (const [runtime, load] of [['onnxruntime-node CPU', nodeCpu], ['onnxruntime-web wasm', () => webWasm()]] as const) {
  test(`${runtime} refuses a corrupt model with one line naming the model, and still runs a good one after`, async () => {
    const rt = await load();
    for (const [how, bytes] of Object.entries(corruptions())) {
      await assert.rejects(createSession(rt, bytes, 'ort: ONNX Runtime refused the SE model'), (e: Error) => {
        assert.match(e.message, /^ort: ONNX Runtime refused the SE model: \S/, `${how}: ${e.message}`);
        assert.ok(!e.message.includes('\n'), `${how}: one line, got ${e.message}`);
        return true;
      }, `${how} bytes were accepted`);
    }
    const session = await createSession(rt, model, 'good model');
    assert.deepEqual([...session.outputNames].sort(), ['gate', 'y']);
    await session.release();
  });
}

test('a broken onnxruntime-node makes ort-cpu unavailable with the loader\'s reason; ort-wasm still passes; exit 0', () => {
  const r = spawnSync(process.execPath, ['--import', './test/fixtures/ort-node-broken.mjs', 'scripts/se-bench.mjs', 'conformance', '--impl=ort-cpu,ort-wasm', '--case=seed-*'], { encoding: 'utf8', env: { ...process.env, SE_BENCH_EXPECT: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /skipped ort-cpu: onnxruntime-node cannot be loaded: libonnxruntime\.so\.1: cannot open shared object file.*; to enable: npm install onnxruntime-node/);
  assert.match(r.stdout, /OK: 5 skipped, 5 pass \(5 cases x 2 implementations\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('SE_BENCH_ORT_GRAPH_OPT and SE_BENCH_ORT_THREADS: a bad value makes every ORT implementation unavailable with it; a good one is recorded', async (t) => {
  restoreEnvAfter(t, 'SE_BENCH_ORT_GRAPH_OPT', 'SE_BENCH_ORT_THREADS');
  /** The probe's answer, flattened so a test can read any field. */
  const probe = async (name: string): Promise<{ available: boolean; reason?: string; installHint?: string; detail?: string }> => ortImplementations().find((i) => i.name === name)!.probe();
  process.env.SE_BENCH_ORT_GRAPH_OPT = 'fastest';
  for (const name of ['ort-cpu', 'ort-wasm']) {
    const a = await probe(name);
    assert.equal(a.available, false, name);
    assert.match(a.reason!, /SE_BENCH_ORT_GRAPH_OPT must be one of all, extended, basic, disabled, got "fastest"/);
    assert.match(a.installHint!, /SE_BENCH_ORT_GRAPH_OPT=all/);
  }
  process.env.SE_BENCH_ORT_GRAPH_OPT = 'extended';
  process.env.SE_BENCH_ORT_THREADS = 'two';
  assert.match((await probe('ort-cpu')).reason ?? '', /SE_BENCH_ORT_THREADS must be a positive integer, got "two"/);
  process.env.SE_BENCH_ORT_THREADS = '2';
  const cpu = await probe('ort-cpu');
  assert.equal(cpu.available, true);
  assert.match(cpu.detail!, /2 threads, graph optimisation extended$/);
});
