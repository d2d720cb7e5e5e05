/**
 * The fields and message shared by the render pass's and the GPU runtime's
 * input errors (`DrawInputError`, `GpuInputError`).
 *
 * @module
 */

/** What a render input error names: `field` (at `index`, or -1 for a whole value) has `value`, not what `expected` says. */
export interface InputErrorFields {
  readonly field: string
  readonly index: number
  readonly value: unknown
  readonly expected: string
}

/** `scope: field[ at <unit>index] must be expected, got value`, the message of the render and GPU input errors. */
export const inputErrorMessage = (scope: string, unit: string, e: InputErrorFields): string => {
  const at = e.index >= 0 ? ` at ${unit}${e.index}` : ""
  return `${scope}: ${e.field}${at} must be ${e.expected}, got ${String(e.value)}`
}
