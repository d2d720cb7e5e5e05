// The differential suite's seed: fixed, so a run is reproducible; set
// HYDROGEN_GEN_SEED to explore other inputs. fast-check prints the seed and
// the shrunk counterexample of a failure.
import fc from "fast-check"

export const seed = Number(process.env.HYDROGEN_GEN_SEED ?? 20261201)
if (!Number.isSafeInteger(seed)) throw new Error(`HYDROGEN_GEN_SEED must be an integer, got ${process.env.HYDROGEN_GEN_SEED}`)

/** Cases each differential property runs; the suite's total is counted in its titles. */
export const runs = 20_000

export const params = { seed, numRuns: runs } as const

/** Safe integers, weighted towards the edges of the safe range and of 0. */
export const safeIntArb = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31)),
)
