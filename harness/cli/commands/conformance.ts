/** `se-bench conformance [--device=cpu,webgpu,gpu,browser|all] [--impl=a,b] [--case=glob,...] [--expect=a,b] [--allow-empty] [--json] [--junit=FILE] [--summary-md=FILE]` */
import { hostname } from 'node:os';
import { callTimeoutMs, IMPLEMENTATION_OPTIONS, loadImplementations, pluginRun, type ImplementationValues } from '../implementations.ts';
import { runConformance, type ConformanceCell } from '../../check/conformance.ts';
import { formatConformance } from '../../check/conformance-table.ts';
import { parseDevices, selectImplementations } from '../../host/devices.ts';
import { GoldenSet } from '../../data/golden.ts';
import { toJson } from '../../data/json.ts';
import { optionalList, selectByGlobs, selectByNames, splitList } from '../../data/select.ts';
import { conformanceMarkdown } from '../../check/summary-md.ts';
import { renderJunit } from '../../report/junit.ts';
import { appendOutputFile, checkOutputFile, writeOutputFile } from '../ci-outputs.ts';

/** Options of `conformance`, for parseArgs. */
export const CONFORMANCE_OPTIONS = {
  impl: { type: 'string' },
  case: { type: 'string' },
  expect: { type: 'string' },
  json: { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  device: { type: 'string' },
  // CI outputs (docs/ci.md): JUnit XML, replaced; a Markdown summary, appended to (GitHub's $GITHUB_STEP_SUMMARY).
  junit: { type: 'string' },
  'summary-md': { type: 'string' },
  ...IMPLEMENTATION_OPTIONS,
} as const;

/** Up to this many implementations, the progress line of each case gives each one's status. */
const PER_IMPL_LINES = 4;

/**
 * Progress on stderr, so a long run (the browser cases take minutes) is not
 * mistaken for a hang: a live line on a TTY; elsewhere one line per case when
 * its last implementation is done: each implementation's status when there
 * are a few (a plug-in's run), else the counts so far.
 */
function progress(cases: number, impls: number): (cell: ConformanceCell) => void {
  let cells = 0;
  const counts = new Map<string, number>();
  let thisCase: ConformanceCell[] = [];
  const t0 = performance.now();
  return (c) => {
    cells++;
    thisCase.push(c);
    counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
    const done = `[${Math.ceil(cells / impls)}/${cases}]`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${done} ${c.caseId} x ${c.impl}: ${c.status}`);
    else if (cells % impls === 0) {
      const so = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
      const each = impls > PER_IMPL_LINES ? '' : `: ${thisCase.map((x) => `${x.impl} ${x.status}${x.status !== 'pass' && x.message ? ` (${x.message.slice(0, 160)})` : ''}`).join('; ')}`;
      process.stderr.write(`${done} ${c.caseId} checked${each} (${so} so far, ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
      thisCase = [];
    }
  };
}

/** Runs the gate over the selected devices, implementations and cases; exit 0 when every cell passes, every expected implementation ran and at least one cell was checked (or --allow-empty). */
export async function conformanceCommand(values: { device?: string; impl?: string; case?: string; expect?: string; json?: boolean; 'allow-empty'?: boolean; junit?: string; 'summary-md'?: string } & ImplementationValues): Promise<number> {
  checkOutputFile('junit', values.junit); // before any work: a bad path is exit 2 at once, not after the run
  checkOutputFile('summary-md', values['summary-md']);
  const startedAt = new Date();
  const loaded = await loadImplementations(values);
  const full = loaded.registry;
  const devices = parseDevices(values.device);
  // Expected implementations (CI names them) must run: their skip is a failure, not a silent pass.
  // Names are checked against every implementation, so one list serves runs on different devices.
  const expectList = splitList(values.expect ?? process.env.SE_BENCH_EXPECT ?? '');
  const expectedAll = expectList.length ? selectByNames(full.names(), expectList, 'implementation') : [];
  const mine = pluginRun(loaded, devices, values.impl, false);
  let names = mine?.names ?? optionalList(values.impl);
  if (mine && expectedAll.length) { // a run about the plug-ins still runs what the gate expects
    const there = selectImplementations(full, mine.devices, undefined).names;
    const joined = expectedAll.filter((n) => there.includes(n) && !mine.names.includes(n));
    names = [...mine.names, ...joined];
    if (joined.length) mine.note = `running the plug-ins ${mine.names.join(', ')} and what --expect or SE_BENCH_EXPECT names: ${joined.join(', ')} (--impl=NAME,... picks others)`;
  }
  const { registry, names: impls, notes } = selectImplementations(full, mine?.devices ?? devices, names);
  if (mine) notes.unshift(mine.note);
  const expected = expectedAll.filter((n) => impls.includes(n));
  const golden = new GoldenSet();
  const cases = selectByGlobs(golden.ids(), optionalList(values.case), 'case');
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  const report = await runConformance({
    implementations: impls.map((n) => registry.get(n)), golden, cases, expected, callTimeoutMs: callTimeoutMs(values), allowEmpty: values['allow-empty'] ?? false,
    onCell: progress(cases.length, impls.length),
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write(values.json ? `${toJson(report)}\n` : `${formatConformance(report)}\n`);
  // CI outputs after the table is out, so a write that fails (exit 2) loses nothing of the run.
  if (values.junit) writeOutputFile('junit', values.junit, renderJunit(report, { timestamp: startedAt, hostname: hostname() }));
  if (values['summary-md']) appendOutputFile('summary-md', values['summary-md'], conformanceMarkdown(report));
  return report.ok ? 0 : 1;
}
