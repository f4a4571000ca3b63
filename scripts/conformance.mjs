// 'se-bench/conformance' for plain Node (see scripts/api.mjs for why tsImport); test/package.test.ts checks this list.
import { tsImport } from 'tsx/esm/api';

const m = await tsImport('../harness/conformance.ts', import.meta.url);
export const {
  runConformance, worstRatio, formatConformance, describeComparison,
  CallTimeout, ContractViolation, DEFAULT_CALL_TIMEOUT_MS,
  implementationProblem, loadImplementationModule, PluginError, GoldenSet,
} = m;
