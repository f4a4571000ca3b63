/** The virtual module ../bundle.ts generates: one entry per page module, imported on demand. */
declare module 'se-bench:page-modules' {
  export const PAGE_MODULES: readonly { path: string; load: () => Promise<unknown> }[];
}
