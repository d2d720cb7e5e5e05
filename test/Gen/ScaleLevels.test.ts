// Differential tests: src/Scale's loops (numbers, early exits, exact sums)
// against the references generated from Lean's structurally recursive
// coordinatorsAbove and seedLogAux (translated from Lean's own equations
// `eq_def`) and the definitions built on them. Branchings 0 and 1 (where the
// recursion runs on fuel alone) use small n so the reference's depth stays small.
import fc from "fast-check"
import { describe, it } from "vitest"
import * as Ref from "../../gen/ts/Scale/Communication.ts"
import * as RefS from "../../gen/ts/Scale/SeedModel.ts"
import * as C from "../../src/Scale/Communication.ts"
import * as S from "../../src/Scale/SeedModel.ts"
import { seed } from "./seed.ts"

const B = BigInt
/** These properties recurse in the reference; fewer cases each, the suite's total stays ≥ 10^5. */
const runs = 5_000
const params = { seed, numRuns: runs } as const
const sameList = (a: ReadonlyArray<number>, b: ReadonlyArray<bigint>) => a.length === b.length && a.every((x, i) => B(x) === b[i])
// (n, k): any n with k ≥ 2, or a small n with k ∈ {0, 1}.
const nkArb = fc.oneof(
  fc.tuple(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(0, 1, 2, 2 ** 40)), fc.oneof(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 2, max: 2 ** 20 }))),
  fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 1)),
)

describe(`Scale levels: src against the Lean-generated references (${runs} cases each)`, () => {
  // @gen Hydrogen.Scale.coordinatorsAbove
  // @gen Hydrogen.Scale.coordinatorsPerLevel
  // @lean Hydrogen.Scale.coordinatorsAbove
  it("coordinatorsAbove: coordinatorsAbove k fuel a and coordinatorsPerLevel n k equal the references (fuel short of enough included)", () => {
    fc.assert(fc.property(nkArb, fc.integer({ min: 0, max: 60 }), ([n, k], fuel) =>
      sameList(C.coordinatorsAbove(k, fuel, n), Ref.coordinatorsAbove(B(k), B(fuel), B(n))) &&
      sameList(C.coordinatorsPerLevel(n, k), Ref.coordinatorsPerLevel(B(n), B(k)))), params)
  })

  // @gen Hydrogen.Scale.coordinatorLevels
  // @gen Hydrogen.Scale.levels
  // @gen Hydrogen.Scale.roundTripHops
  // @lean Hydrogen.Scale.levels
  it("levels: coordinatorLevels, levels and roundTripHops equal the references", () => {
    fc.assert(fc.property(nkArb, ([n, k]) =>
      B(C.coordinatorLevels(n, k)) === Ref.coordinatorLevels(B(n), B(k)) &&
      B(C.levels(n, k)) === Ref.levels(B(n), B(k)) &&
      B(C.roundTripHops(n, k)) === Ref.roundTripHops(B(n), B(k))), params)
  })

  // @gen Hydrogen.Scale.totalCoordinators
  // @gen Hydrogen.Scale.messagesPerRound
  // @lean Hydrogen.Scale.messagesPerRound
  it("messagesPerRound: totalCoordinators and messagesPerRound equal the references (n = 0 included)", () => {
    fc.assert(fc.property(nkArb, ([n, k]) =>
      B(C.totalCoordinators(n, k)) === Ref.totalCoordinators(B(n), B(k)) &&
      B(C.messagesPerRound(n, k)) === Ref.messagesPerRound(B(n), B(k))), params)
  })

  // @gen Hydrogen.Scale.messages_at_level
  // @gen Hydrogen.Scale.total_messages
  // @lean Hydrogen.Scale.total_messages
  it("total_messages: messages_at_level n k i and total_messages n k L equal the references (k = 0, 1 included)", () => {
    const nArb = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 40 }))
    const kArb = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 ** 20 }))
    fc.assert(fc.property(nArb, kArb, fc.integer({ min: 0, max: 64 }), (n, k, i) =>
      B(S.messages_at_level(n, k, i)) === RefS.messages_at_level(B(n), B(k), B(i)) &&
      B(S.total_messages(n, k, i)) === RefS.total_messages(B(n), B(k), B(i))), params)
  })

  // @gen Hydrogen.Scale.seedLogAux
  // @gen Hydrogen.Scale.seedLog
  // @lean Hydrogen.Scale.seedLog
  it("seedLog: seedLogAux k fuel n and seedLog k n equal the references (k ≤ 1, n < k and short fuel included)", () => {
    const kArb = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 ** 20 }))
    const nArb = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 2 ** 40 }))
    fc.assert(fc.property(kArb, fc.integer({ min: 0, max: 50 }), nArb, (k, fuel, n) =>
      B(S.seedLogAux(k, fuel, n)) === RefS.seedLogAux(B(k), B(fuel), B(n)) &&
      // seedLog's fuel is n itself; the recursion still ends after log_k n steps (at once when k ≤ 1).
      B(S.seedLog(k, n)) === RefS.seedLog(B(k), B(n))), params)
  })
})
