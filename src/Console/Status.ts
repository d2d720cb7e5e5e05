/**
 * `status`: the seed's box (Part 7.1) and the rows behind it, read from the
 * live system; and a sector's view (Part 7.2, "what's happening in sector 7").
 *
 * @module
 */
import { Schema } from "effect"
import { opMode, seedModeThresholds } from "../Mesh/Degradation.ts"
import { ACTIVE, type MeshSystem, OFFLINE, QUARANTINED, slowMs } from "./System.ts"

const n = Schema.Finite
const mode = Schema.Literals(["FULL", "DEGRADED_LIGHT", "DEGRADED_MODERATE", "DEGRADED_SEVERE", "EMERGENCY"])

export const SectorRow = Schema.Struct({
  sector: n,
  agents: n,
  active: n,
  slow: n,
  quarantined: n,
  openBreakers: n,
  frozenClusters: n,
  healthy: Schema.Boolean,
})
export type SectorRow = typeof SectorRow.Type

export const BreakerRow = Schema.Struct({ cluster: Schema.String, circuit: Schema.Literals(["OPEN", "CLOSED"]), offline: n })
export type BreakerRow = typeof BreakerRow.Type

/** What `status` reports (decoded with this schema when it comes over the bus); `box` is the seed's box as text. */
export const StatusReport = Schema.Struct({
  agents: Schema.Struct({ total: n, active: n, offline: n, quarantined: n, slow: n, avoided: n }),
  sectors: Schema.Struct({ total: n, healthy: n }),
  clusters: Schema.Struct({ total: n, openBreakers: n, frozen: n }),
  breakers: Schema.Array(BreakerRow),
  conflicts: n,
  meanImpedanceMs: n,
  mode,
  /** The live aggregate, the rounds behind it, reports held while frozen and refused (hold queue full). */
  aggregate: Schema.Struct({ sum: n, round: n, held: n, refused: n }),
  /** Signed commands the system refused (forged, replayed, unsigned…), in all. */
  commandsRejected: n,
  sectorRows: Schema.Array(SectorRow),
  box: Schema.String,
})
export type StatusReport = typeof StatusReport.Type

const fmt = (n: number): string => n.toLocaleString("en-US")
const pct = (a: number, b: number): string => (b === 0 ? "0.0" : ((100 * a) / b).toFixed(1))

/** Draws lines in the seed's box. */
export const drawBox = (title: string, lines: ReadonlyArray<string>): string => {
  const w = Math.max(title.length, ...lines.map((l) => l.length)) + 2
  const row = (t: string) => `│ ${t.padEnd(w - 2)} │`
  return [`┌${"─".repeat(w)}┐`, row(title), `├${"─".repeat(w)}┤`, ...lines.map(row), `└${"─".repeat(w)}┘`].join("\n") + "\n"
}

export const statusReport = (m: MeshSystem, commandsRejected: number): StatusReport => {
  const A = m.shape.agentsPerCluster
  const C = m.shape.clustersPerSector
  let active = 0, offline = 0, quarantined = 0, slow = 0, avoided = 0, impSum = 0
  const sectorRows: Array<SectorRow> = []
  const breakers: Array<BreakerRow> = []
  for (let s = 0; s < m.shape.sectors; s++) {
    let sa = 0, sAct = 0, sSlow = 0, sQ = 0, sOpen = 0, sFrozen = 0
    for (let c = 0; c < C; c++) {
      const cl = s * C + c
      let cOff = 0
      for (let i = cl * A; i < (cl + 1) * A; i++) {
        sa++
        const h = m.health[i]
        if (h === ACTIVE) {
          active++, sAct++
          impSum += m.impedance[i]!
          if (m.impedance[i]! >= slowMs) slow++, sSlow++
        } else if (h === OFFLINE) offline++, cOff++
        else if (h === QUARANTINED) quarantined++, sQ++
        if (m.avoided[i] === 1) avoided++
      }
      if (m.breakerOpen[cl] === 1) {
        sOpen++
        breakers.push({ cluster: m.clusterName(cl), circuit: "OPEN", offline: cOff })
      }
      if (m.frozen[cl] === 1) sFrozen++
    }
    sectorRows.push({
      sector: s + 1, agents: sa, active: sAct, slow: sSlow, quarantined: sQ, openBreakers: sOpen, frozenClusters: sFrozen,
      healthy: sOpen === 0 && sAct * 100 >= sa * 95,
    })
  }
  const healthy = sectorRows.filter((r) => r.healthy).length
  const openBreakers = breakers.length
  let frozen = 0
  for (let cl = 0; cl < m.clusters; cl++) frozen += m.frozen[cl]!
  const meanImpedanceMs = active === 0 ? 0 : Math.round(impSum / active)
  const mode = opMode(seedModeThresholds, active, m.agents)
  const sum = m.aggregate()
  const lines = [
    `Agents: ${fmt(active)} / ${fmt(m.agents)} active (${pct(active, m.agents)}%)`,
    `Sectors: ${healthy}/${m.shape.sectors} healthy`,
    `Clusters: ${fmt(m.clusters)} (${openBreakers} breaker${openBreakers === 1 ? "" : "s"} open, ${frozen} frozen)`,
    `Mean Impedance: ${meanImpedanceMs}ms`,
    `Conflicts: ${m.conflicts} (${quarantined} quarantined)`,
    `Mode: ${mode}${frozen === m.clusters ? " (FROZEN)" : ""}`,
    `Aggregate: ${fmt(sum)} after ${m.round} rounds (${fmt(m.heldTotal)} held)`,
    `Commands rejected: ${commandsRejected}`,
  ]
  return {
    agents: { total: m.agents, active, offline, quarantined, slow, avoided },
    sectors: { total: m.shape.sectors, healthy },
    clusters: { total: m.clusters, openBreakers, frozen },
    breakers,
    conflicts: m.conflicts,
    meanImpedanceMs,
    mode,
    aggregate: { sum, round: m.round, held: m.heldTotal, refused: m.refused },
    commandsRejected,
    sectorRows,
    box: drawBox("MESH STATUS", lines),
  }
}

/** Part 7.2's answer to "what's happening in sector S" (or one cluster). */
export const scopeView = (m: MeshSystem, title: string, clusters: ReadonlyArray<number>): string => {
  let n = 0, act = 0, q = 0, imp = 0, open = 0, frozen = 0
  const slow: Array<{ cluster: number; agent: number }> = []
  for (const cl of clusters) {
    if (m.breakerOpen[cl] === 1) open++
    if (m.frozen[cl] === 1) frozen++
  }
  for (const i of m.agentsOf(clusters)) {
    n++
    if (m.health[i] === QUARANTINED) q++
    if (m.health[i] !== ACTIVE) continue
    act++
    imp += m.impedance[i]!
    if (m.impedance[i]! >= slowMs) slow.push({ cluster: m.clusterOf(i), agent: i })
  }
  const mean = act === 0 ? 0 : Math.round(imp / act)
  const lines = [
    `${title} status:`,
    `- ${fmt(act)}/${fmt(n)} agents active`,
    `- Mean impedance: ${mean}ms`,
    `- ${q} agent${q === 1 ? "" : "s"} in quarantine (context divergence)`,
    `- ${open} cluster breaker${open === 1 ? "" : "s"} open, ${frozen} cluster${frozen === 1 ? "" : "s"} frozen`,
  ]
  if (slow.length > 0) {
    const byCluster = new Map<number, number>()
    for (const s of slow) byCluster.set(s.cluster, (byCluster.get(s.cluster) ?? 0) + 1)
    for (const [cl, k] of byCluster) lines.push(`- Notable: ${m.clusterName(cl)} has ${k} agent${k === 1 ? "" : "s"} with impedance > ${slowMs}ms`)
    lines.push("Recommendation: investigate the slow agents; 'route around slow agents' to avoid them for now.")
  }
  return lines.join("\n") + "\n"
}
