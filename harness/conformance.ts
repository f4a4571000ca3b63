/**
 * se-bench's programmatic conformance gate, for a kernel author's own tests
 * (node:test, Vitest, Jest): `import { runConformance } from 'se-bench/conformance'`.
 * The report is the one the CLI prints (formatConformance) and writes (--json).
 */
export { runConformance, worstRatio, type ConformanceCell, type ConformanceOptions, type ConformanceReport, type ImplStatus } from './check/conformance.ts';
export { formatConformance } from './check/conformance-table.ts';
export { describeComparison, type CompareResult, type Tolerance } from './check/compare.ts';
export { CallTimeout, ContractViolation, DEFAULT_CALL_TIMEOUT_MS } from './contract/guard.ts';
export { implementationProblem, loadImplementationModule, PluginError } from './contract/plugins.ts';
export { GoldenSet } from './data/golden.ts';
