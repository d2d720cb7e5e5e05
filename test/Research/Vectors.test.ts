// Replays the research vectors (gen/vectors/research-spiral.json,
// research-path.json, research-search.json; kernel-checked in
// gen/lean/Hydrogen/Vectors/ResearchSpiral.lean, ResearchPath.lean and
// ResearchSearch.lean) against src/Research.
import { describe, expect, it } from "vitest"
import { exploitCount, exploreCount, observe, varDen, varNum } from "../../src/Research/Bandit.ts"
import { type Bins, build, cellIndex, empty } from "../../src/Research/Elites.ts"
import { flagged, resolve, valid } from "../../src/Research/Path.ts"
import { spiral, supportRun } from "../../src/Research/Spiral.ts"
import { loadVectors } from "../Vectors/load.ts"

const spirals = loadVectors("research-spiral")
const paths = loadVectors("research-path")
const search = loadVectors("research-search")
const of = (vs: typeof spirals, f: string) => vs.filter((v) => v.family === f)

describe("research vectors (Lean-kernel-checked) replayed against src/Research", () => {
  it(`research vectors: all ${spirals.length + paths.length + search.length} belong to a replayed family, with the seed's cases among them`, () => {
    expect(of(spirals, "Spiral.supportRun").length).toBe(spirals.length)
    expect(of(paths, "Research.resolve").length + of(paths, "Research.valid").length + of(paths, "Research.flagged").length).toBe(paths.length)
    expect(of(search, "Research.bandit").length + of(search, "Research.elites").length).toBe(search.length)
    // max_rounds = 3, n = 10, q = 7: converged in round 3, and an impossible quorum stops after one round
    expect(spirals.some((v) => v.input.maxRounds === 3 && v.expected.converged && v.expected.rounds.length === 3)).toBe(true)
    expect(spirals.some((v) => v.input.impossible && !v.expected.converged && v.expected.rounds.length === 1)).toBe(true)
    // the seed's blocked /etc/passwd and ../../../etc/passwd
    expect(of(paths, "Research.resolve").filter((v) => v.input.p.includes("passwd")).map((v) => v.expected)).toEqual([null, null])
    expect(of(paths, "Research.flagged").some((v) => v.input.hallucinated * 5 === v.input.total && v.expected === false)).toBe(true)
  })

  // @lean Hydrogen.Research.Spiral.spiral
  // @lean Hydrogen.Research.Spiral.supportRun
  it(`research vectors: all ${spirals.length} SPIRAL missions replay (rounds run, their supports and levels, converged, final level)`, () => {
    for (const v of spirals) {
      const { n, q, impossible, gains, maxRounds } = v.input
      const m = spiral(supportRun(n, q, impossible, gains), maxRounds)
      expect({ rounds: m.rounds, converged: m.converged, level: m.level }, JSON.stringify(v.input)).toEqual(v.expected)
    }
  })

  // @lean Hydrogen.Research.resolve
  it(`research vectors: all ${of(paths, "Research.resolve").length} path resolutions replay`, () => {
    for (const v of of(paths, "Research.resolve")) expect(resolve(v.input.root, v.input.p) ?? null, JSON.stringify(v.input)).toEqual(v.expected)
  })

  // @lean Hydrogen.Research.valid
  it(`research vectors: all ${of(paths, "Research.valid").length} citation validity vectors replay (exact line match as the content test)`, () => {
    for (const v of of(paths, "Research.valid")) {
      expect(valid((l, q) => l === q, v.input.file, { line: v.input.line, quote: v.input.quote }), JSON.stringify(v.input)).toBe(v.expected)
    }
  })

  // @lean Hydrogen.Research.flagged
  it(`research vectors: all ${of(paths, "Research.flagged").length} hallucination flags replay`, () => {
    for (const v of of(paths, "Research.flagged")) expect(flagged(v.input.hallucinated, v.input.total), JSON.stringify(v.input)).toBe(v.expected)
  })

  // @lean Hydrogen.Research.Beta.observe
  // @lean Hydrogen.Research.exploitCount
  it(`research vectors: all ${of(search, "Research.bandit").length} posterior and annealing-split vectors replay`, () => {
    for (const v of of(search, "Research.bandit")) {
      const post = observe(v.input.prior, v.input.obs)
      const got = { posterior: post, varNum: varNum(post), varDen: varDen(post), exploit: exploitCount(v.input.k, v.input.round), explore: exploreCount(v.input.k, v.input.round) }
      expect(got, JSON.stringify(v.input)).toEqual(v.expected)
    }
  })

  // @lean Hydrogen.Research.cellIndex
  // @lean Hydrogen.Research.Archive.build
  it(`research vectors: all ${of(search, "Research.elites").length} cell-index and archive vectors replay`, () => {
    for (const v of of(search, "Research.elites")) {
      const edges = Array.from({ length: v.input.b - 1 }, (_, i) => i + 1)
      const bins: Bins = { cost: edges, latency: edges, consensus: edges, diversity: edges }
      const archive = build(empty<number>(), v.input.candidates)
      const elites = [0, 1, 2, 3, 4, 5].map((c) => {
        const e = archive.get(c)
        return e === undefined ? null : [e.fitness, e.config]
      })
      expect({ index: cellIndex(bins, v.input.cell), elites }, JSON.stringify(v.input)).toEqual(v.expected)
    }
  })
})
