/**
 * ONNX Runtime's own profiler (onnxruntime-node's `enableProfiling`): a second
 * session of the same model writes a Chrome-trace JSON with one event per
 * kernel call ("<node>_kernel_time", with its operator type in args.op_name)
 * inside one "model_run" event per run. Kernel times of every run after the
 * first are averaged per operator type; nodes inside an SE block (isSe on
 * the exported names: seNodeTest in implementation.ts) are the `se` part, the rest (ORT's NCHWc
 * reorders, which it names "ReorderInput_token_N", included) the trunk.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-common';
import type { OperatorTimes } from '../../harness/api.ts';
import type { SeNodeTest } from './runtimes.ts';

interface TraceEvent { cat?: string; name?: string; ts?: number; dur?: number; args?: { op_name?: string } }

/** Per operator type and part, ms per run, from a trace's runs after the first. */
export function operatorTimes(events: TraceEvent[], isSe: SeNodeTest): OperatorTimes {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts! - b.ts!).slice(1);
  const inRun = (e: TraceEvent) => runs.some((r) => e.ts! >= r.ts! && e.ts! <= r.ts! + r.dur!);
  const by = new Map<string, { op: string; part: 'se' | 'trunk'; us: number; nodes: Set<string> }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name || !inRun(e)) continue;
    const node = e.name.slice(0, -'_kernel_time'.length);
    const part = isSe(node) ? 'se' : 'trunk';
    const key = `${part}|${e.args.op_name}`;
    const x = by.get(key) ?? { op: e.args.op_name, part, us: 0, nodes: new Set<string>() };
    x.us += e.dur ?? 0;
    x.nodes.add(node);
    by.set(key, x);
  }
  const calls = Math.max(1, runs.length);
  return { profiler: 'onnxruntime enableProfiling', calls: runs.length, ops: [...by.values()].map((x) => ({ op: x.op, part: x.part, ms: x.us / 1000 / calls, nodes: x.nodes.size })) };
}

/** `calls` runs (after one untimed) of `model` in a profiling session with `options`; the trace is read and removed. */
export async function profileSession(ort: typeof Ort, options: Ort.InferenceSession.SessionOptions, model: Uint8Array, feeds: Ort.InferenceSession.FeedsType, calls: number, isSe: SeNodeTest): Promise<OperatorTimes> {
  const dir = mkdtempSync(join(tmpdir(), 'se-bench-ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(model, { ...options, enableProfiling: true, profileFilePrefix: join(dir, 'trace') });
    try {
      for (let i = 0; i <= calls; i++) await session.run(feeds);
      session.endProfiling();
    } finally {
      await session.release();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) throw new Error(`onnxruntime wrote no profile into ${dir}`);
    return operatorTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceEvent[], isSe);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
