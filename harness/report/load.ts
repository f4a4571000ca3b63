/** Reads results.json files (or directories holding one) for the report, each labelled by host and time. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readResultsFile } from '../bench/results-file.ts';
import type { BenchResults } from '../bench/results.ts';
import { UsageError } from '../data/select.ts';

/** One run in a report. */
export interface LoadedRun {
  /** The host name, numbered when several runs share it; unique within the report. */
  label: string;
  path: string;
  results: BenchResults;
}

/** Loads each path (a results.json or a directory containing one); errors name the file and what is wrong. */
export function loadRuns(paths: string[]): LoadedRun[] {
  if (paths.length === 0) throw new UsageError('give one or more results.json files or directories, e.g. npm run report -- reports/<run>/');
  const runs: LoadedRun[] = [];
  for (const p of paths) {
    const file = existsSync(p) && statSync(p).isDirectory() ? join(p, 'results.json') : p;
    const doc = readResultsFile(file);
    doc.conformance ??= []; // written by every run since schema @1's first report; absent in earlier files
    doc.roofline ??= [];
    // Short labels keep chart legends readable; the environment table gives each run's time and machine.
    const host = doc.environment.host;
    let label = host;
    for (let i = 2; runs.some((r) => r.label === label); i++) label = `${host} (${i})`;
    runs.push({ label, path: file, results: doc });
  }
  return runs;
}
