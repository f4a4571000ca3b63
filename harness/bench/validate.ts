/**
 * Before anything is timed: which implementations run here, and which pass
 * golden conformance on the case kinds the plan times. Checked by the one
 * conformance runner (check/conformance.ts), the gate `se-bench conformance`
 * and kernel authors' tests use, so a bench run's verdict cannot differ from
 * the gate's.
 */
import type { SeImplementation } from '../contract/implementation.ts';
import { probeAll, runConformance, worstRatio, type ImplStatus } from '../check/conformance.ts';
import { GoldenSet } from '../data/golden.ts';
import type { BenchPlan } from './options.ts';
import type { BenchResults } from './results.ts';

export interface Validation {
  /** Every selected implementation, available or not, with the reason when not. */
  implementations: ImplStatus[];
  validation: BenchResults['validation'];
  conformance: BenchResults['conformance'];
}

/** Golden case ids of the kinds the plan times: SE cases for SE block workloads, network cases for network workloads. */
export function casesForPlan(plan: Pick<BenchPlan, 'workloads'>, golden: GoldenSet): string[] {
  const kinds = new Set<string>();
  if (plan.workloads.some((w) => w.kind === 'se-block')) kinds.add('se');
  if (plan.workloads.some((w) => w.kind === 'network')) kinds.add('network');
  return golden.manifest.cases.filter((c) => kinds.has(c.kind)).map((c) => c.id);
}

/**
 * Probes every implementation and checks each available one on the plan's
 * golden cases. A case an implementation does not support (a network case
 * for one without prepareNetwork) neither passes nor fails it.
 */
export async function validateForPlan(impls: readonly SeImplementation[], plan: Pick<BenchPlan, 'workloads'>, callTimeoutMs: number, onProbed: (implementations: readonly ImplStatus[]) => void): Promise<Validation> {
  const golden = new GoldenSet();
  const cases = casesForPlan(plan, golden);
  const report = cases.length
    ? await runConformance({ implementations: impls, cases, golden, callTimeoutMs, allowEmpty: true, onProbed })
    : { ...(await probeAll(impls, callTimeoutMs)), cells: [] };
  if (!cases.length) onProbed(report.implementations);
  const validation: BenchResults['validation'] = {};
  for (const s of report.implementations) if (s.available) validation[s.name] = { status: 'pass', cases: 0, failures: [] };
  const conformance: BenchResults['conformance'] = [];
  for (const cell of report.cells) {
    const v = validation[cell.impl];
    if (!v || cell.status === 'unsupported' || cell.status === 'skipped') continue;
    conformance.push({ caseId: cell.caseId, impl: cell.impl, status: cell.status, ...(cell.output ? { worstRatio: worstRatio(cell) } : {}) });
    v.cases++;
    if (cell.status !== 'pass') {
      v.status = 'fail';
      v.failures.push(`${cell.caseId}: ${cell.status}${cell.message ? ` (${cell.message})` : ''}`);
    }
  }
  return { implementations: report.implementations, validation, conformance };
}
