/**
 * Network timing (harness/bench/time-networks.ts): the networks of one batch
 * and resolution are run cold once each, then sampled in rounds, a few calls
 * of each in turn, so drift falls on all alike; a network that fails mid-way
 * fails its row only. And ceilings (harness/bench/ceilings.ts): one that
 * cannot be measured is recorded with why, and the row says so.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreparedNetwork, SeImplementation } from '../harness/contract/implementation.ts';
import { Ceilings } from '../harness/bench/ceilings.ts';
import { benchPlan } from '../harness/bench/options.ts';
import type { BenchResults, BenchRow } from '../harness/bench/results.ts';
import { timeNetworks } from '../harness/bench/time-networks.ts';
import { networkCost, type NetworkWorkload } from '../harness/bench/workloads.ts';
import { missingCeilingsText } from '../harness/report/summary.ts';

/** An implementation whose networks only record which of them ran; `failAt` makes that network throw on its nth call. */
function recorder(calls: string[], failAt?: { model: string; call: number }): SeImplementation {
  return {
    name: 'recorder', device: 'cpu', layout: 'NCHW', precision: 'fp32', description: 'records calls',
    probe: async () => ({ available: true, detail: '' }),
    prepareSe: async () => { throw new Error('not used'); },
    prepareNetwork: async (spec): Promise<PreparedNetwork> => {
      const tag = spec.se ? `se${spec.se.ratio}` : 'plain';
      let n = 0;
      return {
        run: async () => {
          n++;
          calls.push(tag);
          if (failAt && spec.name === failAt.model && n === failAt.call) throw new Error(`${tag} broke on call ${n}`);
          await new Promise((r) => setTimeout(r, 1));
          return { logits: { shape: [1, 1000], data: new Float32Array(1000) }, stages: {}, gates: {} };
        },
        dispose: () => {},
      };
    },
  };
}

function rowsFor(ws: NetworkWorkload[]): BenchRow[] {
  return ws.map((w) => ({ workload: w.id, kind: 'network', impl: 'recorder', device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [w.batch, 3, w.resolution, w.resolution], model: w.model, ...networkCost(w), status: 'ok' }));
}

const plan = benchPlan({ quick: true, 'net-ratios': '4,16', 'net-samples': '6', 'min-time': '1', resolution: '32', case: 'net/*' });
const ws = plan.workloads.filter((w): w is NetworkWorkload => w.kind === 'network');

test('networks of one batch and resolution: each run cold once, then sampled in turn, one untimed and three timed calls at a time', async () => {
  assert.deepEqual(ws.map((w) => w.id), ['net/resnet50/32/b1', 'net/se-resnet50-r4/32/b1', 'net/se-resnet50-r16/32/b1']);
  const calls: string[] = [];
  const rows = rowsFor(ws);
  await timeNetworks(recorder(calls), ws, rows, plan, 10_000, new Map());
  const round = ['plain', 'plain', 'plain', 'plain', 'se4', 'se4', 'se4', 'se4', 'se16', 'se16', 'se16', 'se16']; // one untimed call each, then three timed
  assert.deepEqual(calls, ['plain', 'se4', 'se16', ...round, ...round]);
  for (const r of rows) {
    assert.equal(r.status, 'ok', r.message);
    assert.equal(r.measurement!.sampleCount, 6);
    assert.ok(r.measurement!.coldMs! > 0);
  }
});

test('a network that throws mid-way fails its own row; the others keep sampling', async () => {
  const calls: string[] = [];
  const rows = rowsFor(ws);
  await timeNetworks(recorder(calls, { model: 'se-resnet50', call: 3 }), ws.slice(0, 2), rows, plan, 10_000, new Map());
  assert.equal(rows[0]!.status, 'ok');
  assert.equal(rows[0]!.measurement!.sampleCount, 6);
  assert.equal(rows[1]!.status, 'failed');
  assert.equal(rows[1]!.message, 'se4 broke on call 3');
  assert.equal(rows[1]!.measurement, undefined);
});

test('rows not to time are left as they are, with their costs', async () => {
  const calls: string[] = [];
  const rows = rowsFor(ws);
  Object.assign(rows[2]!, { status: 'skipped', message: 'unavailable here' });
  await timeNetworks(recorder(calls), ws, rows, plan, 10_000, new Map());
  assert.equal(calls.includes('se16'), false);
  assert.deepEqual(rows[2]!, { ...rowsFor(ws)[2]!, status: 'skipped', message: 'unavailable here' });
  assert.equal(rows[2]!.params, 28_088_024);
  assert.equal(rows[0]!.status, 'ok');
});

test('a ceiling that cannot be measured is recorded with why', async () => {
  const results = { roofline: [] } as unknown as BenchResults;
  const ceilings = new Ceilings(results, 5);
  assert.ok((await ceilings.cpuCopyMs(2 * 4096))! > 0);
  assert.equal(results.roofline.length, 2);
  const huge = 2 ** 44;
  assert.equal(await ceilings.cpuCopyMs(huge), undefined);
  assert.equal(results.ceilingsMissing?.length, 1);
  assert.equal(results.ceilingsMissing![0]!.ceiling, 'cpu-copy');
  assert.equal(results.ceilingsMissing![0]!.bytes, huge / 2);
  assert.match(ceilings.whyMissing('cpu', huge)!, /array|length|memory/i);
  assert.equal(ceilings.whyMissing('cpu', 2 * 4096), undefined);
  assert.match(missingCeilingsText(results), new RegExp(`^\\nnot measured: cpu-copy of ${huge / 2} bytes: .+`));
});
