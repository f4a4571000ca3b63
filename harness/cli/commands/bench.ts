/**
 * `se-bench bench`: SE block throughput, whole-network latency and SE
 * overhead, the reduction-ratio sweep and PyTorch anchors, on every selected
 * implementation that passes golden conformance. See harness/bench/.
 */
import { join } from 'node:path';
import { callTimeoutMs, IMPLEMENTATION_OPTIONS, loadImplementations, pluginRun, type ImplementationValues } from '../implementations.ts';
import { benchPlan, BENCH_OPTIONS as PLAN_OPTIONS, type BenchValues } from '../../bench/options.ts';
import { compareRuns, formatChanges, readBaseline } from '../../bench/regression.ts';
import { claimRunFolder, releaseRunFolder, writeResults, type BenchResults } from '../../bench/results.ts';
import { checkPlanMemory } from '../../bench/memory.ts';
import { runBench, runFolder } from '../../bench/runner.ts';
import { benchSummary } from '../../report/summary.ts';
import { verdicts } from '../../report/verdicts.ts';
import { selectImplementations } from '../../host/devices.ts';
import { toJson } from '../../data/json.ts';
import { markdownReport, writeReport } from './report.ts';
import { appendOutputFile, checkOutputFile } from '../ci-outputs.ts';
import { announceRunFolder } from '../supervise.ts';
import { hardwareAdapter } from '../../host/webgpu-node.ts';

/** Options of `bench`, for parseArgs: the plan's, plus plug-ins and the call limit, plus --summary-md (docs/ci.md: the Markdown report appended to a file such as $GITHUB_STEP_SUMMARY). */
export const BENCH_OPTIONS = { ...PLAN_OPTIONS, ...IMPLEMENTATION_OPTIONS, 'summary-md': { type: 'string' } } as const;

/**
 * On SIGINT or SIGTERM: the run so far, marked interrupted, saved with its
 * report; returns the exit code (130 or 143).
 */
function stopRun(live: { dir: string; results: BenchResults } | undefined, signal: NodeJS.Signals, log: (line: string) => void): number {
  if (live) {
    live.results.run = { status: 'interrupted', signal };
    writeResults(live.dir, live.results);
    try {
      log(`report: ${writeReport([live.dir])}`);
    } catch (e) {
      log(`report not written: ${e instanceof Error ? e.message : String(e)}`);
    }
    log(`\ninterrupted by ${signal}: ${live.results.rows.length} measurements kept in ${join(live.dir, 'results.json')}, marked interrupted`);
  } else log(`interrupted by ${signal} before the run started: nothing was measured`);
  return signal === 'SIGTERM' ? 143 : 130;
}

/** Exit 0, or 1 when an implementation was invalid, a measurement failed, or the regression gate tripped. */
export async function benchCommand(values: BenchValues & ImplementationValues & { 'summary-md'?: string }): Promise<number> {
  checkOutputFile('summary-md', values['summary-md']); // before anything is measured
  let plan = benchPlan(values);
  checkPlanMemory(plan.workloads);
  // A given --out is checked before anything starts; runBench claims it (and its lock) for the run itself.
  if (plan.out) {
    claimRunFolder(runFolder(plan, ''));
    releaseRunFolder(runFolder(plan, ''));
  }
  const baseline = plan.compare ? readBaseline(plan.compare.path) : undefined; // a bad baseline fails before any work
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loaded = await loadImplementations(values);
  const { registry } = loaded;
  // With plug-ins and no --impl: the plug-ins on their own devices, beside the fastest built-ins there (implementations.ts).
  const mine = pluginRun(loaded, plan.devices, values.impl, true);
  const blocksOnly = mine !== undefined && values.model === undefined && !loaded.plugins.some((p) => mine.names.includes(p.name) && registry.get(p.name).prepareNetwork);
  if (blocksOnly) plan = benchPlan({ ...values, model: 'none' });
  // The default device is the CPU, plus the GPU when Dawn finds a hardware adapter.
  const devices = mine?.devices ?? plan.devices ?? ((await hardwareAdapter()).ok ? ['cpu' as const, 'gpu' as const] : ['cpu' as const]);
  const selection = selectImplementations(registry, devices, mine?.names ?? plan.impls);
  if (mine) log(`note: ${mine.note}${blocksOnly ? '; SE blocks only, as no plug-in implements prepareNetwork (--model=NAME,... times networks too)' : ''}`);
  for (const note of selection.notes) log(`note: ${note}`);
  if (!plan.devices && !mine) log(`devices: ${devices.join(', ')} (default; --device=webgpu|gpu|browser|all for more)`);
  let live: { dir: string; results: BenchResults } | undefined;
  const onSignal = (signal: NodeJS.Signals) => process.exit(stopRun(live, signal, log));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let run;
  try {
    run = await runBench(plan, {
      impls: selection.names.map((n) => selection.registry.get(n)), reference: registry.get('reference'), callTimeoutMs: callTimeoutMs(values), log,
      plugins: loaded.plugins.filter((p) => selection.names.includes(p.name)),
      onStart: (dir, results) => {
        live = { dir, results };
        announceRunFolder(dir);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { results, dir } = run;
  // A plug-in's run opens with its own verdicts: against our fastest and PyTorch on each shape.
  const yours = verdicts(results).filter((v) => v.topic === 'plugin').map((v) => `- ${v.text}`);
  const summary = [yours.length ? `Your implementation(s):\n${yours.join('\n')}` : '', benchSummary(results)].filter(Boolean).join('\n\n');
  process.stdout.write(values.json ? `${toJson(results)}\n` : `${summary}\n`);
  // Nothing available (e.g. --device=gpu without a GPU) is a failed run, not an empty success.
  const nothing = !results.implementations.some((i) => i.available);
  let code = nothing || results.rows.some((r) => r.status === 'invalid' || r.status === 'failed') ? 1 : 0;
  if (baseline && plan.compare) {
    const c = compareRuns(results, baseline, plan.compare.maxSlowdownPct);
    results.comparison = { baseline: plan.compare.path, maxSlowdownPct: plan.compare.maxSlowdownPct, ...c };
    writeResults(dir, results);
    if ('refused' in c) {
      log(`--compare: ${c.refused}`);
      code = Math.max(code, 1);
    } else {
      log(formatChanges(c.changes, plan.compare.maxSlowdownPct));
      if (c.changes.some((x) => x.verdict === 'slower')) code = 1;
    }
  }
  log(`report: ${writeReport([dir])}`);
  // After results and report are written: a summary that cannot be appended (exit 2) loses no measurement.
  if (values['summary-md']) appendOutputFile('summary-md', values['summary-md'], markdownReport([dir]));
  return code;
}
