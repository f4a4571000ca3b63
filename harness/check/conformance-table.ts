/** Plain-text rendering of a conformance report: a case x implementation table, then details. */
import { describeComparison } from './compare.ts';
import { worstRatio, type ConformanceCell, type ConformanceReport } from './conformance.ts';

function cellText(cell: ConformanceCell | undefined): string {
  if (!cell) return '';
  switch (cell.status) {
    case 'pass': return `PASS ${(worstRatio(cell) * 100).toFixed(0)}%`;
    case 'fail': return 'FAIL';
    case 'error': return 'ERROR';
    case 'skipped': return 'skip';
    case 'unsupported': return 'n/a';
  }
}

/** The table and detail lines, ready to print. */
export function formatConformance(report: ConformanceReport): string {
  const names = report.implementations.map((i) => i.name);
  const idWidth = Math.max(4, ...report.cases.map((c) => c.length));
  const colWidth = Math.max(10, ...names.map((n) => n.length));
  const lines: string[] = [];
  lines.push(`${'case'.padEnd(idWidth)}  ${names.map((n) => n.padEnd(colWidth)).join('  ')}`);
  for (const id of report.cases) {
    const row = names.map((n) => cellText(report.cells.find((c) => c.caseId === id && c.impl === n)).padEnd(colWidth));
    lines.push(`${id.padEnd(idWidth)}  ${row.join('  ')}`);
  }
  lines.push('', 'PASS n%: worst element error as a share of the tolerance (atol + rtol * |ref|) over output, gate and, for networks, every stage and gate.');
  for (const impl of report.implementations) {
    if (!impl.available) {
      lines.push(`${impl.expected ? 'MISSING' : 'skipped'} ${impl.name}: ${impl.reason}; to enable: ${impl.installHint}`);
    }
  }
  for (const cell of report.cells.filter((c) => c.status === 'fail' || c.status === 'error')) {
    lines.push('', `${cell.status.toUpperCase()} ${cell.caseId} x ${cell.impl}`);
    // A block's fail message is its first failing comparison, printed in full below; a network's also names its failing parts.
    if (cell.message && (cell.status === 'error' || cell.parts)) lines.push(`  ${cell.message}`);
    if (cell.tolerance) lines.push(`  tolerance atol ${cell.tolerance.atol}, rtol ${cell.tolerance.rtol}`);
    if (cell.output) lines.push(`  output: ${describeComparison(cell.output)}`);
    if (cell.gate) lines.push(`  gate:   ${describeComparison(cell.gate)}`);
    for (const [name, r] of Object.entries(cell.parts ?? {})) if (!r.ok) lines.push(`  ${name}: ${describeComparison(r)}`);
  }
  const counts = new Map<string, number>();
  for (const c of report.cells) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  lines.push('', `${report.ok ? 'OK' : 'FAILED'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`
    + ` (${report.cases.length} cases x ${report.implementations.length} implementations)`);
  for (const f of report.failures) lines.push(`  ${f}`);
  return lines.join('\n');
}
