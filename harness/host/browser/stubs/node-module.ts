/**
 * Page-bundle stand-in for `node:module` (see harness/host/browser/bundle.ts).
 * impls/tfjs/backends.ts calls createRequire at load; its require is used
 * only by the Node loaders, which the page never calls.
 */
export function createRequire(_from: string | URL): (id: string) => never {
  return (id: string) => {
    throw new Error(`require("${id}") is Node-only; the browser page loads its backends through impls/tfjs/page-backends.ts`);
  };
}
