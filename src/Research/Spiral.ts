/**
 * SPIRAL rounds (seed 004): the TypeScript mirror of
 * `lean/Hydrogen/Research/Spiral.lean`.
 *
 * The loop is written once, as a generator that asks for round `i` with the
 * previous round's digest and is handed back what it needs of the gathered
 * round. `spiral` and `rounds` drive it with a pure function; `Protocol.ts`
 * drives the same generator with its effectful SCATTER + GATHER, so the loop
 * the theorems are about is the one missions run.
 *
 * @module
 */
import { requireNat } from "../Aggregate/Domain.ts"
import { level, type Level } from "../Quorum/Arithmetic.ts"

/**
 * What the loop sees of one gathered round: a claim reached the quorum
 * (`agreed`), no quorum exists at all (`impossible`), the level, the digest.
 *
 * @lean Hydrogen.Research.Spiral.Round
 */
export interface Round<S> {
  readonly agreed: boolean
  readonly impossible: boolean
  readonly level: Level
  readonly digest: S
}

/**
 * A round ends the loop when its claim reached the quorum or no quorum exists.
 *
 * @lean Hydrogen.Research.Spiral.Round.stops
 */
export const stops = <S>(r: Round<S>): boolean => r.agreed || r.impossible

/**
 * A mission's outcome.
 *
 * @lean Hydrogen.Research.Spiral.Mission
 */
export interface Mission<S> {
  readonly converged: boolean
  readonly rounds: ReadonlyArray<Round<S>>
  readonly level: Level
}

/** What the loop asks for: round `round`, given the previous digest (none for the first). */
export interface Request<S> {
  readonly round: number
  readonly digest: S | undefined
}

/** The rounds run with `fuel` left from round `i` with digest `d`, as a generator of requests. */
export function* roundsFrom<S>(fuel: number, i: number, d: S | undefined): Generator<Request<S>, Round<S>[], Round<S>> {
  requireNat("Spiral.rounds", "fuel", fuel)
  requireNat("Spiral.rounds", "i", i)
  const out: Round<S>[] = []
  let digest = d
  // Lean recurses on the fuel; the loop counts it down.
  for (let left = fuel, round = i; left > 0; left--, round++) {
    const r = yield { round, digest }
    out.push(r)
    if (stops(r)) break
    digest = r.digest
  }
  return out
}

/**
 * Converged exactly when the last round agreed (its level); LOW otherwise.
 *
 * @lean Hydrogen.Research.Spiral.conclude
 */
export const conclude = <S>(rs: ReadonlyArray<Round<S>>): Mission<S> => {
  const last = rs[rs.length - 1]
  return last !== undefined && last.agreed ? { converged: true, rounds: rs, level: last.level } : { converged: false, rounds: rs, level: "low" }
}

/** SPIRAL as a generator: rounds 1, 2, … each given the previous digest, at most `maxRounds`. */
export function* plan<S>(maxRounds: number): Generator<Request<S>, Mission<S>, Round<S>> {
  return conclude(yield* roundsFrom<S>(maxRounds, 1, undefined))
}

const drive = <S, A>(g: Generator<Request<S>, A, Round<S>>, run: (round: number, digest: S | undefined) => Round<S>): A => {
  let step = g.next()
  while (!step.done) step = g.next(run(step.value.round, step.value.digest))
  return step.value
}

/**
 * The rounds run with `fuel` rounds left, from round `i` with digest `d`.
 *
 * @lean Hydrogen.Research.Spiral.rounds
 */
export const rounds = <S>(run: (round: number, digest: S | undefined) => Round<S>, fuel: number, i: number, d: S | undefined): Round<S>[] =>
  drive(roundsFrom(fuel, i, d), run)

/**
 * SPIRAL over a pure round function.
 *
 * @lean Hydrogen.Research.Spiral.spiral
 */
export const spiral = <S>(run: (round: number, digest: S | undefined) => Round<S>, maxRounds: number): Mission<S> =>
  drive(plan<S>(maxRounds), run)

// ---- the support model of the vectors ----

/**
 * Support after a change, kept in `[0, n]`.
 *
 * @lean Hydrogen.Research.Spiral.nextSupport
 */
export const nextSupport = (n: number, prev: number, gain: number): number => {
  requireNat("Spiral.nextSupport", "n", n)
  requireNat("Spiral.nextSupport", "prev", prev)
  if (!Number.isSafeInteger(gain)) throw new RangeError(`Spiral.nextSupport: gain ${gain} is not an integer`)
  return Math.min(n, Math.max(0, prev + gain))
}

/**
 * The seed's level of `k` of `n`, capped at MEDIUM unless the quorum was reached.
 *
 * @lean Hydrogen.Research.Spiral.roundLevel
 */
export const roundLevel = (n: number, k: number, agreed: boolean): Level => {
  const l = level(n, k)
  return agreed || l !== "high" ? l : "medium"
}

/**
 * The scripted run: round `i` has the previous support (the digest) plus
 * `gains[i − 1]` (0 past the list), kept in `[0, n]`.
 *
 * @lean Hydrogen.Research.Spiral.supportRun
 */
export const supportRun = (n: number, q: number, impossible: boolean, gains: ReadonlyArray<number>) =>
  (i: number, d: number | undefined): Round<number> => {
    const k = nextSupport(n, d ?? 0, gains[Math.max(i - 1, 0)] ?? 0)
    const agreed = !impossible && q <= k
    return { agreed, impossible, level: roundLevel(n, k, agreed), digest: k }
  }

/**
 * What the rounds run spend (seconds, tokens, dollars), for a per-round cost.
 *
 * @lean Hydrogen.Research.Spiral.spent
 */
export const spent = <S>(cost: (r: Round<S>) => number, rs: ReadonlyArray<Round<S>>): number =>
  rs.reduce((a, r) => a + requireNat("Spiral.spent", "cost", cost(r)), 0)
