// Module resolution hooks of the portable pack (registered by entry.ts): a plug-in's
// `import ... from 'se-bench'` gets the pack's api.mjs, so it shares the CLI's modules.
// This file sits at scripts/portable/ in the pack, as in the checkout; the bundles are at the pack's root.
const OWN = { 'se-bench': '../../api.mjs', 'se-bench/conformance': '../../conformance.mjs' };

export async function resolve(specifier, context, next) {
  const own = OWN[specifier];
  return own ? { url: new URL(own, import.meta.url).href, shortCircuit: true } : next(specifier, context);
}
