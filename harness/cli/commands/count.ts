/** `se-bench count --model=NAME [network options] [--summary] [--json|--csv]`: params, MACs, FLOPs and SE overhead. */
import { countNetwork, overhead, type NetworkCount, type Overhead } from '../../model/count.ts';
import { countCsv, formatSummary, formatTotals } from '../../report/count-table.ts';
import { makeNetwork, type NetworkSpec } from '../../model/network.ts';
import { NETWORK_OPTIONS, networkFromOptions, type NetworkOptionValues } from '../network-options.ts';
import { toJson } from '../../data/json.ts';
import { UsageError } from '../../data/select.ts';
import { SpecError } from '../../model/spec.ts';

export const COUNT_OPTIONS = {
  ...NETWORK_OPTIONS,
  summary: { type: 'boolean' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
} as const;

/** A network's count and, for SE networks, its plain baseline's count and the overhead. */
export function countWithBaseline(net: NetworkSpec, resolution: number): { count: NetworkCount; baseline?: NetworkCount; overhead?: Overhead } {
  try {
    const count = countNetwork(net, resolution);
    if (net.baseline === net.name) return { count };
    const baseline = countNetwork(makeNetwork(net.baseline), resolution);
    return { count, baseline, overhead: overhead(count, baseline) };
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message);
    throw e;
  }
}

export async function countCommand(values: NetworkOptionValues & { summary?: boolean; json?: boolean; csv?: boolean }): Promise<number> {
  if (values.json && values.csv) throw new UsageError('--json and --csv are exclusive; pick one');
  const { net, resolution } = networkFromOptions(values);
  const { count, baseline, overhead: o } = countWithBaseline(net, resolution);
  // Text output carries the warnings itself; JSON and CSV keep stdout machine-readable.
  if (values.json || values.csv) for (const w of count.warnings) process.stderr.write(`se-bench: warning: ${w}\n`);
  if (values.csv) {
    process.stdout.write(countCsv(count));
  } else if (values.json) {
    const { rows, ...totals } = count;
    const out = {
      schema: 'se-bench/count@1', spec: net, ...totals,
      ...(baseline ? { baseline: { model: baseline.model, params: baseline.params, macs: baseline.macs, flops: baseline.flops }, overhead: o } : {}),
      ...(values.summary ? { layers: rows } : {}),
    };
    process.stdout.write(`${toJson(out)}\n`);
  } else {
    process.stdout.write(`${values.summary ? formatSummary(count, o) : formatTotals(count, o)}\n`);
  }
  return 0;
}
