/** `se-bench report <results.json|dir>... [--format=html|md] [--out=DIR]`: one self-contained HTML report (or Markdown: verdicts and main tables) merging any number of runs. */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writableFolder } from '../../bench/results.ts';
import { UsageError } from '../../data/select.ts';
import { renderReport } from '../../report/html.ts';
import { loadRuns } from '../../report/load.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import { buildSections } from '../../report/sections.ts';

export const REPORT_OPTIONS = { out: { type: 'string' }, format: { type: 'string' } } as const;

const FORMATS = ['html', 'md'] as const;
type Format = (typeof FORMATS)[number];

/** Writes report.html (or report.md) for `paths` into `outDir` (default: beside the first results file); returns its path. */
export function writeReport(paths: string[], outDir?: string, format: Format = 'html'): string {
  const runs = loadRuns(paths);
  const dir = resolve(outDir ?? dirname(runs[0]!.path));
  const sections = buildSections(runs);
  const text = format === 'md' ? renderMarkdown(runs, sections) : renderReport(runs, sections, new Date().toISOString());
  const file = join(dir, `report.${format}`);
  writableFolder(dir);
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`--out: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a folder you can write`);
  }
  return file;
}

export async function reportCommand(values: { out?: string; format?: string }, positionals: string[]): Promise<number> {
  const format = values.format ?? 'html';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(' or ')}, got "${format}"`);
  process.stdout.write(`wrote ${writeReport(positionals, values.out, format as Format)}\n`);
  return 0;
}
