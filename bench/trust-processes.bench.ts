/**
 * Benchmark: signing in the multi-process tree (src/Trust/ProcessTrust.ts,
 * `runTreeMultiProcess({ sign: true })`): every process seals what it sends
 * with its own Ed25519 key and opens what it receives.
 *
 *   node bench/trust-processes.bench.ts [--agents N] [--branching K] [--blocks B] [--rounds R]
 *
 * Three modes, each a run of R rounds, in B interleaved blocks (unsigned,
 * signed, signed over TLS + NKEY, then again), so load hits each alike:
 * unsigned and signed on one plain nats-server with JetStream (the key
 * registry), "secure" on a mutual-TLS + NKEY one (src/Net/Auth.ts). The first
 * round of each run is warm-up and left out. Prints the median upward latency
 * (agents' update → root aggregate) and whole-round time per mode, ratios to
 * unsigned, refreshes per second, exactness, and what the verifiers counted.
 * Timings are reported, never asserted.
 */
import { execSync } from "node:child_process"
import { Effect } from "effect"
import { secureBus } from "../src/Net/Auth.ts"
import { natsServer } from "../src/Net/NatsServer.ts"
import { type MultiProcessResult, runTreeMultiProcess } from "../src/Tree/Process.ts"

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  const v = i < 0 ? dflt : Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`)
  return v
}
const agents = arg("--agents", 1_000_000)
const branching = arg("--branching", 100)
const blocks = arg("--blocks", 3)
const rounds = arg("--rounds", 6)

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const uptime = (): string => execSync("uptime").toString().trim()

type Mode = "unsigned" | "signed" | "secure"
const modes: ReadonlyArray<Mode> = ["unsigned", "signed", "secure"]

await Effect.runPromise(
  Effect.scoped(
    Effect.gen(function* () {
      const plain = yield* natsServer({ jetstream: true })
      const bus = yield* secureBus()
      const tls = yield* natsServer({ jetstream: true, configFile: bus.configFile })
      const credentials = bus.credentials("coordinator")
      console.log(`load before: ${uptime()}`)
      const latency: Record<Mode, number[]> = { unsigned: [], signed: [], secure: [] }
      const whole: Record<Mode, number[]> = { unsigned: [], signed: [], secure: [] }
      const last: Partial<Record<Mode, MultiProcessResult>> = {}
      let exact = true
      for (let b = 0; b < blocks; b++) {
        for (const mode of modes) {
          const r = yield* Effect.promise(() =>
            runTreeMultiProcess({
              agents,
              branching,
              rounds,
              seed: 1 + b,
              // one prefix: the TLS server's permissions are scoped to it; runs are one after another
              servers: mode === "secure" ? tls.url : plain.url,
              ...(mode === "unsigned" ? {} : { sign: true }),
              ...(mode === "secure" ? { credentials } : {}),
            }),
          )
          exact &&= r.allExact
          for (const x of r.rounds.slice(1)) {
            latency[mode].push(x.latencyMs)
            whole[mode].push(x.roundMs)
          }
          last[mode] = r
          console.log(`block ${b + 1} ${mode}: upward p50 ${r.latencyP50Ms.toFixed(1)} ms, exact ${r.allExact}${r.trust === undefined ? "" : `, verified ${r.trust.accepted}`}`)
        }
      }
      const t = last.unsigned!.topology
      console.log(`\nmulti-process tree, n = ${agents}, k = ${branching}: coordinators per level ${t.perLevel.join(" / ")}; processes: parent + ${last.unsigned!.processes.map((p) => p.name).join(", ")}`)
      console.log(`${blocks} blocks × ${modes.length} modes × ${rounds} rounds (first round of each run left out), medians:`)
      const base = { up: median(latency.unsigned), round: median(whole.unsigned) }
      for (const mode of modes) {
        const up = median(latency[mode])
        const rd = median(whole[mode])
        console.log(
          `  ${mode.padEnd(8)} upward ${up.toFixed(1)} ms (${(up / base.up).toFixed(2)}× unsigned), whole round ${rd.toFixed(1)} ms (${(rd / base.round).toFixed(2)}×): ${(1000 / rd).toFixed(1)} refreshes/s`,
        )
      }
      console.log(`  every round exact: ${exact}`)
      for (const mode of ["signed", "secure"] as const) console.log(`  verifiers (${mode}, last run): ${JSON.stringify(last[mode]!.trust)}`)
      console.log(`load after: ${uptime()}`)
    }),
  ),
)
