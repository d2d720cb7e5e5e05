/**
 * The numeric domain the Lean proofs cover, and the typed errors for leaving it.
 *
 * Lean's `Nat` and `Int` are unbounded; the TypeScript mirrors hold them in
 * float64 `number`s. The mirrors are exact, and the Lean theorems transfer,
 * exactly when every value is a *safe integer* (`|x| ≤ 2^53 − 1`): there every
 * integer is representable and `+`, `−`, `max`, `min` are exact as long as the
 * result is safe too. So:
 *
 * - a Lean `Int` is a safe integer (`isInt`); a Lean `Nat` is a non-negative
 *   safe integer (`isNat`). NaN, ±Infinity, fractions, non-safe integers (and
 *   negatives where Lean has `Nat`) are outside the domain: `OutOfDomain`.
 * - a result that would leave the safe range (a sum past 2^53 − 1) would be
 *   rounded by float64; it is a `SafeIntegerOverflow` instead, never a
 *   silently wrong number.
 *
 * Both are `Data.TaggedError`s (as the codecs' errors are). Functions on plain
 * values (monoid merges, lattice joins, constructors) throw them, since their
 * signatures are the Lean ones; entry points over batches return them in a
 * `Result` where the signature allows (see `Tree.aggregateKaryTypedResult`).
 *
 * Not a Lean mirror: the Lean side needs no such checks.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"

/** The kind of Lean number a value must be. */
export type NumberDomain = "Nat" | "Int"

const describe = (domain: NumberDomain): string =>
  domain === "Nat" ? "a natural number (a non-negative safe integer)" : "an integer (a safe integer, |x| ≤ 2^53 − 1)"

const show = (v: unknown): string => (typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : String(v))

/**
 * An input outside the proved domain: `value` passed as `field` to `where` is
 * not a safe integer (NaN, ±Infinity, a fraction, beyond ±(2^53 − 1)), or is
 * negative where Lean has `Nat`.
 */
export class OutOfDomain extends Data.TaggedError("OutOfDomain")<{
  readonly where: string
  readonly field: string
  readonly value: unknown
  readonly domain: NumberDomain
}> {
  override get message(): string {
    return `${this.where}: ${this.field} must be ${describe(this.domain)}, got ${show(this.value)}`
  }
}

/**
 * A result that Lean computes exactly but that would leave the safe-integer
 * range here (float64 would round it): `operation` in `where` on `operands`.
 */
export class SafeIntegerOverflow extends Data.TaggedError("SafeIntegerOverflow")<{
  readonly where: string
  readonly operation: string
  readonly operands: ReadonlyArray<number>
}> {
  override get message(): string {
    return `${this.where}: ${this.operation} of ${this.operands.map(show).join(", ")} leaves the safe-integer range ±(2^53 − 1)`
  }
}

/** Every numeric-domain error. */
export type DomainError = OutOfDomain | SafeIntegerOverflow

/** Lean `Int`: a safe integer. */
export const isInt = (x: unknown): x is number => Number.isSafeInteger(x)

/** Lean `Nat`: a non-negative safe integer. */
export const isNat = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0

/** `x` when it is a Lean `Nat`; throws `OutOfDomain` otherwise. */
export const requireNat = (where: string, field: string, x: number): number => {
  if (!isNat(x)) throw new OutOfDomain({ where, field, value: x, domain: "Nat" })
  return x
}

/** `x` when it is a Lean `Int`; throws `OutOfDomain` otherwise. */
export const requireInt = (where: string, field: string, x: number): number => {
  if (!isInt(x)) throw new OutOfDomain({ where, field, value: x, domain: "Int" })
  return x
}

/** `x` as a Lean `Nat`, or `OutOfDomain`. */
export const natOf = (where: string, field: string, x: unknown): Result.Result<number, OutOfDomain> =>
  isNat(x) ? Result.succeed(x) : Result.fail(new OutOfDomain({ where, field, value: x, domain: "Nat" }))

/** `x` as a Lean `Int`, or `OutOfDomain`. */
export const intOf = (where: string, field: string, x: unknown): Result.Result<number, OutOfDomain> =>
  isInt(x) ? Result.succeed(x) : Result.fail(new OutOfDomain({ where, field, value: x, domain: "Int" }))

/**
 * `a + b` for safe integers `a`, `b`; throws `SafeIntegerOverflow` when the
 * exact sum is not safe. (With safe operands the float sum is exact whenever
 * the exact sum is safe, and otherwise rounds to a non-safe value, so one
 * check of the result decides.)
 */
export const addExact = (where: string, a: number, b: number): number => {
  const s = a + b
  if (!Number.isSafeInteger(s)) throw new SafeIntegerOverflow({ where, operation: "a + b", operands: [a, b] })
  return s
}

/** Runs `f`, returning a thrown `DomainError` as a failure (anything else is rethrown). */
export const catchDomain = <A>(f: () => A): Result.Result<A, DomainError> => {
  try {
    return Result.succeed(f())
  } catch (e) {
    if (e instanceof OutOfDomain || e instanceof SafeIntegerOverflow) return Result.fail(e)
    throw e
  }
}
