/**
 * A kernel author's own SE golden cases (`se-bench golden --cases=FILE.json`):
 * the file's shape is checked with schemas/golden-cases.schema.json (ajv),
 * each spec with makeSeSpec, so every mistake is one line naming the file,
 * the entry and the field, before Python is started.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { hiddenWidth, makeSeSpec, seParams, SpecError, type SeSpec } from '../model/spec.ts';
import { REPO_ROOT } from './paths.ts';
import { UsageError } from './select.ts';

/** Located from the checkout root (as scripts/golden.py is), and read only when --cases is given. */
export const USER_CASES_SCHEMA_FILE = resolve(REPO_ROOT, 'schemas', 'golden-cases.schema.json');

/** One validated case, as scripts/golden.py --cases-json reads it: spec complete, source always set. */
export interface UserCase {
  id: string;
  source: string;
  spec: SeSpec;
  inputShape: [number, number, number, number];
  seed: number;
  /** seParams(spec): golden.py checks PyTorch's own count against it, as for the seed cases. */
  expectParams: number;
}

interface RawCase {
  id: string;
  spec: Record<string, unknown>;
  inputShape: [number, number, number, number];
  seed: number;
  source?: string;
  description?: string;
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** `[2] (id "foo")`: entries count from 0, as in the JSON list; the id when the entry has a usable one. */
function entry(doc: unknown, index: number): string {
  const id = (Array.isArray(doc) ? (doc[index] as { id?: unknown } | null)?.id : undefined);
  return typeof id === 'string' ? `[${index}] (id ${JSON.stringify(id)})` : `[${index}]`;
}

/** One ajv error as "entry: field what". */
function describe(e: ErrorObject, doc: unknown): string {
  const [, index, ...field] = e.instancePath.split('/');
  const where = index === undefined ? 'the file' : entry(doc, Number(index));
  const at = field.length ? field.map((f) => (/^\d+$/.test(f) ? `[${f}]` : `.${f}`)).join('').replace(/^\./, '') : '';
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${where}: ${p.missingProperty} is missing`;
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown field "${p.additionalProperty}" (fields: id, spec, inputShape, seed, source, description)`;
  }
  if (index === undefined) return 'the file must hold a non-empty JSON list of cases, [{ "id": ..., "spec": ..., "inputShape": ..., "seed": ... }, ...]';
  if (at === 'inputShape' && e.keyword !== 'required') return `${where}: inputShape must be [N, C, H, W] (4 integers >= 1), got ${JSON.stringify(e.data)}`;
  if (e.keyword === 'pattern') return `${where}: ${at} ${JSON.stringify(e.data)} may hold only letters, digits, '.', '_' and '-', starting with a letter or digit (it names a file and a --case glob)`;
  return `${where}: ${at || 'the entry'} ${e.message ?? 'is invalid'}${e.keyword === 'type' || e.keyword === 'minimum' ? `, got ${JSON.stringify(e.data)}` : ''}`;
}

/** The cases of `path`, validated and with defaults filled; anything wrong is a one-line UsageError starting with the path. */
export function readUserCases(path: string): UserCase[] {
  const fail = (what: string): never => {
    throw new UsageError(`--cases=${path}: ${what}`);
  };
  if (!existsSync(path)) fail('no such file; give a JSON list of SE cases (docs/own-golden-cases.md, examples/my-cases.json)');
  if (statSync(path).isDirectory()) fail('is a folder; give a JSON file');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(`is not JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  // verbose: errors carry the offending value, so a message can show what was given.
  validator ??= new Ajv({ allErrors: true, verbose: true }).compile(JSON.parse(readFileSync(USER_CASES_SCHEMA_FILE, 'utf8')) as object);
  if (!validator(doc)) {
    const errors = validator.errors ?? [];
    fail(`${errors.slice(0, 3).map((e) => describe(e, doc)).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`);
  }
  const seen = new Map<string, number>();
  return (doc as RawCase[]).map((raw, i) => {
    const where = entry(doc, i);
    const first = seen.get(raw.id);
    if (first !== undefined) fail(`${where}: duplicate id, entry [${first}] has it too`);
    seen.set(raw.id, i);
    let spec: SeSpec;
    try {
      spec = makeSeSpec(raw.spec);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      throw new UsageError(`--cases=${path}: ${where}: ${e.message.replace(/^SE spec: /, 'spec: ')}`);
    }
    if (spec.channels !== raw.inputShape[1]) {
      fail(`${where}: spec.channels is ${spec.channels} but inputShape[1] is ${raw.inputShape[1]}; inputShape is [N, C, H, W] and C must equal channels`);
    }
    // PyTorch refuses a Conv2d with 0 output channels (torchvision.ops.SqueezeExcitation cannot run it either).
    if (hiddenWidth(spec) === 0 && spec.weightLayout === 'conv1x1') {
      fail(`${where}: spec gives hidden width 0 with weightLayout conv1x1, which PyTorch cannot build; use weightLayout "linear" for a hidden-0 block`);
    }
    const source = [raw.source, raw.description].filter(Boolean).join(': ') || `${path} entry [${i}]`;
    return { id: raw.id, source, spec, inputShape: raw.inputShape, seed: raw.seed, expectParams: seParams(spec) };
  });
}
