/**
 * Summaries that are NOT safe to aggregate in a tree. Mirror of
 * `Hydrogen.Aggregate.Counterexamples`: each function here is refuted in Lean
 * (and in the tests) on a concrete witness. Do not use them as merges.
 *
 * @module
 */

/**
 * Averaging two averages, as naive code does: `(a + b) / 2`
 * (Lean's `Rat`; here a double). Not associative.
 *
 * @lean Hydrogen.Aggregate.Counterexamples.average
 */
export const average = (a: number, b: number): number => (a + b) / 2

/**
 * Concatenating lists, as a log of events would. Not commutative.
 *
 * @lean Hydrogen.Aggregate.Counterexamples.concat
 */
export const concat = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): ReadonlyArray<number> => [...a, ...b]

/**
 * A register stamped with a timestamp only.
 *
 * @lean Hydrogen.Aggregate.Counterexamples.Stamped
 */
export interface Stamped {
  readonly timestamp: number
  readonly value: number
}

/**
 * Last writer wins by timestamp alone: on a tie the left argument is kept.
 * Not commutative.
 *
 * @lean Hydrogen.Aggregate.Counterexamples.lwwByTimestamp
 */
export const lwwByTimestamp = (a: Stamped, b: Stamped): Stamped => (a.timestamp < b.timestamp ? b : a)
