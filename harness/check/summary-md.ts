/**
 * CI-facing text of a conformance report: the one-line problem of a cell
 * (shared with the JUnit export, report/junit.ts) and the Markdown summary of
 * `conformance --summary-md` (GitHub's $GITHUB_STEP_SUMMARY, a GitLab
 * artifact): verdict and counts, per-implementation totals, the failing cells
 * with their message, and what was not checked, grouped by reason.
 */
import { describeComparison } from './compare.ts';
import { worstRatio, type CellStatus, type ConformanceCell, type ConformanceReport, type ImplStatus } from './conformance.ts';

/** Statuses in the order the summaries list them. */
export const CELL_STATUSES: readonly CellStatus[] = ['pass', 'fail', 'error', 'unsupported', 'skipped'];

/** Failing and erroring cells listed one by one at most; the rest are counted (the JUnit file and --json have every one). */
const MAX_FAILING_ROWS = 100;
/** Case ids named per "not checked" group; the count says how many there are. */
const MAX_IDS_PER_GROUP = 6;

/** The comparisons of a cell that failed, by name (`output`, `gate`, a network part), first failing first. */
export function failingComparisons(cell: ConformanceCell): [string, string][] {
  const all: [string, ConformanceCell['output']][] = [['output', cell.output], ['gate', cell.gate], ...Object.entries(cell.parts ?? {})];
  return all.filter(([, r]) => r && !r.ok).map(([name, r]) => [name, describeComparison(r!)]);
}

/** True when the cell's implementation was expected to run here (--expect): its skip is a failure. */
export function expectedSkip(cell: ConformanceCell, implementations: readonly ImplStatus[]): boolean {
  return cell.status === 'skipped' && implementations.some((i) => i.name === cell.impl && i.expected);
}

/**
 * One line saying what is wrong with a cell that did not pass, naming the
 * case and the implementation: the first failing comparison's description
 * (and how many more failed) for `fail`, the error text for `error`, the
 * reason for `unsupported` and `skipped`; undefined for `pass`. A fail
 * cell's own message is that description already (check/conformance.ts).
 */
export function cellProblem(cell: ConformanceCell, implementations: readonly ImplStatus[] = [], opts: { named?: boolean } = {}): string | undefined {
  // `named: false` leaves out "case x implementation" where columns already say it (the Markdown table).
  const say = (what: string, detail: string) => `${opts.named === false ? '' : `${cell.caseId} x ${cell.impl} `}${what}: ${detail}`;
  const oneLine = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  switch (cell.status) {
    case 'pass': return undefined;
    case 'fail': {
      // runConformance gives every fail cell its one line (the first failing comparison); a hand-made cell may lack it.
      if (cell.message) return say('failed', oneLine(cell.message));
      const [first, ...more] = failingComparisons(cell);
      const detail = first ? `${first[0]}: ${first[1]}${more.length ? ` (+${more.length} more failing: ${more.map(([n]) => n).join(', ')})` : ''}` : '';
      return say('failed', detail || 'out of tolerance');
    }
    case 'error': return say('error', oneLine(cell.message) || 'no message');
    case 'unsupported': return say('unsupported', oneLine(cell.message));
    case 'skipped': {
      const impl = implementations.find((i) => i.name === cell.impl);
      if (impl?.expected) return say('expected to run here but unavailable', `${oneLine(impl.reason ?? cell.message)} (fix: ${oneLine(impl.installHint)})`);
      return say('skipped', oneLine(cell.message) || 'implementation unavailable here');
    }
  }
}

/** Markdown-safe table cell text: one line, with GFM's active punctuation backslash-escaped (messages may hold `|`, `<b>`, `*`). */
function md(s: string): string {
  return s.replace(/\s+/g, ' ').trim().replace(/[\\`*_[\]<>|~&#]/g, (c) => `\\${c}`);
}

function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function countsOf(cells: readonly ConformanceCell[]): Map<CellStatus, number> {
  const counts = new Map<CellStatus, number>(CELL_STATUSES.map((s) => [s, 0]));
  for (const c of cells) counts.set(c.status, counts.get(c.status)! + 1);
  return counts;
}

const seconds = (cells: readonly ConformanceCell[]) => (cells.reduce((a, c) => a + (c.elapsedMs ?? 0), 0) / 1000).toFixed(1);

function implState(i: ImplStatus): string {
  if (i.available) return 'available';
  return `${i.expected ? '**MISSING** (expected)' : 'unavailable'}: ${md(i.reason ?? '')}${i.installHint ? `; to enable: ${md(i.installHint)}` : ''}`;
}

/** The Markdown block for `report`: a heading with the verdict, counts, per-implementation totals, failing cells, and what was not checked and why. */
export function conformanceMarkdown(report: ConformanceReport): string {
  const counts = countsOf(report.cells);
  const countText = CELL_STATUSES.map((s) => `${counts.get(s)} ${s}`).join(', ');
  const parts: string[] = [
    `### se-bench conformance: ${report.ok ? 'PASSED' : 'FAILED'}`,
    `${report.cases.length} cases x ${report.implementations.length} implementation${report.implementations.length === 1 ? '' : 's'}: ${countText} (${seconds(report.cells)} s)`,
  ];
  if (report.implementations.length) {
    const rows = report.implementations.map((i) => {
      const own = report.cells.filter((c) => c.impl === i.name);
      const n = countsOf(own);
      const passes = own.filter((c) => c.status === 'pass');
      const worst = passes.length ? `${(Math.max(...passes.map(worstRatio)) * 100).toFixed(0)}%` : '';
      return [md(i.name), i.device, i.precision, implState(i), ...CELL_STATUSES.map((s) => String(n.get(s))), worst, seconds(own)];
    });
    parts.push(`#### Per implementation\n\n${table(['implementation', 'device', 'precision', 'state', ...CELL_STATUSES, 'worst pass (% of tolerance)', 'time s'], rows)}`);
  }
  const failing = report.cells.filter((c) => c.status === 'fail' || c.status === 'error' || expectedSkip(c, report.implementations));
  if (failing.length) {
    const rows = failing.slice(0, MAX_FAILING_ROWS).map((c) => [md(c.caseId), md(c.impl), c.status, md(cellProblem(c, report.implementations, { named: false })!)]);
    const more = failing.length > MAX_FAILING_ROWS ? `\n\n…and ${failing.length - MAX_FAILING_ROWS} more (every one is in the JUnit file and in \`--json\`).` : '';
    parts.push(`#### Not passing (${failing.length})\n\n${table(['case', 'implementation', 'status', 'message'], rows)}${more}`);
  }
  // Unsupported and skipped cells, grouped: one implementation declines whole kinds of case for one reason.
  const groups = new Map<string, ConformanceCell[]>();
  for (const c of report.cells.filter((c) => (c.status === 'unsupported' || c.status === 'skipped') && !expectedSkip(c, report.implementations))) {
    const key = JSON.stringify([c.impl, c.status, c.message ?? '']);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  if (groups.size) {
    const rows = [...groups.values()].map((cs) => {
      const c = cs[0]!;
      const ids = cs.slice(0, MAX_IDS_PER_GROUP).map((x) => md(x.caseId)).join(', ') + (cs.length > MAX_IDS_PER_GROUP ? `, … (+${cs.length - MAX_IDS_PER_GROUP})` : '');
      return [md(c.impl), c.status, String(cs.length), md(c.message ?? ''), ids];
    });
    parts.push(`#### Not checked\n\n${table(['implementation', 'status', 'cells', 'reason', 'cases'], rows)}`);
  }
  // Failures not tied to a listed cell: an empty gate, an expected implementation that is missing.
  const cellLines = new Set(failing.map((c) => `${c.caseId} x ${c.impl}: ${c.status}`));
  const other = report.failures.filter((f) => !cellLines.has(f));
  if (other.length) parts.push(other.map((f) => `- ${md(f)}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}
