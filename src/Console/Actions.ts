/**
 * What each console command does to the running system, and the text it
 * answers with (the seed's Part 7 examples). Runs on the receiving side,
 * after the command's signature has been checked (Host.ts).
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type ConsoleCommand, type ConsoleScope, formatScope } from "./Command.ts"
import type { SnapshotError } from "./Snapshot.ts"
import { scopeView, statusReport } from "./Status.ts"
import { ACTIVE, hash32, idleTask, type MeshSystem, OFFLINE, QUARANTINED, type ScopeOutOfRange, slowMs } from "./System.ts"

/** Thaw of a scope with nothing frozen in it. */
export class NotFrozen extends Data.TaggedError("NotFrozen")<{ readonly scope: string }> {
  override get message(): string {
    return `nothing in ${this.scope} is frozen`
  }
}

/** Delegate found no active, reachable, unfrozen agent in its scope. */
export class NoAgentAvailable extends Data.TaggedError("NoAgentAvailable")<{ readonly scope: string }> {
  override get message(): string {
    return `no agent in ${this.scope} can take the task (none active, reachable and not frozen)`
  }
}

export type ActionError = ScopeOutOfRange | NotFrozen | NoAgentAvailable | SnapshotError

/** A command's outcome: the text shown, and the figures a program or test reads. */
export interface ActionReply {
  readonly text: string
  readonly figures: Readonly<Record<string, number>>
}

const fmt = (n: number): string => n.toLocaleString("en-US")
const plural = (n: number, w: string): string => `${fmt(n)} ${w}${n === 1 ? "" : "s"}`
const scopeTitle = (s: ConsoleScope): string =>
  s.kind === "all" ? "Mesh" : s.kind === "sector" ? `Sector ${s.sector}` : `Cluster ${s.sector}-${s.cluster}`

/** Reachable now: active, its cluster's breaker closed, not frozen, not routed around. */
const reachable = (m: MeshSystem, i: number): boolean => {
  const cl = m.clusterOf(i)
  return m.health[i] === ACTIVE && m.breakerOpen[cl] === 0 && m.frozen[cl] === 0 && m.avoided[i] === 0
}

/** The agent's answer to a question: a small fixed repertoire keyed on the question's words. */
const answer = (m: MeshSystem, i: number, question: string): string => {
  if (m.health[i] === QUARANTINED) return "CONFLICT (context divergence detected)"
  const q = question.toLowerCase()
  if (/context|hash/.test(q)) return m.context[i]!.toString(16).padStart(8, "0")
  if (/stuck|task|doing|working/.test(q)) return m.waitingOn[i] !== "" ? `${m.task[i]} (waiting on ${m.waitingOn[i]})` : m.task[i]!
  if (/impedance|latency|slow/.test(q)) return m.impedance[i]! >= slowMs ? `slow (≥ ${slowMs}ms)` : "normal (< 500ms)"
  return "READY"
}

const ask = (m: MeshSystem, c: Extract<ConsoleCommand, { _tag: "Ask" }>, clusters: ReadonlyArray<number>): ActionReply => {
  const pool = [...m.agentsOf(clusters)].filter((i) => m.health[i] !== OFFLINE && m.frozen[m.clusterOf(i)] === 0)
  // a deterministic sample: a stride through the pool from an offset set by the question
  const n = Math.min(c.sample, pool.length)
  const start = hash32(c.question) % Math.max(1, pool.length)
  const groups = new Map<string, number>()
  for (let k = 0; k < n; k++) {
    const i = pool[(start + Math.floor((k * pool.length) / n)) % pool.length]!
    const a = answer(m, i, c.question)
    groups.set(a, (groups.get(a) ?? 0) + 1)
  }
  const sorted = [...groups].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
  const lines = [`${plural(n, "response")}:`, ...sorted.map(([a, k]) => `- ${plural(k, "agent")}: ${a}`)]
  return { text: lines.join("\n") + "\n", figures: { responses: n, groups: sorted.length } }
}

/** Runs one decoded, verified command on the system. */
export const execute = (m: MeshSystem, c: ConsoleCommand, commandsRejected: number): Result.Result<ActionReply, ActionError> => {
  const scope = c._tag === "Broadcast" || c._tag === "Advance" ? { kind: "all" as const } : c._tag === "Delegate" ? c.to : c.scope
  const cr = m.clustersIn(scope)
  if (Result.isFailure(cr)) return Result.fail(cr.failure)
  const clusters = cr.success
  const name = formatScope(scope)
  switch (c._tag) {
    case "Status": {
      if (scope.kind !== "all") return Result.succeed({ text: scopeView(m, scopeTitle(scope), clusters), figures: {} })
      const r = statusReport(m, commandsRejected)
      return Result.succeed({ text: r.box, figures: { active: r.agents.active, total: r.agents.total, aggregate: r.aggregate.sum } })
    }
    case "Broadcast": {
      let received = 0, acked = 0
      const h = hash32(c.message)
      for (let i = 0; i < m.agents; i++) {
        if (!reachable(m, i)) continue
        received++
        m.context[i] = h
        // slow agents get it but have not answered by the end of the window
        if (m.impedance[i]! < slowMs) acked++
      }
      return Result.succeed({ text: `Broadcast complete: ${fmt(received)} received, ${fmt(acked)} acknowledged\n`, figures: { received, acknowledged: acked } })
    }
    case "Ask":
      return Result.succeed(ask(m, c, clusters))
    case "Delegate": {
      let best = -1
      for (const i of m.agentsOf(clusters)) {
        if (reachable(m, i) && m.impedance[i]! < slowMs && (best < 0 || m.impedance[i]! < m.impedance[best]!)) best = i
      }
      if (best < 0) return Result.fail(new NoAgentAvailable({ scope: name }))
      m.task[best] = c.task
      m.waitingOn[best] = ""
      return Result.succeed({ text: `Delegated to agent ${m.agentName(best)} (impedance ${m.impedance[best]}ms)\n`, figures: { agent: best } })
    }
    case "Heal": {
      let restarted = 0, recalibrated = 0, synced = 0, reset = 0, skipped = 0
      for (const cl of clusters) {
        if (m.frozen[cl] === 1) {
          skipped++
          continue
        }
        if (m.breakerOpen[cl] === 1) (m.breakerOpen[cl] = 0), reset++
        for (const i of m.agentsOf([cl])) {
          if (m.health[i] === OFFLINE) (m.health[i] = ACTIVE), restarted++
          if (m.health[i] === QUARANTINED) (m.health[i] = ACTIVE), (m.context[i] = m.context[i === 0 ? 1 : i - 1]!), synced++
          if (m.impedance[i]! >= slowMs) (m.impedance[i] = 150), (m.task[i] = idleTask), (m.waitingOn[i] = ""), recalibrated++
          m.avoided[i] = 0
        }
      }
      const lines = [
        `Healing ${name}:`,
        `- ${plural(restarted, "agent")} restarted`,
        `- ${plural(recalibrated, "slow agent")} reset`,
        `- ${plural(synced, "quarantined agent")} context synced from a neighbour`,
        `- ${plural(reset, "circuit breaker")} reset`,
        ...(skipped > 0 ? [`- ${plural(skipped, "frozen cluster")} left alone (thaw first)`] : []),
      ]
      return Result.succeed({ text: lines.join("\n") + "\n", figures: { restarted, recalibrated, synced, reset, skipped } })
    }
    case "Freeze": {
      const before = m.aggregate()
      const p = m.preserve(clusters.filter((cl) => m.frozen[cl] === 0), name)
      if (Result.isFailure(p)) return Result.fail(p.failure)
      const n = m.freeze(clusters)
      let agents = 0
      for (const i of m.agentsOf(clusters)) if (m.health[i] === ACTIVE) agents++
      const text = `${scope.kind === "all" ? "MESH" : scopeTitle(scope).toUpperCase()} FROZEN\n` +
        `${plural(n, "cluster")} newly frozen, ${plural(agents, "active agent")} paused\n` +
        `State preserved ${p.success !== undefined ? `to ${p.success} ` : "in memory "}(aggregate ${fmt(before)}); reports arriving now are held until thaw\n` +
        `To resume: thaw ${name}\n`
      return Result.succeed({ text, figures: { clusters: n, agents, aggregate: before } })
    }
    case "Thaw": {
      const frozen = clusters.filter((cl) => m.frozen[cl] === 1)
      if (frozen.length === 0) return Result.fail(new NotFrozen({ scope: name }))
      const files = m.checkPreserved(frozen)
      if (Result.isFailure(files)) return Result.fail(files.failure)
      const t = m.thaw(frozen)
      const text = `${scope.kind === "all" ? "MESH" : scopeTitle(scope).toUpperCase()} THAWED\n` +
        `${plural(t.thawed, "cluster")} restored from the snapshot (${plural(t.mismatched, "value")} differed${files.success > 0 ? `; ${plural(files.success, "preserved file")} read back and matched` : ""})\n` +
        `${plural(t.applied, "held report")} applied; aggregate now ${fmt(m.aggregate())}\n`
      return Result.succeed({ text, figures: { clusters: t.thawed, files: files.success, mismatched: t.mismatched, restored: t.restoredSum, applied: t.applied, aggregate: m.aggregate() } })
    }
    case "RouteAround": {
      const lines: Array<string> = []
      for (const i of m.agentsOf(clusters)) {
        if (m.health[i] !== ACTIVE || m.impedance[i]! < slowMs) continue
        m.avoided[i] = 1
        lines.push(`- ${m.agentName(i)} (impedance ${m.impedance[i]}ms)`)
      }
      const text = lines.length === 0 ? `No slow agents in ${name}\n` : `Routing updated. Traffic now avoiding:\n${lines.join("\n")}\n`
      return Result.succeed({ text, figures: { avoided: lines.length } })
    }
    case "Advance": {
      let applied = 0, held = 0, refused = 0
      for (let r = 0; r < c.rounds; r++) {
        const t = m.tick()
        applied += t.applied, held += t.held, refused += t.refused
      }
      const text = `${plural(c.rounds, "round")}: ${plural(applied, "report")} applied, ${fmt(held)} held, ${fmt(refused)} refused; aggregate ${fmt(m.aggregate())}\n`
      return Result.succeed({ text, figures: { applied, held, refused, aggregate: m.aggregate() } })
    }
    case "Reassign": {
      const stuck = [...m.agentsOf(clusters)].filter((i) => m.health[i] === ACTIVE && (m.avoided[i] === 1 || m.impedance[i]! >= slowMs) && m.task[i] !== idleTask)
      if (stuck.length === 0) return Result.succeed({ text: `Nothing stuck in ${name} to reassign\n`, figures: { reassigned: 0 } })
      // fastest reachable agents anywhere in the mesh, idle ones first
      const pool = Array.from({ length: m.agents }, (_, i) => i)
        .filter((i) => reachable(m, i) && m.impedance[i]! < slowMs)
        .sort((a, b) => Number(m.task[a] !== idleTask) - Number(m.task[b] !== idleTask) || m.impedance[a]! - m.impedance[b]! || a - b)
      if (pool.length < stuck.length) return Result.fail(new NoAgentAvailable({ scope: "all" }))
      const lines = stuck.map((i, k) => {
        const to = pool[k]!
        m.task[to] = m.task[i]!
        m.waitingOn[to] = ""
        m.task[i] = idleTask
        m.waitingOn[i] = ""
        m.impedance[i] = 150
        m.avoided[i] = 0
        return `- ${m.task[to]}: ${m.agentName(i)} → ${m.agentName(to)} (impedance ${m.impedance[to]}ms)`
      })
      const text = `Done.\n${lines.join("\n")}\n${stuck.map((i) => m.agentName(i)).join(", ")} restored to normal\n`
      return Result.succeed({ text, figures: { reassigned: stuck.length } })
    }
    case "Stuck": {
      const lines: Array<string> = []
      for (const i of m.agentsOf(clusters)) {
        if (m.avoided[i] === 0 && !(m.health[i] === ACTIVE && m.impedance[i]! >= slowMs)) continue
        const on = m.waitingOn[i] !== "" ? `, waiting on ${m.waitingOn[i]}` : ""
        lines.push(`- ${m.agentName(i)}: ${m.task[i]}${on}`)
      }
      const text = lines.length === 0 ? `Nothing stuck in ${name}\n` : `Stuck:\n${lines.join("\n")}\n`
      return Result.succeed({ text, figures: { stuck: lines.length } })
    }
  }
}
