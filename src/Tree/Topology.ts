/**
 * The shape of the coordinator tree, exactly as the planner counts it
 * (`src/Scale/Communication.ts`, mirror of `Hydrogen.Scale`).
 *
 * `n` agents report to local coordinators (level 1) in consecutive groups of
 * at most `k`; the coordinators of each level report to the next level in
 * consecutive groups of at most `k`, until one root is left (level `L`, the
 * last entry of `coordinatorsPerLevel n k`). A coordinator is named by its
 * level (1..L) and its index in that level. Agents are "level 0".
 *
 * Local coordinator `i` hosts agents `[i·k, min((i+1)·k, n))`; coordinator
 * `(l, i)` for `l ≥ 2` has children `(l−1, j)` for `j ∈ [i·k, min((i+1)·k,
 * count(l−1)))`; the parent of `(l, i)` is `(l+1, ⌊i/k⌋)`.
 *
 * @module
 */
import { coordinatorsPerLevel } from "../Scale/Communication.ts"

/** A coordinator: its level (1 = local, `levels` = root) and its index in that level. */
export interface CoordinatorId {
  readonly level: number
  readonly index: number
}

/** A half-open range `[lo, hi)`. */
export interface Range {
  readonly lo: number
  readonly hi: number
}

/** The subjects a coordinator uses on the bus. */
export interface Subjects {
  /** Its inbox for its children's Up (and Heartbeat) messages. */
  readonly up: string
  /** Where it broadcasts Down messages to its children (they subscribe). */
  readonly down: string
  /** Its inbox for Lateral messages (from children going up, from its parent going down). */
  readonly lateral: string
}

export interface Topology {
  readonly agents: number
  readonly branching: number
  /** Coordinator levels `L` (`Hydrogen.Scale.coordinatorLevels`). */
  readonly levels: number
  /** Coordinators per level, local level first, root last (`Hydrogen.Scale.coordinatorsPerLevel`). */
  readonly perLevel: ReadonlyArray<number>
  /** All coordinators (`Hydrogen.Scale.totalCoordinators`). */
  readonly total: number
  /** Subject prefix (first token), default `"h"`. */
  readonly prefix: string
}

/** Largest tree built in one process (coordinator ids are u32 on the wire). */
export const maxTopologyAgents = 2 ** 32 - 1

/**
 * The tree for `agents ≥ 1` agents and branching `branching ≥ 2`.
 *
 * @throws RangeError on other inputs (a programming error, not bad data).
 */
export const makeTopology = (agents: number, branching: number, prefix = "h"): Topology => {
  if (!Number.isSafeInteger(agents) || agents < 1 || agents > maxTopologyAgents) {
    throw new RangeError(`makeTopology: agents must be an integer in 1..${maxTopologyAgents}, got ${agents}`)
  }
  if (!Number.isSafeInteger(branching) || branching < 2) {
    throw new RangeError(`makeTopology: branching must be an integer >= 2, got ${branching}`)
  }
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new RangeError(`makeTopology: prefix must be one subject token of [A-Za-z0-9_-], got "${prefix}"`)
  }
  const perLevel = coordinatorsPerLevel(agents, branching)
  return {
    agents,
    branching,
    levels: perLevel.length,
    perLevel,
    total: perLevel.reduce((s, c) => s + c, 0),
    prefix,
  }
}

/** Coordinators at `level` (1..L), or 0 outside. */
export const countAt = (t: Topology, level: number): number => t.perLevel[level - 1] ?? 0

/** The root `(L, 0)`. */
export const root = (t: Topology): CoordinatorId => ({ level: t.levels, index: 0 })

export const isRoot = (t: Topology, c: CoordinatorId): boolean => c.level === t.levels

/** Whether `c` names a coordinator of `t`. */
export const isCoordinator = (t: Topology, c: CoordinatorId): boolean =>
  Number.isSafeInteger(c.level) && Number.isSafeInteger(c.index) && c.level >= 1 && c.level <= t.levels &&
  c.index >= 0 && c.index < countAt(t, c.level)

/** The parent of `c`, or `undefined` for the root. */
export const parent = (t: Topology, c: CoordinatorId): CoordinatorId | undefined =>
  c.level >= t.levels ? undefined : { level: c.level + 1, index: Math.floor(c.index / t.branching) }

/**
 * The children of `c`: agent ids for a local coordinator, coordinator indices
 * at level `c.level − 1` otherwise.
 */
export const childRange = (t: Topology, c: CoordinatorId): Range => {
  const below = c.level === 1 ? t.agents : countAt(t, c.level - 1)
  const lo = c.index * t.branching
  return { lo: Math.min(lo, below), hi: Math.min(lo + t.branching, below) }
}

/** The coordinator ids of `c`'s children (empty for a local coordinator, whose children are agents). */
export const children = (t: Topology, c: CoordinatorId): ReadonlyArray<CoordinatorId> => {
  if (c.level <= 1) return []
  const r = childRange(t, c)
  const out: CoordinatorId[] = []
  for (let j = r.lo; j < r.hi; j++) out.push({ level: c.level - 1, index: j })
  return out
}

/** The agents under `c` (its subtree's leaves), a consecutive range. */
export const agentRange = (t: Topology, c: CoordinatorId): Range => {
  const span = t.branching ** c.level // exact while ≤ 2^53; clamp below
  const lo = c.index * span
  return { lo: Math.min(lo, t.agents), hi: Math.min(lo + span, t.agents) }
}

/** The ancestor of agent `agent` at `level` (level 1 is its local coordinator). */
export const ancestorOfAgent = (t: Topology, agent: number, level: number): CoordinatorId => {
  let index = Math.floor(agent / t.branching)
  for (let l = 1; l < level; l++) index = Math.floor(index / t.branching)
  return { level, index }
}

/** The local coordinator hosting `agent`. */
export const localOf = (t: Topology, agent: number): CoordinatorId => ancestorOfAgent(t, agent, 1)

/** Whether `agent` lies in `c`'s subtree. */
export const inSubtree = (t: Topology, c: CoordinatorId, agent: number): boolean => {
  if (!Number.isSafeInteger(agent) || agent < 0 || agent >= t.agents) return false
  const a = ancestorOfAgent(t, agent, c.level)
  return a.index === c.index
}

/** The lowest coordinator whose subtree holds both agents. */
export const lowestCommonAncestor = (t: Topology, a: number, b: number): CoordinatorId => {
  let ia = Math.floor(a / t.branching)
  let ib = Math.floor(b / t.branching)
  let level = 1
  while (ia !== ib) {
    ia = Math.floor(ia / t.branching)
    ib = Math.floor(ib / t.branching)
    level++
  }
  return { level, index: ia }
}

/** The route of a lateral message from agent `a` to agent `b`. */
export interface LateralRoute {
  readonly lca: CoordinatorId
  /** Coordinators visited, in order: `a`'s local coordinator up to the LCA, then down to `b`'s. */
  readonly coordinators: ReadonlyArray<CoordinatorId>
  /** Edges crossed, agent to agent: `2 · lca.level` ≤ `2 · L` = `2·(levels − 1)` counting agents as a level. */
  readonly hops: number
}

/** The lateral route between two agents: up to their lowest common ancestor and down. */
export const lateralRoute = (t: Topology, a: number, b: number): LateralRoute => {
  const lca = lowestCommonAncestor(t, a, b)
  const coordinators: CoordinatorId[] = []
  for (let l = 1; l < lca.level; l++) coordinators.push(ancestorOfAgent(t, a, l))
  coordinators.push(lca)
  for (let l = lca.level - 1; l >= 1; l--) coordinators.push(ancestorOfAgent(t, b, l))
  return { lca, coordinators, hops: coordinators.length + 1 }
}

/** The bus subjects of coordinator `c`. */
export const subjects = (t: Topology, c: CoordinatorId): Subjects => ({
  up: `${t.prefix}.up.${c.level}.${c.index}`,
  down: `${t.prefix}.down.${c.level}.${c.index}`,
  lateral: `${t.prefix}.lat.${c.level}.${c.index}`,
})

/** Every coordinator, level by level (local first, root last). */
export const allCoordinators = (t: Topology): ReadonlyArray<CoordinatorId> => {
  const out: CoordinatorId[] = []
  for (let l = 1; l <= t.levels; l++) for (let i = 0; i < countAt(t, l); i++) out.push({ level: l, index: i })
  return out
}

/** A short name, e.g. `"L2.17"`. */
export const coordinatorName = (c: CoordinatorId): string => `L${c.level}.${c.index}`

/**
 * The index named by the last token of `subject` when it is the canonical
 * decimal of an integer below `count` (no sign, no leading zero), else −1.
 * Allocates nothing (a wildcard subscription per level dispatches every
 * message through it).
 */
export const subjectIndex = (subject: string, count: number): number => {
  const start = subject.lastIndexOf(".") + 1
  const len = subject.length - start
  if (len === 0 || len > 15 || (len > 1 && subject.charCodeAt(start) === 48)) return -1
  let i = 0
  for (let p = start; p < subject.length; p++) {
    const c = subject.charCodeAt(p) - 48
    if (c < 0 || c > 9) return -1
    i = i * 10 + c
  }
  return i < count ? i : -1
}
