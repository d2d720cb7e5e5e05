/**
 * The mutations of the replica kill/restart test (`Replica.test.ts`), shared
 * by the test and its child processes (`replica-child.ts`): mutation `k`
 * (1, 2, …) of replica `r` is a fixed delta, so the test can compute the join
 * of every mutation without asking any replica.
 */
import { VectorClock } from "../../src/State/Counter.ts"
import { ORMap, ORSet, tagOf } from "../../src/State/ORSet.ts"
import { LWWMap } from "../../src/State/Register.ts"
import { ViewportState } from "../../src/State/Viewport.ts"

/** Subject prefix of the test's replica group. */
export const SUBJECT = "hydrogen.test.viewport"

/**
 * Mutation `k` of replica `r`, as a delta: tick `r`'s clock entry to `k`, put
 * element `k mod 4` (fresh tag), move element `(7k + r) mod 5`, set `r`'s
 * z-order, start animation `k mod 3` (fresh tag). Keys collide across
 * replicas, so the LWW and add-wins rules decide.
 */
export const mutation = (r: number, k: number): ViewportState => {
  const w = { timestamp: k, replica: r, value: 10 * k + r }
  return {
    elements: ORMap.putDelta(k % 4, tagOf(r, k), w),
    positions: LWWMap.setDelta((7 * k + r) % 5, w),
    zOrder: LWWMap.setDelta(r, w),
    animations: ORSet.addDelta(k % 3, tagOf(r, k)),
    clock: VectorClock.tickDelta(r, VectorClock.make(Array.from({ length: r + 1 }, (_, i) => (i === r ? k - 1 : 0)))),
  }
}

/** The join of mutations `1 … counts[r]` of every replica `r`. */
export const joinOfMutations = (counts: ReadonlyArray<number>): ViewportState => {
  let s = ViewportState.empty
  counts.forEach((n, r) => {
    for (let k = 1; k <= n; k++) s = ViewportState.join(s, mutation(r, k))
  })
  return s
}

/** How many mutations replica `r` has made, read off its clock entry. */
export const mutationsOf = (s: ViewportState, r: number): number => VectorClock.get(s.clock, r)
