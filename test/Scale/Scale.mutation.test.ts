// The Scale mirrors' error contract: Communication.ts throws `OutOfDomain`
// naming the function and argument (Aggregate/Domain.ts), SeedModel.ts a
// `RangeError` whose message names the function and the value; a total that
// leaves 2^53 − 1 is an error, never a rounded number. Found unasserted by the
// mutation run.
import { describe, expect, it } from "vitest"
import { OutOfDomain, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts"
import { ceilDiv, coordinatorsAbove, messageBound, messagesPerRound, totalCoordinators } from "../../src/Scale/Communication.ts"
import { messages_at_level, seedLogAux, total_messages } from "../../src/Scale/SeedModel.ts"

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected a throw")
}

describe("Communication.ts names the function and argument", () => {
  it("ceilDiv and coordinatorsAbove", () => {
    expect(thrown(() => ceilDiv(-1, 2))).toMatchObject({ _tag: "OutOfDomain", where: "ceilDiv", field: "a", value: -1, domain: "Nat" })
    expect(thrown(() => ceilDiv(1, 0.5))).toMatchObject({ where: "ceilDiv", field: "k", value: 0.5 })
    expect(thrown(() => coordinatorsAbove(-1, 1, 1))).toMatchObject({ where: "coordinatorsAbove", field: "k" })
    expect(thrown(() => coordinatorsAbove(2, -1, 1))).toMatchObject({ where: "coordinatorsAbove", field: "fuel" })
    expect(thrown(() => coordinatorsAbove(2, 1, 1.5))).toMatchObject({ where: "coordinatorsAbove", field: "a" })
    expect(thrown(() => ceilDiv(Number.NaN, 1))).toBeInstanceOf(OutOfDomain)
  })

  it("the k = 1 guard's RangeError names the function and the level cap", () => {
    // Lean: coordinatorsAbove 1 fuel 2 = fuel copies of 2; beyond 10^6 levels the mirror refuses.
    expect(() => coordinatorsAbove(1, 2_000_000, 2)).toThrow(/^coordinatorsAbove: more than 1000000 levels \(k = 1\)$/)
  })

  it("sums that leave the safe range name the function that formed them", () => {
    const max = Number.MAX_SAFE_INTEGER
    // k = 2: the levels above MAX agents hold ⌈MAX/2⌉ + ... ≈ MAX coordinators, MAX + S − 1 > MAX.
    expect(thrown(() => messagesPerRound(max, 2))).toMatchObject({ _tag: "SafeIntegerOverflow", where: "messagesPerRound" })
    // MAX agents, k = 2: the levels hold 2^52, 2^51, ..., 1, so S = 2^53 − 1 is still exact.
    expect(totalCoordinators(max, 2)).toBe(max)
    expect(thrown(() => messagesPerRound(max, 2))).toBeInstanceOf(SafeIntegerOverflow)
  })
})

describe("SeedModel.ts RangeErrors name the function and the value", () => {
  it("a non-natural argument", () => {
    expect(() => messages_at_level(-1, 2, 0)).toThrow(/^messages_at_level: -1 is not a natural number$/)
    expect(() => messages_at_level(1, 0.5, 0)).toThrow(/^messages_at_level: 0\.5 is not a natural number$/)
    expect(() => total_messages(1, 2, -3)).toThrow(/^total_messages: -3 is not a natural number$/)
    expect(() => seedLogAux(2, Number.NaN, 1)).toThrow(/^seedLogAux: NaN is not a natural number$/)
  })

  it("a total beyond 2^53 − 1 (k = 1: n · levels)", () => {
    // Σ_{i<3} n / 1^i = 3n; with n = 2^52 that is 3·2^52 > 2^53 − 1.
    const n = 2 ** 52
    expect(() => total_messages(n, 1, 3)).toThrow(new RangeError(`total_messages: ${3n * BigInt(n)} exceeds 2^53 − 1`))
    // k = 2: n + n/2 + n/4 = 1.75 · 2^52 is safe; 2^53 − 1 + (2^53 − 1)/2 is not.
    expect(total_messages(n, 2, 3)).toBe(n + n / 2 + n / 4)
    const max = Number.MAX_SAFE_INTEGER
    expect(() => total_messages(max, 2, 2)).toThrow(/^total_messages: \d+ exceeds 2\^53 − 1$/)
  })
})

describe("Scale functions stay iterative and exact at the edges", () => {
  it("SeedModel names every argument it checks", () => {
    expect(() => messages_at_level(1, 2, -1)).toThrow(/^messages_at_level: -1 is not a natural number$/)
    expect(() => total_messages(-1, 2, 1)).toThrow(/^total_messages: -1 is not a natural number$/)
    expect(() => total_messages(1, -2, 1)).toThrow(/^total_messages: -2 is not a natural number$/)
    expect(() => seedLogAux(-1, 1, 1)).toThrow(/^seedLogAux: -1 is not a natural number$/)
    expect(() => seedLogAux(2, 1, 0.5)).toThrow(/^seedLogAux: 0\.5 is not a natural number$/)
  })

  it("a total of exactly 2^53 − 1 is returned, not refused", () => {
    const max = Number.MAX_SAFE_INTEGER
    expect(total_messages(max, 1, 1)).toBe(max) // Σ_{i<1} n / 1^i = n
  })

  it("astronomically many levels cost nothing once the quotient is 0 or k = 1 (10^15 levels)", () => {
    // n / k^i is 0 from i = 3 on for n = 5, k = 2: 5, 2, 1, 0, ...
    expect(messages_at_level(5, 2, 10 ** 15)).toBe(0)
    expect(total_messages(5, 2, 10 ** 15)).toBe(5 + 2 + 1)
    // k = 1: n / 1^i = n at every level
    expect(messages_at_level(7, 1, 10 ** 15)).toBe(7)
    expect(total_messages(1, 1, 10 ** 15)).toBe(10 ** 15)
  })

  it("coordinatorsAbove with k = 1 builds exactly 10^6 levels and refuses the 10^6 + 1st", () => {
    expect(coordinatorsAbove(1, 10 ** 6, 2).length).toBe(10 ** 6)
    expect(() => coordinatorsAbove(1, 10 ** 6 + 1, 2)).toThrow(RangeError)
  })

  it("messageBound for 10 agents, k = 3: levels 4, 2, 1 (by hand)", () => {
    // S = 7, L = 3, M = n + S − 1 = 16
    const b = messageBound(10, 3)
    expect(b).toMatchObject({ messages: 16, coordinatorLevels: 3, holds: true })
    expect(b.leanLhs).toBe(3n * 16n + 3n + 3n) // k·M + k + L = 54
    expect(b.leanRhs).toBe(10n * 3n + 16n + 3n * 3n) // n·k + M + k·L = 55
    expect(b.lhs).toBe(2n * 16n) // (k−1)·M = 32
    expect(b.rhs).toBe(30n + 2n * 2n - 1n) // n·k + (k−1)(L−1) − 1 = 33
  })
})
