import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { onHardwareAdapter, parseDevices, selectImplementations } from '../harness/host/devices.ts';
import { UsageError } from '../harness/data/select.ts';
import { loadImplementations } from '../harness/cli/implementations.ts';
import type { Availability, SeImplementation } from '../harness/contract/implementation.ts';

function cli(...args: string[]) {
  // The timeout turns a process kept alive by Dawn into a failure instead of a hung test run.
  return spawnSync(process.execPath, ['scripts/se-bench.mjs', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, SE_BENCH_EXPECT: '' } });
}

test('--device parsing: lists, all, and bad input naming the valid devices', () => {
  assert.equal(parseDevices(undefined), undefined);
  assert.deepEqual(parseDevices('webgpu, cpu'), ['cpu', 'webgpu']);
  assert.deepEqual(parseDevices('all'), ['cpu', 'webgpu', 'gpu', 'browser']);
  assert.throws(() => parseDevices('tpu'), (e) => e instanceof UsageError && /unknown device "tpu"; valid devices: cpu, webgpu, gpu, browser, all/.test(e.message));
  assert.throws(() => parseDevices(' , '), /the device list is empty; give one or more of: cpu, webgpu, gpu, browser, all/);
});

test('selection by device: cpu and webgpu split the registry; gpu sees the webgpu implementations restricted to hardware', async () => {
  const { registry: full } = await loadImplementations({});
  const cpu = selectImplementations(full, ['cpu'], undefined);
  assert.deepEqual(cpu.names, ['reference', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-node', 'wasm-simd', 'wasm-simd-mt', 'ort-cpu', 'ort-wasm']);
  assert.deepEqual(selectImplementations(full, ['webgpu'], undefined).names, ['tfjs-webgpu', 'wgsl-fused', 'ort-webgpu']);
  const gpu = selectImplementations(full, ['gpu'], undefined);
  assert.deepEqual(gpu.names, ['tfjs-webgpu', 'tfjs-node-gpu', 'wgsl-fused', 'ort-webgpu', 'ort-cuda']);
  assert.equal(gpu.registry.get('tfjs-webgpu').device, 'gpu');
  // Both: the webgpu entry (any adapter) is kept, once.
  assert.deepEqual(selectImplementations(full, ['webgpu', 'gpu'], undefined).names, ['tfjs-webgpu', 'wgsl-fused', 'ort-webgpu', 'tfjs-node-gpu', 'ort-cuda']);
  assert.deepEqual(selectImplementations(full, ['cpu'], ['tfjs-wasm', 'reference']).names, ['reference', 'tfjs-wasm']);
  assert.throws(() => selectImplementations(full, ['cpu'], ['tfjs-webgpu']), /"tfjs-webgpu" runs on device webgpu, not on --device=cpu/);
  assert.deepEqual(selectImplementations(full, ['browser'], undefined).names, ['browser-reference', 'browser-tfjs-cpu', 'browser-tfjs-wasm', 'browser-tfjs-webgpu', 'browser-ort-wasm', 'browser-ort-webgpu']);
  const all = selectImplementations(full, parseDevices('all'), undefined);
  assert.equal(all.names.length, full.names().length);
  assert.deepEqual(all.notes, []);
});

test('the gpu view of a webgpu implementation keeps its methods and passes an unavailable probe through', async () => {
  const calls: string[] = [];
  class Fake implements SeImplementation {
    readonly name = 'fake-webgpu';
    readonly device = 'webgpu';
    readonly layout = 'NHWC';
    readonly precision = 'fp32';
    readonly description = 'test double';
    #secret = 'private state';
    async probe(): Promise<Availability> { return { available: false, reason: 'no adapter at all', installHint: 'install one' }; }
    async prepareSe() { calls.push(this.#secret); return { run: async () => { throw new Error('unused'); }, dispose: () => {} }; }
  }
  const view = onHardwareAdapter(new Fake());
  assert.equal(view.device, 'gpu');
  assert.equal(view.name, 'fake-webgpu');
  assert.deepEqual(await view.probe(), { available: false, reason: 'no adapter at all', installHint: 'install one' });
  await view.prepareSe({} as never, {});
  assert.deepEqual(calls, ['private state']);
});

test('CLI: bad --device exits 2 listing the devices; an implementation on another device is named', () => {
  let r = cli('conformance', '--device=tpu');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown device "tpu"; valid devices: cpu, webgpu, gpu, browser, all/);
  r = cli('conformance', '--device=cpu', '--impl=tfjs-webgpu');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /"tfjs-webgpu" runs on device webgpu/);
});

test('CLI: devices --json reports every device, and a run that used Dawn exits by itself', () => {
  const r = cli('devices', '--json');
  assert.equal(r.status, 0, r.stderr);
  const { devices } = JSON.parse(r.stdout) as { devices: { device: string; available: boolean; reason?: string; adapter?: { software: boolean; description: string }; implementations: { name: string }[] }[] };
  assert.deepEqual(devices.map((d) => d.device), ['cpu', 'webgpu', 'gpu', 'browser']);
  assert.equal(devices[0]!.available, true);
  assert.deepEqual(devices[3]!.implementations.map((i) => i.name), ['browser-reference', 'browser-tfjs-cpu', 'browser-tfjs-wasm', 'browser-tfjs-webgpu', 'browser-ort-wasm', 'browser-ort-webgpu']);
  const webgpu = devices[1]!;
  const gpu = devices[2]!;
  if (webgpu.adapter?.software) {
    // The gpu device refuses a software adapter and names it.
    assert.equal(gpu.available, false);
    assert.ok(gpu.reason!.includes(webgpu.adapter.description), gpu.reason);
  }
  if (!gpu.available) {
    // bench --device=gpu without a GPU says so and fails, rather than writing a run of skipped rows.
    const out = mkdtempSync(join(tmpdir(), 'se-bench-nogpu-'));
    const b = cli('bench', '--device=gpu', '--quick', '--no-torch', `--out=${out}`);
    rmSync(out, { recursive: true, force: true });
    assert.equal(b.status, 1, b.stderr);
    assert.match(b.stderr, /nothing to measure: none of the selected implementations can run here/);
    assert.match(b.stderr, /unavailable wgsl-fused: /);
  }
  const run = cli('conformance', '--device=webgpu', '--case=awkward-batch1-c32-r4');
  assert.notEqual(run.status, null, 'the process did not exit after using Dawn (killed by the timeout)');
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
