/**
 * The layer rule (docs/architecture.md), checked by `npm run lint:layers` in `npm test`:
 *   cli -> bench, check, report -> measure -> host -> contract -> data -> model
 * Each layer imports only layers below it (and itself); report reads bench's results format only;
 * implementations (impls/) import only the public contract (harness/api.ts) and their own folder;
 * only the composition root (harness/cli/builtins.ts) imports impls/.
 */
const LAYERS = ['cli', 'bench|check|report', 'measure', 'host', 'contract', 'data', 'model'];

const layerRules = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer.replace(/\|/g, '-')}`,
  comment: `harness/{${layer}} sits below ${LAYERS.slice(0, i + 1).join(', ')}: it must not import them`,
  severity: 'error',
  from: { path: `^harness/(${layer})/` },
  to: { path: `^harness/(${LAYERS.slice(0, i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'siblings-check-report',
      comment: 'check and report do not depend on the bench runner; report reads only the results format and its reader (bench/results.ts, bench/results-file.ts)',
      severity: 'error',
      from: { path: '^harness/(check|report)/' },
      to: { path: '^harness/bench/', pathNot: '^harness/bench/results(-file)?\\.ts$' },
    },
    {
      name: 'siblings-bench-check',
      comment: 'bench may use the conformance check; check and bench never import report, check never imports bench',
      severity: 'error',
      from: { path: '^harness/(bench|check)/' },
      to: { path: '^harness/report/' },
    },
    {
      name: 'impls-only-public-contract',
      comment: 'an implementation imports only harness/api.ts (the public contract) and its own folder',
      severity: 'error',
      from: { path: '^impls/([^/]+)/' },
      to: { path: '^(harness|impls|scripts|test|examples)/', pathNot: ['^impls/$1/', '^harness/api\\.ts$'] },
    },
    {
      name: 'one-composition-root',
      comment: 'only harness/cli/builtins.ts names the built-in implementations',
      severity: 'error',
      from: { path: '^harness/', pathNot: '^harness/cli/builtins\\.ts$' },
      to: { path: '^impls/' },
    },
    {
      name: 'facades-are-for-outsiders',
      comment: 'harness/api.ts and harness/conformance.ts re-export for implementations and users; the harness imports the layers directly (the page imports the contract types)',
      severity: 'error',
      from: { path: '^harness/', pathNot: ['^harness/(api|conformance)\\.ts$', '^harness/host/browser/page/'] },
      to: { path: '^harness/(api|conformance)\\.ts$' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
