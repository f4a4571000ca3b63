/**
 * `se-bench report <results.json|dir>... [--format=html|md|github-benchmark] [--out=DIR]`: one self-contained HTML report
 * (or Markdown: verdicts and main tables; or github-action-benchmark's customSmallerIsBetter JSON) merging any number of runs.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writableFolder } from '../../bench/results.ts';
import { toJson } from '../../data/json.ts';
import { UsageError } from '../../data/select.ts';
import { renderReport } from '../../report/html.ts';
import { githubBenchmark } from '../../report/github-benchmark.ts';
import { loadRuns, type LoadedRun } from '../../report/load.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import { buildSections } from '../../report/sections.ts';

export const REPORT_OPTIONS = { out: { type: 'string' }, format: { type: 'string' } } as const;

const FORMATS = ['html', 'md', 'github-benchmark'] as const;
type Format = (typeof FORMATS)[number];

/** The file each format writes into --out. */
const FILE_NAMES: Record<Format, string> = { html: 'report.html', md: 'report.md', 'github-benchmark': 'benchmark.json' };

function render(runs: LoadedRun[], format: Format): string {
  if (format === 'github-benchmark') {
    const entries = githubBenchmark(runs);
    if (!entries.length) process.stderr.write(`note: no measured row in ${runs.map((r) => r.path).join(', ')}: benchmark.json is an empty array\n`);
    return `${toJson(entries)}\n`;
  }
  const sections = buildSections(runs);
  return format === 'md' ? renderMarkdown(runs, sections) : renderReport(runs, sections, new Date().toISOString());
}

/** The Markdown report (verdicts and main tables) of `paths`, as `--format=md` writes it: bench's --summary-md appends it. */
export function markdownReport(paths: string[]): string {
  return render(loadRuns(paths), 'md');
}

/** Writes report.html (report.md, benchmark.json) for `paths` into `outDir` (default: beside the first results file); returns its path. */
export function writeReport(paths: string[], outDir?: string, format: Format = 'html'): string {
  const runs = loadRuns(paths);
  const dir = resolve(outDir ?? dirname(runs[0]!.path));
  const text = render(runs, format);
  const file = join(dir, FILE_NAMES[format]);
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
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}, got "${format}"`);
  process.stdout.write(`wrote ${writeReport(positionals, values.out, format as Format)}\n`);
  return 0;
}
