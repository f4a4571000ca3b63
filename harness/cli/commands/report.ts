/** `se-bench report <results.json|dir>... [--out=DIR]`: one self-contained HTML report merging any number of runs. */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writableFolder } from '../../bench/results.ts';
import { UsageError } from '../../data/select.ts';
import { renderReport } from '../../report/html.ts';
import { loadRuns } from '../../report/load.ts';
import { buildSections } from '../../report/sections.ts';

export const REPORT_OPTIONS = { out: { type: 'string' } } as const;

/** Writes report.html for `paths` into `outDir` (default: beside the first results file); returns its path. */
export function writeReport(paths: string[], outDir?: string): string {
  const runs = loadRuns(paths);
  const dir = resolve(outDir ?? dirname(runs[0]!.path));
  const html = renderReport(runs, buildSections(runs), new Date().toISOString());
  const file = join(dir, 'report.html');
  writableFolder(dir);
  try {
    writeFileSync(file, html);
  } catch (e) {
    throw new UsageError(`--out: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a folder you can write`);
  }
  return file;
}

export async function reportCommand(values: { out?: string }, positionals: string[]): Promise<number> {
  process.stdout.write(`wrote ${writeReport(positionals, values.out)}\n`);
  return 0;
}
