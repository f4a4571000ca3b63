/**
 * Network timing (harness/bench/time-networks.ts, pairs.ts): the networks of
 * one batch and resolution are run cold once each, then sampled as pairs, the
 * order reversing every cycle, until the precision or the budget; a network
 * that fails mid-way fails its row only. And ceilings (harness/bench/ceilings.ts): one that
 * cannot be measured is recorded with why, and the row says so.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resNetSe } from '../harness/model/network.ts';
import type { PreparedNetwork, SeImplementation } from '../harness/contract/implementation.ts';
import { Ceilings } from '../harness/bench/ceilings.ts';
import { benchPlan } from '../harness/bench/options.ts';
import type { BenchResults, BenchRow } from '../harness/bench/results.ts';
import { timeNetworks } from '../harness/bench/time-networks.ts';
import { networkCost, type NetworkWorkload } from '../harness/bench/workloads.ts';
import { benchSummary, missingCeilingsText, pairingText } from '../harness/report/summary.ts';
import { pairingRecord, samplePaired, type CycleBatch } from '../harness/bench/pairs.ts';

/** An implementation whose networks only record which of them ran; `failAt` makes that network throw on its nth call. */
function recorder(calls: string[], failAt?: { model: string; call: number }): SeImplementation {
  return {
    name: 'recorder', device: 'cpu', layout: 'NCHW', precision: 'fp32', description: 'records calls',
    probe: async () => ({ available: true, detail: '' }),
    prepareSe: async () => { throw new Error('not used'); },
    prepareNetwork: async (spec): Promise<PreparedNetwork> => {
      const se = resNetSe(spec);
      const tag = se ? `se${se.ratio}` : 'plain';
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

function emptyResults(): BenchResults {
  return { schema: 'se-bench/results@1', createdAt: '', plan: {}, environment: {} as BenchResults['environment'], implementations: [], validation: {}, conformance: [], roofline: [], rows: [], run: { status: 'complete' } };
}

function rowsFor(ws: NetworkWorkload[]): BenchRow[] {
  return ws.map((w) => ({ workload: w.id, kind: 'network', impl: 'recorder', device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [w.batch, 3, w.resolution, w.resolution], model: w.model, ...(w.ratio === undefined ? {} : { ratio: w.ratio }), ...networkCost(w), status: 'ok' }));
}

const plan = benchPlan({ quick: true, model: 'resnet50,se-resnet50', 'net-ratios': '4,16', 'net-samples': '6', 'min-time': '1', resolution: '32', case: 'net/*', precision: '50', 'pair-budget': '0.001' });
const ws = plan.workloads.filter((w): w is NetworkWorkload => w.kind === 'network');

test('networks of one batch and resolution: each run cold once and once untimed, then sampled as pairs, the order reversing every cycle', async () => {
  assert.deepEqual(ws.map((w) => w.id), ['net/resnet50/32/b1', 'net/se-resnet50-r4/32/b1', 'net/se-resnet50-r16/32/b1']);
  const calls: string[] = [];
  const rows = rowsFor(ws);
  await timeNetworks(recorder(calls), ws, rows, plan, 10_000, new Map(), true);
  const forward = ['plain', 'se4', 'se16'];
  const backward = ['se16', 'se4', 'plain'];
  // cold, untimed, then 6 cycles (the minimum; the budget is spent): A B C, C B A, ...
  assert.deepEqual(calls, [...forward, ...forward, ...forward, ...backward, ...forward, ...backward, ...forward, ...backward]);
  for (const r of rows) {
    assert.equal(r.status, 'ok', r.message);
    assert.equal(r.measurement!.sampleCount, 6);
    assert.equal(r.measurement!.samplesMs.length, 6, 'equal lengths, pair order');
    assert.equal(r.cpuSamplesMs!.length, 6, 'CPU time per sample');
    assert.ok(r.measurement!.coldMs! > 0);
  }
  assert.equal(rows[0]!.pairing, undefined, 'the plain row is the baseline');
  for (const r of rows.slice(1)) {
    assert.equal(r.pairing!.baseline, 'net/resnet50/32/b1');
    assert.equal(r.pairing!.pairs, 6);
    assert.ok(['resolved', 'budget'].includes(r.pairing!.stop));
    assert.ok(r.pairing!.ratio! > 0 && r.pairing!.low! <= r.pairing!.ratio! && r.pairing!.high! >= r.pairing!.ratio!);
  }
});

test('pairs go on past the minimum until the precision is met, and stop at the budget when it is not', async () => {
  let t = 0;
  const now = () => t;
  // Ratio 1.1 in every pair, no noise: resolved at the minimum.
  const steady = async (live: number[], _first: number, k: number): Promise<CycleBatch> => live.map((i) => ({ times: Array.from({ length: k }, () => ({ wallMs: i === 0 ? 10 : 11 })) }));
  const quick = await samplePaired(2, [{ base: 0, other: 1 }], steady, { minPairs: 5, maxPairs: 100, precisionPct: 1, budgetMs: 1e9, chunk: 1 }, now);
  assert.equal(quick[1]!.samplesMs.length, 5);
  const rec = pairingRecord(quick, { base: 0, other: 1 }, 'plain', { minPairs: 5, maxPairs: 100, precisionPct: 1, budgetMs: 1e9, chunk: 1 });
  assert.equal(rec.stop, 'resolved');
  assert.ok(Math.abs(rec.ratio! - 1.1) < 1e-12);
  // Ratios alternating 0.5 and 2: never within 1%; each cycle costs 1 s of a 20 s budget.
  let c = 0;
  const noisy = async (live: number[], _first: number, k: number): Promise<CycleBatch> => {
    t += 1000 * k;
    const out = live.map((i) => ({ times: Array.from({ length: k }, (_, j) => ({ wallMs: i === 0 ? 10 : (c + j) % 2 ? 20 : 5 })) }));
    c += k;
    return out;
  };
  const plan2 = { minPairs: 5, maxPairs: 100, precisionPct: 1, budgetMs: 20_000, chunk: 1 };
  const slow = await samplePaired(2, [{ base: 0, other: 1 }], noisy, plan2, now);
  assert.equal(slow[0]!.samplesMs.length, 20);
  assert.equal(pairingRecord(slow, { base: 0, other: 1 }, 'plain', plan2).stop, 'budget');
  assert.match(pairingText(pairingRecord(slow, { base: 0, other: 1 }, 'plain', plan2)), /^not resolved \(budget\): \+-\d+\.\d%/);
});

test('a network that throws mid-pairs fails its own row; its partner keeps its samples, and no ratio is claimed', async () => {
  const calls: string[] = [];
  const rows = rowsFor(ws);
  await timeNetworks(recorder(calls, { model: 'se-resnet50', call: 5 }), ws.slice(0, 2), rows, plan, 10_000, new Map());
  assert.equal(rows[0]!.status, 'ok');
  assert.equal(rows[0]!.measurement!.sampleCount, 6);
  assert.equal(rows[1]!.status, 'failed');
  assert.equal(rows[1]!.message, 'se4 broke on call 5');
  assert.equal(rows[1]!.measurement, undefined);
  assert.equal(rows[1]!.pairing!.stop, 'failed');
  assert.equal(rows[1]!.pairing!.ratio, undefined);
  const text = benchSummary({ ...emptyResults(), rows: rows.slice(0, 2) });
  assert.match(text, /not resolved \(a network failed\)/);
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
