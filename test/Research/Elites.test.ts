import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Result from "effect/Result"
import { makeRng } from "../../src/Research/Bandit.ts"
import {
  best, binOf, build, cellCount, cellIndex, cellOf, coverage, crossover, decodeBins, empty, inGrid, insert, mutate, seedBins, top,
  uniformEdges, type Archive, type Bins, type Candidate, type Cell, type ResearcherConfig,
} from "../../src/Research/Elites.ts"

// Properties restate the theorems of lean/Hydrogen/Research/Elites.lean. Expected
// elites are found here by brute force over the inserted candidates.

const cand = fc.record({ cell: fc.nat({ max: 6 }), fitness: fc.integer({ min: -20, max: 20 }), config: fc.nat() })
const cands = fc.array(cand, { maxLength: 40 })
const archive = cands.map((xs) => build(empty<number>(), xs))
const runs = { numRuns: 300 } as const
const cells = [0, 1, 2, 3, 4, 5, 6]

describe("Hydrogen.Research.Archive", () => {
  // @lean Hydrogen.Research.Archive.insert_other
  it("insert_other: insert leaves every other cell as it was", () => {
    fc.assert(fc.property(archive, cand, (a, x) => {
      const b = insert(a, x)
      for (const c of cells) if (c !== x.cell) expect(b.get(c)).toBe(a.get(c))
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.insert_tie_keeps
  it("insert_tie_keeps: an equally fit candidate does not replace the elite", () => {
    fc.assert(fc.property(archive, cand, (a, x) => {
      const e = a.get(x.cell)
      fc.pre(e !== undefined)
      const tie = { ...x, fitness: e!.fitness, config: -1 }
      expect(insert(a, tie).get(x.cell)).toBe(e)
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.insert_ge
  it("insert_ge: after insert the candidate's cell is at least as fit as the candidate", () => {
    fc.assert(fc.property(archive, cand, (a, x) => {
      const e = insert(a, x).get(x.cell)
      expect(e).toBeDefined()
      expect(e!.fitness).toBeGreaterThanOrEqual(x.fitness)
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.insert_mono
  it("insert_mono: insert never lowers any cell's best fitness", () => {
    fc.assert(fc.property(archive, cand, (a, x) => {
      const b = insert(a, x)
      for (const c of cells) {
        const e = a.get(c)
        if (e !== undefined) expect(b.get(c)!.fitness).toBeGreaterThanOrEqual(e.fitness)
      }
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.build_ge
  it("build_ge: every candidate of a cell is at most as fit as the cell's elite", () => {
    fc.assert(fc.property(cands, (xs) => {
      const a = build(empty<number>(), xs)
      for (const x of xs) expect(a.get(x.cell)!.fitness).toBeGreaterThanOrEqual(x.fitness)
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.build_mem
  it("build_mem: a cell's elite is one of the candidates inserted into that cell (the first of the fittest)", () => {
    fc.assert(fc.property(cands, (xs) => {
      const a = build(empty<number>(), xs)
      for (const [c, e] of a) {
        expect(e.cell).toBe(c)
        const inCell = xs.filter((x) => x.cell === c)
        const max = Math.max(...inCell.map((x) => x.fitness))
        expect(e).toBe(inCell.find((x) => x.fitness === max)) // strict ">": the earliest of the fittest stays
      }
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.build_none_iff
  it("build_none_iff: a cell is empty exactly when no candidate fell in it", () => {
    fc.assert(fc.property(cands, (xs) => {
      const a = build(empty<number>(), xs)
      for (const c of cells) expect(a.get(c) === undefined).toBe(!xs.some((x) => x.cell === c))
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.insert_some
  it("insert_some: what insert leaves in a cell was there before or is the candidate (in its own cell)", () => {
    fc.assert(fc.property(archive, cand, (a, x) => {
      const b = insert(a, x)
      for (const c of cells) {
        const e = b.get(c)
        if (e !== undefined) expect(a.get(c) === e || (e === x && x.cell === c)).toBe(true)
      }
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.build_mono
  it("build_mono: building on an archive never lowers a cell's best fitness", () => {
    fc.assert(fc.property(archive, cands, (a, xs) => {
      const b = build(a, xs)
      for (const c of cells) {
        const e = a.get(c)
        if (e !== undefined) expect(b.get(c)!.fitness).toBeGreaterThanOrEqual(e.fitness)
      }
    }), runs)
  })

  // @lean Hydrogen.Research.Archive.build_some
  it("build_some: a cell's elite after building was there at the start or is one of that cell's candidates", () => {
    fc.assert(fc.property(archive, cands, (a, xs) => {
      const b = build(a, xs)
      for (const c of cells) {
        const e = b.get(c)
        if (e !== undefined) expect(a.get(c) === e || (xs.includes(e) && e.cell === c)).toBe(true)
      }
    }), runs)
  })

  it("insert does not mutate the archive it is given", () => {
    const a = build(empty<string>(), [{ cell: 1, fitness: 1, config: "a" }])
    insert(a, { cell: 1, fitness: 5, config: "b" })
    expect(best(a, 1)!.config).toBe("a")
  })
})

describe("behaviour grid", () => {
  const allCells = (bins: Bins): Cell[] => {
    const n = [bins.cost, bins.latency, bins.consensus, bins.diversity].map((e) => e.length + 1)
    const out: Cell[] = []
    for (let a = 0; a < n[0]!; a++) for (let b = 0; b < n[1]!; b++) for (let c = 0; c < n[2]!; c++) for (let d = 0; d < n[3]!; d++) out.push([a, b, c, d])
    return out
  }

  // @lean Hydrogen.Research.cellIndex_inj
  it("cellIndex_inj: distinct cells of the grid get distinct indices", () => {
    const ten = uniformEdges(0, 1, 10)
    for (const bins of [seedBins, { cost: ten, latency: ten, consensus: ten, diversity: ten }, { cost: [1], latency: [1, 2], consensus: [], diversity: [1, 2, 3, 4] }]) {
      const idx = allCells(bins).map((c) => cellIndex(bins, c))
      expect(new Set(idx).size).toBe(idx.length)
    }
  })

  // @lean Hydrogen.Research.cellIndex_lt
  it("cellIndex_lt: every index of a b⁴ grid is below b⁴", () => {
    const idx = allCells(seedBins).map((c) => cellIndex(seedBins, c))
    expect(Math.max(...idx)).toBe(255)
    expect(Math.min(...idx)).toBe(0)
    expect(allCells(seedBins).every((c) => inGrid(seedBins, c))).toBe(true)
    const outside: Cell[] = [[4, 0, 0, 0], [0, 0, 0, 4], [-1, 0, 0, 0]]
    expect(outside.some((c) => inGrid(seedBins, c))).toBe(false)
  })

  // @lean Hydrogen.Research.niches_seed
  it("niches_seed: 10 bins per dimension give 10,000 niches, the seed's named 4-level scales 256", () => {
    const ten = uniformEdges(0, 1, 10)
    expect(cellCount({ cost: ten, latency: ten, consensus: ten, diversity: ten })).toBe(10_000)
    expect(cellCount(seedBins)).toBe(256)
  })

  it("bins follow the seed's scales, each bin [lower, upper)", () => {
    expect([0, 0.05, 0.1, 0.29, 0.3, 1, 7].map((v) => binOf(seedBins.cost, v))).toEqual([0, 0, 1, 1, 2, 3, 3])
    expect([0.5, 1, 2.9, 3, 10, 60].map((v) => binOf(seedBins.latency, v))).toEqual([0, 1, 1, 2, 3, 3])
    // HIGH_ALIGN (80–100 %) is the top bin, OUTLIER (0–20 %) the bottom
    expect(cellOf(seedBins, { cost: 0.05, latency: 0.4, consensus: 0.9, diversity: 0.95 })).toEqual([0, 0, 3, 3])
    expect(cellOf(seedBins, { cost: 2, latency: 12, consensus: 0.1, diversity: 0.2 })).toEqual([3, 3, 0, 0])
  })

  it("coverage and the top 20 %", () => {
    const a: Archive<string> = build(empty<string>(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ cell: i * 3, fitness: i % 4, config: `c${i}` })))
    expect(coverage(a, seedBins)).toBe(10 / 256)
    expect(top(a, 0.2).map((e) => e.config)).toEqual(["c3", "c7"])
  })

  it("bin edges are decoded: not increasing or not numbers is a typed error naming the dimension", () => {
    expect(Result.isSuccess(decodeBins("bins.json", seedBins))).toBe(true)
    const r = decodeBins("bins.json", { ...seedBins, latency: [1, 3, 3] })
    expect(Result.isFailure(r) && r.failure.where).toBe("bins.json.latency[2]")
    const r2 = decodeBins("bins.json", { ...seedBins, cost: ["x"] })
    expect(Result.isFailure(r2) && r2.failure._tag).toBe("BinsError")
  })
})

describe("mutation and crossover", () => {
  const base: ResearcherConfig = { model: "m", temperature: 0.7, maxTokens: 1000, constraints: ["cite"], tools: ["grep_search"] }
  const space = { constraintPool: ["cite", "brief", "quote"], toolPool: ["read_file", "grep_search", "list_files"] }
  const changed = (a: ResearcherConfig, b: ResearcherConfig) =>
    [a.temperature !== b.temperature, a.maxTokens !== b.maxTokens, a.constraints.join() !== b.constraints.join(), a.tools.join() !== b.tools.join()].filter(Boolean).length

  it("mutate changes exactly one parameter within the seed's ranges (T ± 0.1, tokens × 0.8–1.2, one constraint, one tool)", () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 20 }), (seed, t10) => {
      const c = { ...base, temperature: t10 / 10 }
      const m = mutate(makeRng(seed), space, c)
      expect(changed(c, m)).toBeLessThanOrEqual(1)
      expect(m.temperature).toBeGreaterThanOrEqual(0)
      expect(m.temperature).toBeLessThanOrEqual(2)
      if (m.temperature !== c.temperature) expect(Math.abs(m.temperature - c.temperature)).toBeCloseTo(0.1, 9)
      expect(m.maxTokens).toBeGreaterThanOrEqual(800)
      expect(m.maxTokens).toBeLessThanOrEqual(1200)
      expect(Math.abs(m.constraints.length - c.constraints.length) + Math.abs(m.tools.length - c.tools.length)).toBeLessThanOrEqual(1)
    }), runs)
    // over many seeds all four kinds of change happen
    const kinds = new Set(Array.from({ length: 200 }, (_, s) => {
      const m = mutate(makeRng(s), space, base)
      return m.temperature !== base.temperature ? "t" : m.maxTokens !== base.maxTokens ? "n" : m.constraints !== base.constraints ? "p" : "x"
    }))
    expect(kinds).toEqual(new Set(["t", "n", "p", "x"]))
  })

  it("crossover follows the seed: mean temperature, larger max tokens, merged prompts, union of tools", () => {
    const p2: ResearcherConfig = { model: "n", temperature: 0.2, maxTokens: 3000, constraints: ["brief", "cite"], tools: ["read_file"] }
    const c = crossover(makeRng(3), base, p2)
    expect(c.temperature).toBeCloseTo(0.45, 12)
    expect(c.maxTokens).toBe(3000)
    expect([...c.constraints].sort()).toEqual(["brief", "cite"])
    expect([...c.tools].sort()).toEqual(["grep_search", "read_file"])
    expect(["m", "n"]).toContain(c.model)
  })

  it("a seeded MAP-Elites run never loses a cell's best fitness from one generation to the next", () => {
    const rng = makeRng(11)
    const fitness = (c: ResearcherConfig) => Math.round(100 * (1 - Math.abs(c.temperature - 0.5)) + c.tools.length * 5)
    const behaviour = (c: ResearcherConfig) =>
      ({ cost: c.maxTokens / 4000, latency: c.maxTokens / 300, consensus: 1 - c.temperature / 2, diversity: c.constraints.length / 3 })
    const toCand = (c: ResearcherConfig): Candidate<ResearcherConfig> => ({ cell: cellIndex(seedBins, cellOf(seedBins, behaviour(c))), fitness: fitness(c), config: c })
    let a = build(empty<ResearcherConfig>(), [toCand(base)])
    for (let g = 0; g < 30; g++) {
      const parents = top(a, 0.2)
      const kids = parents.map((p) => mutate(rng, space, crossover(rng, p.config, parents[Math.floor(rng.next() * parents.length)]!.config)))
      const next = build(a, kids.map(toCand))
      for (const [c, e] of a) expect(next.get(c)!.fitness).toBeGreaterThanOrEqual(e.fitness)
      a = next
    }
    expect(a.size).toBeGreaterThan(1)
  })
})
