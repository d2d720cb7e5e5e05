// Vectors for Hydrogen.Research (lean/Hydrogen/Research/Spiral.lean, Path.lean,
// Bandit.lean, Elites.lean): SPIRAL missions over the support model, path
// resolution, citation validity and the hallucination flag, Beta posteriors,
// the annealing split, cell indices and MAP-Elites archives. Expected values
// come from the plain references below (loops over the seed's rules), written
// independently of src/.
import type { Family, Rng } from "./generate.ts"

const R = "Hydrogen.Research"
const str = (s: string) => JSON.stringify(s) // Lean and JSON agree on these ASCII literals
const strs = (xs: readonly string[]) => `[${xs.map(str).join(", ")}]`
const lvl = (l: string) => `.${l}`

// ---- references ----
type Level = "high" | "medium" | "low"
const levelRef = (n: number, k: number): Level => (10 * k >= 7 * n ? "high" : 10 * k >= 4 * n ? "medium" : "low")
interface RoundRef { agreed: boolean; impossible: boolean; level: Level; digest: number }
/** SPIRAL over the support model: support moves by each round's gain within [0, n]; stop on agreement, impossibility or the bound. */
function spiralRef(n: number, q: number, impossible: boolean, gains: number[], maxRounds: number) {
  const rounds: RoundRef[] = []
  let support = 0
  for (let i = 1; i <= maxRounds; i++) {
    support = Math.min(n, Math.max(0, support + (gains[i - 1] ?? 0)))
    const agreed = !impossible && support >= q
    const seen = levelRef(n, support)
    rounds.push({ agreed, impossible, level: agreed || seen !== "high" ? seen : "medium", digest: support })
    if (agreed || impossible) break
  }
  const last = rounds[rounds.length - 1]
  return last?.agreed === true ? { rounds, converged: true, level: last.level } : { rounds, converged: false, level: "low" as Level }
}
/** Lexical resolution: a leading "" is absolute; ".." may not go above the root. */
function resolveRef(root: string[], p: string[]): string[] | null {
  if (p[0] === "") return null
  const below: string[] = []
  for (const c of p) {
    if (c === "" || c === ".") continue
    if (c === "..") { if (below.length === 0) return null; below.pop() } else below.push(c)
  }
  return [...root, ...below]
}

export function researchVectors(r: Rng): Family[] {
  const spiral: Family = { file: "research-spiral", module: "ResearchSpiral", vectors: [], statements: [], imports: "public import Hydrogen.Research.Spiral", ns: `${R}.Spiral` }
  const path: Family = { file: "research-path", module: "ResearchPath", vectors: [], statements: [], imports: "public import Hydrogen.Research.Path", ns: R }
  const search: Family = {
    file: "research-search", module: "ResearchSearch", vectors: [], statements: [],
    imports: "public import Hydrogen.Research.Bandit\npublic import Hydrogen.Research.Elites", ns: R,
  }

  // SPIRAL: the seed's max_rounds = 3 with n = 10, q = 7 first (converging in round 1, 2, 3, never, impossible), then random
  const fixed: Array<[number, number, boolean, number[], number]> = [
    [10, 7, false, [7], 3], [10, 7, false, [5, 2], 3], [10, 7, false, [4, 2, 3], 3], [10, 7, false, [6, -1, 1], 3], [10, 7, true, [10], 3], [10, 7, false, [], 0],
  ]
  for (let i = 0; i < 60; i++) {
    const [n, q, impossible, gains, maxRounds] = i < fixed.length ? fixed[i]! : (() => {
      const n = r.int(1, 16)
      return [n, r.int(0, n + 1), r.int(0, 6) === 0, Array.from({ length: r.int(0, 7) }, () => r.int(-4, 6)), r.int(0, 8)] as [number, number, boolean, number[], number]
    })()
    const out = spiralRef(n, q, impossible, gains, maxRounds)
    spiral.vectors.push({
      family: "Spiral.supportRun",
      lean: [`${R}.Spiral.spiral`, `${R}.Spiral.rounds`, `${R}.Spiral.conclude`, `${R}.Spiral.supportRun`, `${R}.Spiral.nextSupport`, `${R}.Spiral.roundLevel`],
      input: { n, q, impossible, gains, maxRounds }, expected: out,
    })
    const m = `(spiral (supportRun ${n} ${q} ${impossible} ([${gains.join(", ")}] : List Int)) ${maxRounds})`
    spiral.statements.push(`example : ${m}.converged = ${out.converged} ∧ ${m}.level = ${lvl(out.level)} ∧ ` +
      `${m}.rounds.map (fun x => (x.agreed, x.impossible, x.level, x.digest)) = ` +
      `[${out.rounds.map((x) => `(${x.agreed}, ${x.impossible}, ${lvl(x.level)}, ${x.digest})`).join(", ")}] := by decide +kernel`)
  }

  // paths: the seed's blocked examples first, then random component lists
  const comps = ["", ".", "..", "a", "b", "src", "x.ts"]
  const roots = [["w"], ["home", "ws"], []]
  const fixedPaths: Array<[string[], string[]]> = [
    [["w"], ["", "etc", "passwd"]], [["w"], ["..", "..", "..", "etc", "passwd"]], [["w"], ["src", "..", "..", "w", "a"]], [["w"], ["src", ".", "x.ts"]], [["w"], []],
  ]
  for (let i = 0; i < 60; i++) {
    const [root, p] = i < fixedPaths.length ? fixedPaths[i]! : [r.pick(roots), Array.from({ length: r.int(0, 6) }, () => r.pick(comps))]
    const out = resolveRef(root, p)
    path.vectors.push({ family: "Research.resolve", lean: [`${R}.resolve`, `${R}.walk`, `${R}.step`], input: { root, p }, expected: out })
    path.statements.push(`example : resolve ${strs(root)} ${strs(p)} = ${out === null ? "none" : `some ${strs(out)}`} := by decide +kernel`)
  }
  // citation validity with exact line matching (Lean's parameter `m` instantiated), and the flag
  const lines = ["let x = 1", "proof", "", "end"]
  for (let i = 0; i < 30; i++) {
    const file = { present: r.int(0, 5) > 0, readable: r.int(0, 5) > 0, lines: Array.from({ length: r.int(0, 4) }, () => r.pick(lines)) }
    const line = r.int(0, 5)
    const quote = file.lines.length > 0 && r.bool() ? file.lines[Math.min(line, file.lines.length) - 1] ?? r.pick(lines) : r.pick(lines)
    const expected = file.present && file.readable && line >= 1 && line <= file.lines.length && file.lines[line - 1] === quote
    path.vectors.push({ family: "Research.valid", lean: [`${R}.valid`, `${R}.FileModel`, `${R}.Citation`], input: { file, line, quote }, expected })
    path.statements.push(`example : valid (fun l q => l == q) ⟨${file.present}, ${file.readable}, ${strs(file.lines)}⟩ ⟨${line}, ${str(quote)}⟩ = ${expected} := by decide +kernel`)
  }
  for (let i = 0; i < 30; i++) {
    const total = i === 0 ? 10 : r.int(0, 40), h = i === 0 ? 2 : r.int(0, total)
    const expected = h * 5 > total // the seed's rate h / total > 0.2, in integers
    path.vectors.push({ family: "Research.flagged", lean: [`${R}.flagged`], input: { hallucinated: h, total }, expected })
    path.statements.push(`example : flagged ${h} ${total} = ${expected} := by decide`)
  }

  // Beta posteriors and the annealing split
  for (let i = 0; i < 30; i++) {
    const alpha = r.int(1, 20), beta = r.int(1, 20)
    const obs = Array.from({ length: r.int(0, 12) }, () => r.bool())
    const post = { alpha: alpha + obs.filter((x) => x).length, beta: beta + obs.filter((x) => !x).length }
    const k = r.int(0, 30), round = r.int(0, 5)
    const exploit = Math.floor((k * (round <= 1 ? 0 : round === 2 ? 5 : 8)) / 10)
    const expected = { posterior: post, varNum: post.alpha * post.beta, varDen: (post.alpha + post.beta) ** 2 * (post.alpha + post.beta + 1), exploit, explore: k - exploit }
    search.vectors.push({
      family: "Research.bandit", lean: [`${R}.Beta.observe`, `${R}.Beta.update`, `${R}.Beta.varNum`, `${R}.Beta.varDen`, `${R}.exploitCount`, `${R}.exploreCount`, `${R}.exploitTenths`],
      input: { prior: { alpha, beta }, obs, k, round }, expected,
    })
    const b = `(Beta.observe ⟨${alpha}, ${beta}⟩ [${obs.join(", ")}])`
    search.statements.push(`example : ${b} = ⟨${post.alpha}, ${post.beta}⟩ ∧ ${b}.varNum = ${expected.varNum} ∧ ${b}.varDen = ${expected.varDen} ∧ ` +
      `exploitCount ${k} ${round} = ${exploit} ∧ exploreCount ${k} ${round} = ${k - exploit} := by decide +kernel`)
  }
  // cell indices and archives (cells 0..5, the elite per cell is the first of the fittest)
  for (let i = 0; i < 30; i++) {
    const b = r.int(1, 10)
    const cell = [r.int(0, b - 1), r.int(0, b - 1), r.int(0, b - 1), r.int(0, b - 1)] as const
    const index = cell[0] * b ** 3 + cell[1] * b ** 2 + cell[2] * b + cell[3]
    const xs = Array.from({ length: r.int(0, 8) }, (_, id) => ({ cell: r.int(0, 5), fitness: r.int(-5, 5), config: id }))
    const elites = [0, 1, 2, 3, 4, 5].map((c) => {
      const inCell = xs.filter((x) => x.cell === c)
      if (inCell.length === 0) return null
      const best = Math.max(...inCell.map((x) => x.fitness))
      return [best, inCell.find((x) => x.fitness === best)!.config]
    })
    search.vectors.push({
      family: "Research.elites", lean: [`${R}.cellIndex`, `${R}.Archive.build`, `${R}.Archive.insert`, `${R}.Archive.empty`],
      input: { b, cell, candidates: xs }, expected: { index, elites },
    })
    const cand = `([${xs.map((x) => `⟨${x.cell}, ${x.fitness < 0 ? `(${x.fitness})` : x.fitness}, ${x.config}⟩`).join(", ")}] : List (Candidate Nat Nat))`
    const show = (e: number[] | null) => (e === null ? "none" : `some (${e[0]! < 0 ? `(${e[0]})` : e[0]}, ${e[1]})`)
    search.statements.push(`example : cellIndex ${b} (${cell.join(", ")}) = ${index} ∧ ` +
      `[0, 1, 2, 3, 4, 5].map (fun c => ((Archive.build Archive.empty ${cand}) c).map (fun e => (e.fitness, e.config))) = ` +
      `[${elites.map(show).join(", ")}] := by decide +kernel`)
  }
  return [spiral, path, search]
}
