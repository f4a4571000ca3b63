/** `se-bench conformance [--impl=a,b] [--case=glob,...] [--expect=a,b] [--json]` */
import { defaultRegistry } from '../../impls/index.ts';
import { runConformance } from '../conformance.ts';
import { formatConformance } from '../conformance-table.ts';
import { GoldenSet } from '../golden.ts';
import { toJson } from '../json.ts';
import { optionalList, selectByGlobs, selectByNames, splitList } from '../select.ts';

export const CONFORMANCE_OPTIONS = {
  impl: { type: 'string' },
  case: { type: 'string' },
  expect: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function conformanceCommand(values: { impl?: string; case?: string; expect?: string; json?: boolean }): Promise<number> {
  const registry = defaultRegistry();
  const impls = selectByNames(registry.names(), optionalList(values.impl), 'implementation');
  // Expected implementations (CI names them) must run: their skip is a failure, not a silent pass.
  const expectList = splitList(values.expect ?? process.env.SE_BENCH_EXPECT ?? '');
  const expected = expectList.length ? selectByNames(registry.names(), expectList, 'implementation').filter((n) => impls.includes(n)) : [];
  const golden = new GoldenSet();
  const cases = selectByGlobs(golden.ids(), optionalList(values.case), 'case');
  const report = await runConformance({
    registry, golden, impls, cases, expected,
    onCell: process.stderr.isTTY ? (c) => process.stderr.write(`\r\x1b[K${c.caseId} x ${c.impl}: ${c.status}`) : undefined,
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write(values.json ? `${toJson(report)}\n` : `${formatConformance(report)}\n`);
  return report.ok ? 0 : 1;
}
