/**
 * The seed's KPIs (002 Part 11) computed from a simulation's tallies, each
 * with its target and met / NOT met, and the §8.2 message rates as observed.
 *
 * Definitions used (the seed's, made exact where it is loose):
 * - coordination success: admitted scatter-gathers whose trinary quorum PROCEEDs;
 * - arrival-window hit: responses whose ready time is within ±window/2 of T;
 * - prediction accuracy: responses whose ready time is within 50 ms of T (target 90 %);
 * - conflict rate: CONFLICT responses ÷ all responses;
 * - cascade p95: the 95th percentile over the run's wave cascades of each
 *   cascade's completion (95 % of its targets acknowledged); a cascade that
 *   does not complete counts at its 3,200 ms timeout;
 * - recovery: from detection (breaker open or half the scope silent) to
 *   breakers CLOSED and 95 % of the scope active again.
 */
import type { Tallies } from "./SimEngine.ts"

export interface Kpi {
  readonly name: string
  readonly value: number | undefined
  /** How the value is printed. */
  readonly shown: string
  readonly target: string
  /** undefined when there was nothing to measure. */
  readonly met: boolean | undefined
}

export interface Rates {
  readonly heartbeatsPerS: number
  readonly clusterSummariesPerS: number
  readonly sectorSummariesPerS: number
  readonly operationalPerS: number
  readonly cascadePerS: number
  readonly totalPerS: number
}

const pct = (x: number | undefined): string => (x === undefined ? "n/a" : `${(100 * x).toFixed(2)} %`)
const ratio = (a: number, b: number): number | undefined => (b === 0 ? undefined : a / b)

export const quantile = (xs: ReadonlyArray<number>, q: number): number | undefined => {
  if (xs.length === 0) return undefined
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}

const atLeast = (x: number | undefined, t: number): boolean | undefined => (x === undefined ? undefined : x >= t)
const atMost = (x: number | undefined, t: number): boolean | undefined => (x === undefined ? undefined : x <= t)

const minutes = (ms: number | undefined): string => (ms === undefined ? "n/a" : `${(ms / 60_000).toFixed(2)} min`)

/** Recovery times (ms) of the incidents of one kind; undefined entries never recovered within the run. */
export const recoveries = (t: Tallies, kind: "cluster" | "sector"): ReadonlyArray<number | undefined> =>
  t.incidents.filter((i) => i.kind === kind).map((i) => (i.detectedAt === undefined || i.recoveredAt === undefined ? undefined : i.recoveredAt - i.detectedAt))

const recoveryKpi = (t: Tallies, kind: "cluster" | "sector", limitMin: number): Kpi => {
  const rs = recoveries(t, kind)
  const worst = rs.some((x) => x === undefined) ? undefined : rs.length === 0 ? undefined : Math.max(...(rs as number[]))
  const never = rs.some((x) => x === undefined)
  return {
    name: `recovery time (${kind} failure)`,
    value: worst,
    shown: rs.length === 0 ? "no failure injected" : never ? "not recovered in the run" : `${minutes(worst)} (worst of ${rs.length})`,
    target: `<= ${limitMin} min`,
    met: rs.length === 0 ? undefined : never ? false : (worst as number) <= limitMin * 60_000,
  }
}

/** The KPIs of Part 11, in the seed's order. */
export const kpis = (t: Tallies): ReadonlyArray<Kpi> => {
  const success = ratio(t.opsProceeded, t.opsAdmitted)
  const hit = ratio(t.windowHits, t.responded)
  const acc = ratio(t.within50, t.responded)
  const conflict = ratio(t.conflictVotes, t.responded)
  const avail = ratio(t.availableRounds, t.rounds)
  const p95 = quantile(t.cascades, 0.95)
  return [
    { name: "coordination success rate", value: success, shown: `${pct(success)} (${t.opsProceeded}/${t.opsAdmitted})`, target: ">= 99 %", met: atLeast(success, 0.99) },
    { name: "arrival window hit rate", value: hit, shown: pct(hit), target: ">= 95 %", met: atLeast(hit, 0.95) },
    { name: "impedance prediction accuracy", value: acc, shown: `${pct(acc)} within 50 ms`, target: "90 % within 50 ms", met: atLeast(acc, 0.9) },
    { name: "conflict rate", value: conflict, shown: pct(conflict), target: "<= 1 %", met: atMost(conflict, 0.01) },
    { name: "mesh availability", value: avail, shown: pct(avail), target: ">= 99.9 %", met: atLeast(avail, 0.999) },
    { name: "cascade latency p95", value: p95, shown: p95 === undefined ? "no cascade ran" : `${p95.toFixed(0)} ms (${t.cascades.length} cascades, ${t.cascadesFailed} timed out)`, target: "<= 1000 ms", met: atMost(p95, 1000) },
    recoveryKpi(t, "cluster", 5),
    recoveryKpi(t, "sector", 15),
  ]
}

/** Observed message rates over `durationMs`, by §8.2's categories. */
export const rates = (t: Tallies, durationMs: number): Rates => {
  const s = durationMs / 1000
  const m = t.msgs
  const operational = m.scatterSends + m.responses
  const cascade = m.cascadeDown + m.cascadeAcks
  return {
    heartbeatsPerS: m.heartbeats / s,
    clusterSummariesPerS: m.clusterSummaries / s,
    sectorSummariesPerS: m.sectorSummaries / s,
    operationalPerS: operational / s,
    cascadePerS: cascade / s,
    totalPerS: (m.heartbeats + m.clusterSummaries + m.sectorSummaries + operational + cascade) / s,
  }
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** The KPI table: name, measured, target, met / NOT met. */
export const formatKpis = (ks: ReadonlyArray<Kpi>): string => {
  const rows = ks.map((k) => [k.name, k.shown, k.target, k.met === undefined ? "n/a" : k.met ? "met" : "NOT met"] as const)
  const w = [0, 1, 2].map((c) => Math.max(["KPI", "measured", "target"][c]!.length, ...rows.map((r) => r[c]!.length)))
  const line = (r: ReadonlyArray<string>) => `  ${pad(r[0]!, w[0]!)}  ${pad(r[1]!, w[1]!)}  ${pad(r[2]!, w[2]!)}  ${r[3]}\n`
  return line(["KPI", "measured", "target", "result"]) + rows.map(line).join("")
}

const f0 = (x: number): string => Math.round(x).toLocaleString("en-US")

/** Observed rates next to the seed's §8.2 figures for the same shape (`seed` from Topology.rates). */
export const formatRates = (r: Rates, seed: { readonly agentHeartbeatsPerS: number; readonly clusterSummariesPerS: number; readonly sectorSummariesPerS: number; readonly baselinePerS: number; readonly designCapacityPerS?: number }): string =>
  [
    `  heartbeats        ${f0(r.heartbeatsPerS)}/s (seed §8.2: ${f0(seed.agentHeartbeatsPerS)}/s)`,
    `  cluster summaries ${f0(r.clusterSummariesPerS)}/s (seed: ${f0(seed.clusterSummariesPerS)}/s)`,
    `  sector summaries  ${f0(r.sectorSummariesPerS)}/s (seed: ${f0(seed.sectorSummariesPerS)}/s)`,
    `  scatter-gather    ${f0(r.operationalPerS)}/s (sends + responses of the run's operations)`,
    `  cascades          ${f0(r.cascadePerS)}/s (down + acks, averaged over the run)`,
    `  total             ${f0(r.totalPerS)}/s (seed's baseline: ${f0(seed.baselinePerS)}/s)`,
  ].join("\n") + "\n"
