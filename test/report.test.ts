import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import puppeteer from 'puppeteer-core';
import type { BenchResults, BenchRow } from '../harness/bench/results.ts';
import { executableCandidates } from '../harness/host/browser/driver.ts';
import { writeReport } from '../harness/cli/commands/report.ts';
import { benchSummary } from '../harness/report/summary.ts';
import { sampleStats } from '../harness/measure/stats.ts';
import { countNetwork } from '../harness/model/count.ts';
import { makeNetwork } from '../harness/model/network.ts';

/** The browser the browser device would use (same search order). */
const CHROMIUM = executableCandidates().find((c) => existsSync(c.path))?.path ?? '/usr/bin/chromium';
/** Screenshots and reports of this test stay here for a look after the run. */
const OUT = join(tmpdir(), 'se-bench-report-test');

function row(workload: string, impl: string, ms: number, extra: Partial<BenchRow>): BenchRow {
  const samples = [ms, ms * 1.02, ms * 0.98, ms * 1.01, ms * 0.99];
  return { workload, kind: 'se-block', impl, device: 'cpu', precision: 'fp32', layout: 'NCHW', shape: [8, 256, 56, 56], status: 'ok', measurement: sampleStats(samples), ...extra };
}

/** A hand-made results file: two batches, two ratios, networks, PyTorch rows, a comparison; `host` goes in verbatim. */
function fixture(host: string, cpu: string, speed: number): BenchResults {
  const rows: BenchRow[] = [];
  for (const ratio of [8, 16]) {
    for (const [stage, c, hw] of [[2, 256, 56], [5, 2048, 7]] as const) {
      for (const n of [1, 8]) {
        const bytes = 2 * 4 * n * c * hw * hw;
        const workload = `se/stage${stage}-${c}x${hw}x${hw}/b${n}/r${ratio}`;
        for (const [impl, ms] of [['wasm-simd', 0.2 * n], ['tfjs-wasm', 1.5 * n]] as const) {
          const t = ms / speed;
          rows.push(row(workload, impl, t, { shape: [n, c, hw, hw], ratio, bytes, gbPerS: bytes / (t * 1e6), imagesPerS: (n * 1000) / t, rooflinePct: 50, checkRatio: 0.05 }));
        }
        rows.push(row(workload, 'pytorch-eager-cpu', (0.25 * n) / speed, { kind: 'torch', shape: [n, c, hw, hw], ratio, bytes, gbPerS: 1, imagesPerS: 1 }));
      }
    }
  }
  for (const [model, ratio, ms] of [['resnet50', undefined, 100], ['se-resnet50', 8, 104], ['se-resnet50', 16, 103]] as const) {
    const net = ratio === undefined ? makeNetwork(model) : makeNetwork(model, { ratio });
    const c = countNetwork(net, 224);
    rows.push(row(`net/${ratio ? `${model}-r${ratio}` : model}/224/b1`, 'tfjs-wasm', ms / speed,
      { kind: 'network', model, shape: [1, 3, 224, 224], ...(ratio ? { ratio } : {}), params: c.params, macs: c.macs, flops: c.flops, imagesPerS: 1000 / ms }));
  }
  rows.push({ workload: 'se/stage2-256x56x56/b8/r16', kind: 'se-block', impl: 'tfjs-webgpu', device: 'webgpu', precision: 'fp32', layout: 'NHWC', shape: [8, 256, 56, 56], ratio: 16, status: 'failed', message: 'device lost <b>' });
  return {
    schema: 'se-bench/results@1', createdAt: '2026-11-21T09:00:00.000Z', finishedAt: '2026-11-21T09:05:00.000Z', plan: {},
    environment: { host, cpuModel: cpu, cpuCores: 2, memoryBytes: 2 ** 34, os: 'Linux', node: 'v20', v8: '11', gitCommit: 'abc', commandLine: ['bench'], packages: { tinybench: '6' } },
    implementations: [
      { name: 'wasm-simd', device: 'cpu', precision: 'fp32', layout: 'NCHW', available: true, expected: false, detail: 'SIMD128' },
      { name: 'tfjs-webgpu', device: 'webgpu', precision: 'fp32', layout: 'NHWC', available: true, expected: false, detail: 'SwiftShader driver (software; vulkan)' },
    ],
    validation: { 'wasm-simd': { status: 'pass', cases: 2, failures: [] } },
    conformance: [
      { caseId: 'stage2-256x56x56-b2-r16-floor', impl: 'wasm-simd', status: 'pass', worstRatio: 0.05 },
      { caseId: 'stage2-256x56x56-b2-r16-floor', impl: 'tfjs-webgpu', status: 'fail', worstRatio: 3 },
    ],
    roofline: [{ method: 'typedarray-set', bytes: 1e6, stats: { ...sampleStats([0.1, 0.1, 0.1]), coldMs: 0.2 }, gbPerS: 20 }],
    comparison: { baseline: 'reports/baselines/x.json', maxSlowdownPct: 10, changes: [{ workload: 'se/stage2-256x56x56/b8/r16', impl: 'wasm-simd', baselineMs: 1, currentMs: 1.3, changePct: 30, verdict: 'slower' }] },
    rows,
  };
}

test('the HTML report of two machines draws every chart, fills every table, escapes strings, and has no console errors', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  writeFileSync(a, JSON.stringify(fixture('<script>window.__pwned = 1</script>', 'CPU A', 1)));
  writeFileSync(b, JSON.stringify(fixture('machine-b', 'CPU B', 2)));
  mkdirSync(OUT, { recursive: true });
  const html = writeReport([a, b], OUT);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    for (const [width, name] of [[390, 'phone'], [1280, 'laptop']] as const) {
      await page.setViewport({ width, height: 900 });
      await page.goto(`file://${html}`, { waitUntil: 'load' });
      await page.screenshot({ path: join(OUT, `report-${name}.png`), fullPage: true });
    }
    assert.deepEqual(errors, []);
    const facts = await page.evaluate(() => {
      const canvases = [...document.querySelectorAll('canvas')].map((c) => {
        const g = (c as HTMLCanvasElement).getContext('2d')!;
        const { data } = g.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
        return { id: c.id, inked };
      });
      const tables = Object.fromEntries([...document.querySelectorAll('table')].map((tb) => [tb.id, (tb as HTMLTableElement).tBodies[0]!.rows.length]));
      return { canvases, tables, pwned: (window as unknown as { __pwned?: number }).__pwned, text: document.body.innerText, csv: [...document.querySelectorAll('a.csv')].map((x) => (x as HTMLAnchorElement).href.slice(0, 30)) };
    });
    for (const c of facts.canvases) assert.ok(c.inked > 1000, `${c.id} looks blank (${c.inked} inked pixels)`);
    assert.deepEqual(facts.canvases.map((c) => c.id), ['chart-se-blocks', 'chart-roofline', 'chart-overhead', 'chart-sweep', 'chart-batch', 'chart-cross', 'chart-regression']);
    assert.equal(facts.tables['table-environment'], 2);
    assert.equal(facts.tables['table-conformance'], 1);
    assert.equal(facts.tables['table-overhead'], 2, 'one SE-overhead row per machine');
    assert.equal(facts.tables['table-sweep'], 4, 'two ratios x two machines');
    assert.equal(facts.tables['table-regression'], 2);
    assert.ok(facts.tables['table-cross']! >= 16, 'every matched measurement of machine B against A');
    assert.equal(facts.pwned, undefined, 'a <script> in a results field must not run');
    assert.match(facts.text, /<script>window\.__pwned = 1<\/script>/);
    assert.match(facts.text, /device lost <b>/);
    assert.ok(facts.csv.every((h) => h.startsWith('data:text/csv')));
  } finally {
    await browser.close();
  }
});

test('a run that did not complete is flagged at the top of the report and the summary; a complete one is not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-report-state-'));
  try {
    const cases: [string, Partial<BenchResults>, RegExp | undefined][] = [
      ['complete', { run: { status: 'complete' } }, undefined],
      ['interrupted', { run: { status: 'interrupted', signal: 'SIGTERM' } }, /INCOMPLETE: this run was interrupted \(SIGTERM\)/],
      ['crashed', { run: { status: 'crashed', error: 'out of memory <b>' } }, /INCOMPLETE: this run crashed \(out of memory &lt;b&gt;\)/],
      ['killed', { run: { status: 'running' }, finishedAt: undefined }, /INCOMPLETE: this run has no end marker/],
      ['legacy-interrupted', { interrupted: true }, /INCOMPLETE: this run was interrupted \(SIGINT\)/],
      ['legacy-complete', {}, undefined],
    ];
    for (const [name, fields, banner] of cases) {
      const runDir = join(dir, name);
      mkdirSync(runDir);
      writeFileSync(join(runDir, 'results.json'), JSON.stringify({ ...fixture(name, 'cpu', 1), ...fields }));
      const html = readFileSync(writeReport([runDir]), 'utf8');
      const summary = benchSummary({ ...fixture(name, 'cpu', 1), ...fields } as BenchResults);
      if (banner) {
        assert.match(html, new RegExp(`<p class="incomplete" role="alert"><strong>${name}</strong>.*${banner.source}`), name);
        assert.match(summary.split('\n')[0]!, new RegExp(banner.source.replace('&lt;', '<').replace('&gt;', '>')), name);
      } else {
        assert.doesNotMatch(html, /class="incomplete"/, name);
        assert.doesNotMatch(summary, /INCOMPLETE/, name);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
