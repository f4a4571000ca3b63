/**
 * `--onnx-map`: which of a user's ONNX initializers (or weight inputs) holds
 * which golden weight. A JSON object {"initializer name": "golden weight name"},
 * given inline ('{"onnx::MatMul_29": "fc1.weight"}') or as @file.json; a null
 * value keeps that float initializer as a constant of the graph.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { UsageError } from '../../data/select.ts';

/** Initializer name -> golden weight name, or null: keep the initializer as it is. */
export type OnnxMap = ReadonlyMap<string, string | null>;

const FORM = 'give a JSON object inline, --onnx-map=\'{"onnx::MatMul_29": "fc1.weight"}\', or a file, --onnx-map=@map.json';

function mapText(value: string): { text: string; where: string } {
  const v = value.trim();
  if (v.startsWith('{')) return { text: v, where: '--onnx-map' };
  if (!v.startsWith('@') || v.length === 1) throw new UsageError(`--onnx-map=${value}: ${FORM}`);
  const path = v.slice(1);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--onnx-map=${value}: ${existsSync(path) ? 'is not a file' : 'no such file'}; ${FORM}`);
  return { text: readFileSync(path, 'utf8'), where: `--onnx-map=${value}` };
}

/** The parsed map (empty when the option is absent); bad JSON or a value that is not a string or null is a UsageError. */
export function parseOnnxMap(value: string | undefined): OnnxMap {
  if (value === undefined) return new Map();
  const { text, where } = mapText(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not valid JSON (${(e as Error).message}); ${FORM}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${where}: must be a JSON object; ${FORM}`);
  const map = new Map<string, string | null>();
  for (const [k, v] of Object.entries(parsed)) {
    if (v !== null && typeof v !== 'string') throw new UsageError(`${where}: "${k}" maps to ${JSON.stringify(v)}; each value is a golden weight name, or null to keep the initializer`);
    map.set(k, v);
  }
  return map;
}
