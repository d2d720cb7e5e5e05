/**
 * One simulation run on the virtual clock, start to KPIs, and its printed
 * report (what `hydrogen mesh sim --clock virtual` shows).
 */
import { agentClasses } from "./Arrival.ts"
import type { ConflictRecord } from "./Conflict.ts"
import { type Incident, type Tallies, VirtualMesh } from "./SimEngine.ts"
import { formatKpis, formatRates, type Kpi, kpis, quantile, rates, type Rates } from "./SimKpi.ts"
import { population } from "./SimModel.ts"
import { defaultScenario, type FailureSpec, formatFailures, inject, type Scenario, seedFailures } from "./SimScenario.ts"
import { counts, type MeshShape, rates as seedRates, seedShape } from "./Topology.ts"

export interface SimConfig {
  readonly shape: MeshShape
  readonly seed: number
  readonly failures: FailureSpec
  readonly scenario: Scenario
}

export const defaultSimConfig: SimConfig = { shape: seedShape, seed: 1, failures: seedFailures, scenario: defaultScenario }

export interface SimReport {
  readonly config: SimConfig
  readonly tallies: Tallies
  readonly kpis: ReadonlyArray<Kpi>
  readonly rates: Rates
  /** Median over mesh-wide scatter-gathers of p95 − p5 of ready times, ms. */
  readonly spreadMs: number | undefined
  /** The same over classes A–E (without the human touchpoints). */
  readonly spreadMachineMs: number | undefined
  readonly conflicts: ReadonlyArray<ConflictRecord>
  readonly incidents: ReadonlyArray<Incident>
}

/** Runs `config` on the virtual clock (deterministic: same config, same report). */
export const runVirtual = (config: SimConfig): SimReport => {
  const pop = population(config.shape, config.seed)
  const inj = inject(config.shape, config.failures, config.scenario, config.seed)
  const t = new VirtualMesh(pop, config.failures, inj, config.scenario, config.seed).run()
  return {
    config,
    tallies: t,
    kpis: kpis(t),
    rates: rates(t, config.scenario.durationMs),
    spreadMs: quantile(t.meshSpreads, 0.5),
    spreadMachineMs: quantile(t.meshSpreadsMachine, 0.5),
    conflicts: t.conflicts,
    incidents: t.incidents,
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(0)} s`

/** The report's text: setup, KPI table, modes, incidents, rates. */
export const formatReport = (r: SimReport, wallMs?: number): string => {
  const c = counts(r.config.shape)
  const t = r.tallies
  const out: string[] = []
  out.push(`mesh sim (virtual clock): ${c.agents.toLocaleString("en-US")} agents = ${c.sectors} sectors × ${r.config.shape.clustersPerSector} clusters × ${r.config.shape.agentsPerCluster} agents, seed ${r.config.seed}`)
  out.push(`  simulated ${s(r.config.scenario.durationMs)}${wallMs === undefined ? "" : ` in ${(wallMs / 1000).toFixed(2)} s of wall time`}; scheduling: ${r.config.scenario.strategy}; failures: ${formatFailures(r.config.failures)}`)
  out.push(`  operations: ${t.opsAdmitted} admitted, ${t.opsRefused} refused${t.refusals.size === 0 ? "" : ` (${[...t.refusals].map(([k, v]) => `${k} ${v}`).join(", ")})`}; quorum ${[...t.decisions].map(([k, v]) => `${k} ${v}`).join(", ")}; gather ${[...t.verdicts].map(([k, v]) => `${k} ${v}`).join(", ")}`)
  out.push(`  sends: ${t.scheduled.toLocaleString("en-US")} scheduled, ${t.skipped.toLocaleString("en-US")} skipped (lead > ${s(r.config.scenario.maxLeadMs)}); arrival spread p95−p5 (median over mesh-wide ops): ${r.spreadMs === undefined ? "n/a" : `${r.spreadMs.toFixed(1)} ms`}, classes A–E only ${r.spreadMachineMs === undefined ? "n/a" : `${r.spreadMachineMs.toFixed(1)} ms`}`)
  out.push("")
  out.push("KPIs (seed 002 Part 11):")
  out.push(formatKpis(r.kpis).trimEnd())
  out.push("")
  const perClass = (hits: Float64Array) =>
    agentClasses.map((k, i) => `${k.slice(6, 7)} ${t.respondedByClass[i]! === 0 ? "n/a" : `${((100 * hits[i]!) / t.respondedByClass[i]!).toFixed(1)} %`}`).join(", ")
  out.push(`per class: window hit ${perClass(t.windowHitsByClass)}`)
  out.push(`           within 50 ms ${perClass(t.within50ByClass)}`)
  out.push(`modes: ${t.modes.map((m) => `${s(m.t)} ${m.mode} (${(100 * m.activeRate).toFixed(1)} % active)`).join(" → ")}; lowest active rate ${(100 * t.minActiveRate).toFixed(2)} %`)
  for (const i of r.incidents) {
    out.push(`incident: ${i.kind} ${i.id} down ${s(i.from)}–${s(i.to)}; detected ${i.detectedAt === undefined ? "never" : s(i.detectedAt)}, restored ${i.recoveredAt === undefined ? "not within the run" : s(i.recoveredAt)}`)
  }
  out.push(`conflicts: ${r.conflicts.length} recorded (${r.conflicts.filter((x) => x.resolution._tag === "Escalated").length} escalated)`)
  out.push("")
  out.push("message rates (§8.2), observed:")
  out.push(formatRates(r.rates, seedRates(r.config.shape)).trimEnd())
  return out.join("\n") + "\n"
}
