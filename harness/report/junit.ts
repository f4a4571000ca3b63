/**
 * `conformance --junit=FILE`: the conformance report as JUnit XML, the format
 * CI systems read test results in (GitLab's artifacts:reports:junit,
 * mikepenz/action-junit-report, dorny/test-reporter's `java-junit`).
 *
 * One <testcase> per conformance cell: classname the implementation, name the
 * case id, time the cell's seconds. A `fail` cell has <failure> (message: the
 * first failing comparison's one line, check/summary-md.ts cellProblem; body:
 * every failing comparison and the tolerance), an `error` cell <error> (JUnit's
 * element for a test that could not complete, counted in errors=), an
 * `unsupported` or `skipped` cell <skipped message="reason"/>; a skipped
 * implementation that --expect names is a <failure>, as it fails the gate. An
 * empty gate (no cell checked) adds one failing testcase, so the file never
 * reads green when the command exits 1.
 *
 * The XML is built with fast-xml-parser's XMLBuilder rather than by string
 * concatenation: messages carry user text (error messages of plug-ins, file
 * paths) and a maintained builder escapes attribute and text content
 * correctly; the tests read it back with the same library's validator and parser.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { ConformanceCell, ConformanceReport } from '../check/conformance.ts';
import { describeComparison } from '../check/compare.ts';
import { cellProblem, expectedSkip, failingComparisons } from '../check/summary-md.ts';

/** The suite name CI shows. */
export const JUNIT_SUITE = 'se-bench conformance';

/** XML 1.0 cannot hold these characters at all, escaped or not (a plug-in's error text might); they are dropped. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const xmlText = (s: string) => s.replace(NOT_XML, '');

type Node = Record<string, unknown>;

/** Seconds with millisecond resolution, as JUnit's time attributes take them. */
const secondsText = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The lines under a failing cell's <failure>: a network's message (its failing and missing parts), the tolerance,
 * then each failing comparison in full. A block's message is its first failing comparison, listed below anyway.
 */
function failureBody(cell: ConformanceCell): string {
  const lines: string[] = [];
  if (cell.message && cell.parts) lines.push(cell.message);
  if (cell.tolerance) lines.push(`tolerance atol ${cell.tolerance.atol}, rtol ${cell.tolerance.rtol} (${cell.tolerance.reason})`);
  for (const [name, text] of failingComparisons(cell)) lines.push(`${name}: ${text}`);
  if (cell.output?.ok) lines.push(`output (within tolerance): ${describeComparison(cell.output)}`);
  return lines.join('\n');
}

function testcase(cell: ConformanceCell, report: ConformanceReport): { node: Node; outcome: 'pass' | 'failure' | 'error' | 'skipped' } {
  const node: Node = { '@_classname': cell.impl, '@_name': cell.caseId, '@_time': secondsText(cell.elapsedMs ?? 0) };
  const message = xmlText(cellProblem(cell, report.implementations) ?? '');
  if (cell.status === 'pass') return { node, outcome: 'pass' };
  if (cell.status === 'fail') return { node: { ...node, failure: { '@_message': message, '@_type': 'tolerance', '#text': xmlText(failureBody(cell)) } }, outcome: 'failure' };
  if (cell.status === 'error') return { node: { ...node, error: { '@_message': message, '@_type': 'error', '#text': xmlText(cell.message ?? '') } }, outcome: 'error' };
  if (expectedSkip(cell, report.implementations)) return { node: { ...node, failure: { '@_message': message, '@_type': 'expected-unavailable' } }, outcome: 'failure' };
  return { node: { ...node, skipped: { '@_message': xmlText(cell.message ?? cell.status) } }, outcome: 'skipped' };
}

/**
 * The JUnit XML document for `report`. `timestamp` (the run's start) goes on
 * the suite as JUnit's local date-time without a zone; `hostname` too.
 */
export function renderJunit(report: ConformanceReport, opts: { timestamp?: Date; hostname?: string } = {}): string {
  // Grouped by implementation (stable), so each one's cases read together in CI's list.
  const order = new Map(report.implementations.map((i, k) => [i.name, k]));
  const cells = [...report.cells].sort((a, b) => (order.get(a.impl) ?? 0) - (order.get(b.impl) ?? 0));
  const cases = cells.map((c) => testcase(c, report));
  const checked = report.cells.some((c) => c.status === 'pass' || c.status === 'fail' || c.status === 'error');
  const empty = checked ? undefined : report.failures.find((f) => f.startsWith('no check ran'));
  if (empty) cases.push({ node: { '@_classname': 'se-bench', '@_name': 'at least one cell checked', '@_time': '0.000', failure: { '@_message': xmlText(empty), '@_type': 'empty-gate' } }, outcome: 'failure' });
  const count = (o: string) => String(cases.filter((c) => c.outcome === o).length);
  const totals = {
    '@_tests': String(cases.length), '@_failures': count('failure'), '@_errors': count('error'), '@_skipped': count('skipped'),
    '@_time': secondsText(report.cells.reduce((a, c) => a + (c.elapsedMs ?? 0), 0)),
  };
  const properties = report.implementations.map((i) => ({
    '@_name': `implementation.${i.name}`,
    '@_value': xmlText(`${i.device} ${i.precision} ${i.layout}: ${i.available ? `available${i.detail ? ` (${i.detail})` : ''}` : `unavailable: ${i.reason ?? ''}`}${i.expected ? ' [expected]' : ''}`),
  }));
  const suite: Node = {
    '@_name': JUNIT_SUITE, ...totals,
    ...(opts.timestamp ? { '@_timestamp': opts.timestamp.toISOString().slice(0, 19) } : {}),
    ...(opts.hostname ? { '@_hostname': xmlText(opts.hostname) } : {}),
    ...(properties.length ? { properties: { property: properties } } : {}),
    testcase: cases.map((c) => c.node),
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true });
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, testsuites: { '@_name': JUNIT_SUITE, ...totals, testsuite: suite } }) as string;
}
