/**
 * `hydrogen/layout`: the constraint graph of a layout and its connected
 * components, and Cassowary solving (`@lume/kiwi`) per component, serially or
 * on worker threads, with unsatisfiable constraints named per component.
 * Exported as namespaces named after their files.
 *
 * @module
 */
export * as Decompose from "./Decompose.ts"
export * as Parallel from "./Parallel.ts"
export * as Solve from "./Solve.ts"
