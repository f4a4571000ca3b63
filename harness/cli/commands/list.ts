/** `se-bench list [--json]`: golden cases and implementations, with availability and reasons. */
import { IMPLEMENTATION_OPTIONS, loadImplementations, type ImplementationValues } from '../implementations.ts';
import { GoldenSet } from '../../data/golden.ts';
import { toJson } from '../../data/json.ts';
import { shapeText } from '../../data/tensor.ts';

/** Options of `list`, for parseArgs. */
export const LIST_OPTIONS = { json: { type: 'boolean' }, ...IMPLEMENTATION_OPTIONS } as const;

/** Prints golden cases and implementations (probing each; backends that start lazily start here). */
export async function listCommand(values: { json?: boolean } & ImplementationValues): Promise<number> {
  const { registry } = await loadImplementations(values);
  const golden = new GoldenSet();
  const cases = golden.manifest.cases.map((c) => ({ id: c.id, kind: c.kind, input: c.tensors.input.shape, params: c.params, source: c.source }));
  const implementations = [];
  for (const impl of registry.list()) {
    implementations.push({ name: impl.name, device: impl.device, precision: impl.precision, layout: impl.layout, description: impl.description, ...(await impl.probe()) });
  }
  if (values.json) {
    process.stdout.write(`${toJson({ cases, implementations })}\n`);
    return 0;
  }
  const out = [`golden cases (${cases.length}; filter with --case=GLOB):`];
  for (const c of cases) out.push(`  ${c.id.padEnd(36)} ${c.kind.padEnd(10)} ${shapeText(c.input).padEnd(15)} ${String(c.params).padStart(7)} params  ${c.source}`);
  out.push('', 'implementations (select with --impl=NAME,... or by device with --device=cpu,webgpu,gpu,browser; details: se-bench devices):');
  for (const i of implementations) {
    const state = i.available ? `available${i.detail ? ` (${i.detail})` : ''}` : `unavailable: ${i.reason}; to enable: ${i.installHint}`;
    out.push(`  ${i.name.padEnd(14)} ${i.device.padEnd(8)} ${i.precision} ${i.layout}  ${i.description}; ${state}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
