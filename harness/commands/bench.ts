/**
 * `se-bench bench`: SE block throughput of every available implementation on
 * golden shapes. Each (case, implementation) is checked against golden first;
 * one that fails is recorded as invalid and not timed. Results are written
 * after every measurement, so an interrupted run keeps what it measured.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultRegistry } from '../../impls/index.ts';
import type { Availability, PreparedBlock } from '../../impls/interface.ts';
import { checkCase } from '../conformance.ts';
import { readEnvironment, type Environment } from '../environment.ts';
import { GOLDEN_DIR, GoldenSet } from '../golden.ts';
import { toJson } from '../json.ts';
import { measure, type Measurement } from '../measure.ts';
import { optionalList, selectByGlobs, selectByNames, splitList, UsageError } from '../select.ts';
import { toLayout, shapeText } from '../tensor.ts';

export const BENCH_OPTIONS = {
  impl: { type: 'string' },
  case: { type: 'string' },
  quick: { type: 'boolean' },
  'min-time': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The cases timed when --case is not given: the four ResNet-50 stage shapes. */
const DEFAULT_CASES = 'stage*-floor';

export interface BenchRow {
  caseId: string;
  impl: string;
  device: string;
  precision: string;
  layout: string;
  shape: number[];
  status: 'ok' | 'invalid' | 'failed' | 'skipped';
  message?: string;
  /** Bytes an SE block must move at least: read the input once, write the output once. */
  bytes: number;
  measurement?: Measurement;
  imagesPerS?: number;
  gbPerS?: number;
}

export interface BenchResults {
  schema: 'se-bench/results@0';
  createdAt: string;
  environment: Environment;
  rows: BenchRow[];
}

function writeResults(path: string, results: BenchResults): void {
  writeFileSync(`${path}.tmp`, `${toJson(results)}\n`);
  renameSync(`${path}.tmp`, path);
}

function parseMinTime(text: string | undefined, quick: boolean): number {
  if (text === undefined) return quick ? 100 : 500;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--min-time must be a positive number of milliseconds, got "${text}"`);
  return ms;
}

export async function benchCommand(values: { impl?: string; case?: string; quick?: boolean; 'min-time'?: string; out?: string; json?: boolean }): Promise<number> {
  const minTimeMs = parseMinTime(values['min-time'], values.quick ?? false);
  const registry = defaultRegistry();
  const impls = selectByNames(registry.names(), optionalList(values.impl), 'implementation');
  const golden = new GoldenSet();
  const seIds = golden.manifest.cases.filter((c) => c.kind === 'se').map((c) => c.id);
  const cases = selectByGlobs(seIds, splitList(values.case ?? DEFAULT_CASES), 'SE case');
  const environment = readEnvironment();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = resolve(values.out ?? join(GOLDEN_DIR, '..', 'reports', `${stamp}-${environment.host}`));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'results.json');
  const results: BenchResults = { schema: 'se-bench/results@0', createdAt: new Date().toISOString(), environment, rows: [] };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const onSigint = () => {
    log(`\ninterrupted: ${results.rows.length} measurements kept in ${path}`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  log(`results: ${path}`);
  const probes = new Map<string, Availability>();
  for (const name of impls) probes.set(name, await registry.get(name).probe());
  // Case-major: each case's golden tensors are loaded and verified once, for all implementations.
  for (const id of cases) {
    const loaded = golden.load(id);
    const [n, c, h, w] = loaded.input.shape as [number, number, number, number];
    for (const name of impls) {
      const impl = registry.get(name);
      const a = probes.get(name)!;
      const row: BenchRow = {
        caseId: id, impl: name, device: impl.device, precision: impl.precision, layout: impl.layout,
        shape: [...loaded.input.shape], status: 'ok', bytes: 2 * 4 * n * c * h * w,
      };
      if (!a.available) {
        Object.assign(row, { status: 'skipped', message: `${a.reason}; to enable: ${a.installHint}` });
      } else {
        const check = await checkCase(impl, loaded);
        if (check.status !== 'pass') {
          Object.assign(row, { status: 'invalid', message: `conformance ${check.status}: run npm run conformance -- --impl=${name} --case=${id}` });
        } else {
          let prepared: PreparedBlock | undefined;
          try {
            if (loaded.case.kind !== 'se') throw new Error('bench times SE blocks only');
            const block = await impl.prepareSe(loaded.case.spec, loaded.weights);
            prepared = block;
            const x = toLayout(loaded.input, impl.layout);
            const m = await measure(() => block.run(x), { minTimeMs, minSamples: 10, warmupMs: minTimeMs / 5 });
            Object.assign(row, { measurement: m, imagesPerS: (n * 1000) / m.medianMs, gbPerS: row.bytes / (m.medianMs * 1e6) });
          } catch (e) {
            Object.assign(row, { status: 'failed', message: e instanceof Error ? e.message : String(e) });
          } finally {
            await prepared?.dispose();
          }
        }
      }
      results.rows.push(row);
      writeResults(path, results);
      log(formatRow(row));
    }
  }
  process.off('SIGINT', onSigint);
  if (values.json) process.stdout.write(`${toJson(results)}\n`);
  return results.rows.some((r) => r.status === 'invalid' || r.status === 'failed') ? 1 : 0;
}

function formatRow(r: BenchRow): string {
  const head = `${r.caseId.padEnd(36)} ${r.impl.padEnd(12)} ${shapeText(r.shape).padEnd(14)}`;
  if (!r.measurement) return `${head} ${r.status}: ${r.message}`;
  const m = r.measurement;
  return `${head} median ${m.medianMs.toFixed(3)} ms  p90 ${m.p90Ms.toFixed(3)}  rme ${m.rmePct.toFixed(1)}%  `
    + `${r.imagesPerS!.toFixed(1)} img/s  ${r.gbPerS!.toFixed(2)} GB/s  cold ${m.coldMs.toFixed(1)} ms  n=${m.sampleCount}`
    + (m.noiseWarning ? `\n  warning: ${m.noiseWarning}` : '');
}
