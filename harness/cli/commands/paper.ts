/** `se-bench paper [--json]`: the SENet paper's cost tables beside our exact counts. */
import { toJson } from '../../data/json.ts';
import { paperRows, type PaperRow } from '../../model/paper.ts';

export const PAPER_OPTIONS = { json: { type: 'boolean' } } as const;

function verdict(r: PaperRow): string {
  if (r.agrees) return 'agrees';
  return r.agreesRoundedUp ? 'rounded up' : 'DIFFERS';
}

/** The rows as a text table grouped by the paper's table. */
export function formatPaper(rows: PaperRow[]): string {
  const lines = [
    'SENet paper (arXiv 1709.01507) vs exact counts: ResNet-50 v1 family, 224x224, r = 16, FC biases on unless stated.',
    'GFLOPs in the paper are multiply-adds; "ours" is MACs, or MACs + SE elementwise ops where only that reproduces the paper.',
    '',
  ];
  const name = Math.max(...rows.map((r) => r.row.length));
  let table = '';
  for (const r of rows) {
    if (r.table !== table) {
      table = r.table;
      lines.push(`${table}`, `  ${'figure'.padEnd(name)}  ${'paper'.padStart(8)}  ${'ours'.padStart(10)}  ${'diff'.padStart(8)}  ${'unit'.padEnd(9)}  verdict     note`);
    }
    const diff = `${r.diff >= 0 ? '+' : ''}${r.diff.toFixed(r.decimals + 2)}`;
    lines.push(`  ${r.row.padEnd(name)}  ${r.paper.toFixed(r.decimals).padStart(8)}  ${r.ours.toFixed(r.decimals + 3).padStart(10)}  `
      + `${diff.padStart(8)}  ${r.unit.padEnd(9)}  ${verdict(r).padEnd(10)}  ${r.note}`);
  }
  const up = rows.filter((r) => !r.agrees && r.agreesRoundedUp).length;
  const differ = rows.filter((r) => !r.agrees && !r.agreesRoundedUp).length;
  lines.push('', `${rows.length} figures: ${rows.length - up - differ} agree at the paper's rounding, ${up} only when the exact count is rounded up, ${differ} differ.`);
  return lines.join('\n');
}

export async function paperCommand(values: { json?: boolean }): Promise<number> {
  const rows = paperRows();
  process.stdout.write(values.json ? `${toJson({ schema: 'se-bench/paper@1', rows })}\n` : `${formatPaper(rows)}\n`);
  return 0;
}
