/**
 * Reading a results.json back (report, --compare): it must exist, be JSON,
 * carry this version's schema id, and validate against
 * schemas/results-v1.schema.json (ajv), so a file missing `rows` or holding a
 * bad row is one line naming the field, never a TypeError deep in a table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { UsageError } from '../data/select.ts';
import { RESULTS_SCHEMA, type BenchResults } from './results.ts';

/** The published JSON Schema of RESULTS_SCHEMA files. */
export const RESULTS_SCHEMA_FILE = new URL('../../schemas/results-v1.schema.json', import.meta.url);

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(doc: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8')) as object);
  // An if/then error only repeats the `then` branch's own error.
  return validator(doc) ? [] : (validator.errors ?? []).filter((e) => e.keyword !== 'if');
}

/** One ajv error as "field what": `rows/3/status must be one of ok, invalid, failed, skipped`. */
function describe(e: ErrorObject): string {
  const at = e.instancePath.replace(/^\//, '') || 'the document';
  if (e.keyword === 'required') return `${at === 'the document' ? '' : `${at}/`}${(e.params as { missingProperty: string }).missingProperty} is missing`;
  if (e.keyword === 'enum') return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${at} ${e.message ?? 'is invalid'}`;
}

/**
 * The results document in `path`; `label` starts every message (`--compare: `
 * or empty). Throws UsageError saying what is wrong and what to give.
 */
export function readResultsFile(path: string, label = ''): BenchResults {
  if (!existsSync(path)) throw new UsageError(`${label}${path} does not exist; give a results.json written by npm run bench (e.g. reports/baselines/*.json)`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${label}${path} is not JSON (${(e as Error).message})`);
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema !== RESULTS_SCHEMA) {
    const older = typeof schema === 'string' && schema.startsWith('se-bench/results@');
    throw new UsageError(`${label}${path} has schema ${JSON.stringify(schema)}; this version reads ${RESULTS_SCHEMA}`
      + (older ? ': open it with the se-bench version that wrote it, or run the bench again with this one' : ': give a results.json written by npm run bench'));
  }
  const errors = validate(doc);
  if (errors.length) {
    const shown = errors.slice(0, 3).map(describe).join('; ');
    throw new UsageError(`${label}${path} is not a valid ${RESULTS_SCHEMA} file: ${shown}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}; schema: schemas/results-v1.schema.json`);
  }
  return doc as BenchResults;
}
