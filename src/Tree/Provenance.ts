/**
 * Policy provenance of a round: which Down (epoch, policy) each subtree of
 * local coordinators applied, who it came from, and whether it is the one the
 * root broadcast. Comparing the root's aggregate with a direct fold cannot
 * see a forged Down (the agents under it update under the forged policy, and
 * the fold sees the same values), so a round reports this as well: a forged
 * Down shows up as subtrees holding a Down the root did not send, or one their
 * claimed sender does not hold itself.
 *
 * @module
 */
import type { LocalLevel } from "./LocalLevel.ts"
import { coordinatorName } from "./Topology.ts"

/** A Down as held: its epoch and policy bytes (hex, "" for no policy). */
export interface HeldDown {
  readonly epoch: number
  readonly policy: string
}

/** Consecutive level-2 parents whose local coordinators hold the same Down. */
export interface ProvenanceRun extends HeldDown {
  /** The claimed sender of the first parent's subtree, e.g. "L2.0" (decodeFor checked the claim: it is on that parent's subject). */
  readonly from: string
  readonly parents: number
  readonly locals: number
  readonly agents: number
  /** Whether this is the Down the root broadcast this round. */
  readonly matchesRoot: boolean
}

export interface PolicyProvenance {
  /** What the root broadcast this round. */
  readonly root: HeldDown
  /** The runs (at most `maxRuns`; `runsOmitted` more). One run matching the root: every subtree applied the root's Down. */
  readonly runs: ReadonlyArray<ProvenanceRun>
  readonly runsOmitted: number
  /** Local coordinators (and their agents) holding a Down other than the root's. */
  readonly divergentLocals: number
  readonly divergentAgents: number
  /**
   * Level-2 parents whose children hold a Down the parent itself does not
   * hold (a Down injected on the parent's subject); undefined where the
   * parents run in other processes.
   */
  readonly senderMismatches: number | undefined
  /** No divergent local and no sender mismatch: every subtree applied the root's Down of this round. */
  readonly faithful: boolean
}

/** How many runs a round reports. */
export const maxRuns = 16

export const hex = (b: Uint8Array): string => {
  let s = ""
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0")
  return s
}

/** One local coordinator position as held by its active replica (replicated tree); undefined: no active replica. */
export interface HeldByLocal {
  readonly epoch: number
  readonly policy: Uint8Array
  /** Who sent the Down it holds ("—": none yet). */
  readonly from: string
  readonly agents: number
  /** What the sender's position (its active replica) holds itself; undefined when it has none. */
  readonly sender: { readonly epoch: number; readonly policy: Uint8Array } | undefined
}

/**
 * Provenance of the local positions of a replicated tree against its active
 * root's Down (src/Tree/Failover.ts): runs of consecutive positions holding
 * the same Down from the same sender. A position without an active replica
 * counts as divergent (its subtree applies nobody's Down this round).
 */
export const provenanceOfLocals = (root: { readonly epoch: number; readonly policy: Uint8Array }, locals: ReadonlyArray<HeldByLocal | undefined>): PolicyProvenance => {
  const rootDown: HeldDown = { epoch: root.epoch, policy: hex(root.policy) }
  const runs: ProvenanceRun[] = []
  let total = 0
  let divergentLocals = 0
  let divergentAgents = 0
  let senderMismatches = 0
  let last: { epoch: number; policy: string; from: string; parents: number; locals: number; agents: number; matchesRoot: boolean } | undefined
  const flush = (): void => {
    if (last === undefined) return
    total++
    if (runs.length < maxRuns) runs.push({ ...last })
    last = undefined
  }
  for (const h of locals) {
    const epoch = h?.epoch ?? 0
    const policy = h === undefined ? "" : hex(h.policy)
    const from = h?.from ?? "no active replica"
    const matchesRoot = h !== undefined && epoch === root.epoch && policy === rootDown.policy
    if (!matchesRoot) {
      divergentLocals++
      divergentAgents += h?.agents ?? 0
    }
    if (h?.sender !== undefined && (h.sender.epoch !== epoch || hex(h.sender.policy) !== policy)) senderMismatches++
    if (last !== undefined && last.epoch === epoch && last.policy === policy && last.from === from) {
      last.locals++
      last.agents += h?.agents ?? 0
    } else {
      flush()
      last = { epoch, policy, from, parents: 1, locals: 1, agents: h?.agents ?? 0, matchesRoot }
    }
  }
  flush()
  return { root: rootDown, runs, runsOmitted: total - runs.length, divergentLocals, divergentAgents, senderMismatches, faithful: divergentLocals === 0 && senderMismatches === 0 }
}

/**
 * Provenance of what `level` holds against the root's `root` Down; `sender(j)`
 * gives what level-2 parent `j` holds itself, when it is in this process.
 */
export const policyProvenance = (
  root: { readonly epoch: number; readonly policy: Uint8Array },
  level: LocalLevel | undefined,
  sender?: (j: number) => { readonly epoch: number; readonly policy: Uint8Array },
): PolicyProvenance => {
  const rootDown: HeldDown = { epoch: root.epoch, policy: hex(root.policy) }
  if (level === undefined) {
    // one coordinator: the root hosts every agent and applies what it broadcast
    return { root: rootDown, runs: [], runsOmitted: 0, divergentLocals: 0, divergentAgents: 0, senderMismatches: undefined, faithful: true }
  }
  const runs: ProvenanceRun[] = []
  let total = 0
  let divergentLocals = 0
  let divergentAgents = 0
  let senderMismatches = 0
  for (const r of level.heldDowns()) {
    const policy = hex(r.policy)
    const matchesRoot = r.epoch === root.epoch && policy === rootDown.policy
    if (!matchesRoot) {
      divergentLocals += r.locals
      divergentAgents += r.agents
    }
    if (sender !== undefined) {
      for (let j = r.parent; j < r.parent + r.parents; j++) {
        const s = sender(j)
        if (s.epoch !== r.epoch || hex(s.policy) !== policy) senderMismatches++
      }
    }
    total++
    if (runs.length < maxRuns) {
      runs.push({ epoch: r.epoch, policy, from: coordinatorName({ level: 2, index: r.parent }), parents: r.parents, locals: r.locals, agents: r.agents, matchesRoot })
    }
  }
  return {
    root: rootDown,
    runs,
    runsOmitted: total - runs.length,
    divergentLocals,
    divergentAgents,
    senderMismatches: sender === undefined ? undefined : senderMismatches,
    faithful: divergentLocals === 0 && (sender === undefined || senderMismatches === 0),
  }
}
