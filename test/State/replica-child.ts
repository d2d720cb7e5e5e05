/**
 * One viewport replica in its own process, for `Replica.test.ts` (which
 * SIGKILLs it). Argument: JSON `ChildConfig`. It makes mutations `k + 1 …
 * count` (`replica-workload.ts`, `k` read from its restored state), printing
 * `acked k` when `update` returns (the delta is stored), and answers stdin
 * lines `state` (hex of the encoded state) and `stats`. When stdin closes it
 * closes its scope (replica, store, connection) and exits.
 */
import { Effect, Schedule } from "effect"
import { createInterface } from "node:readline"
import { connectNats } from "../../src/Net/Nats.ts"
import { ViewportStateCodec } from "../../src/State/Encoding.ts"
import { openFileStore } from "../../src/State/FileStore.ts"
import { openJetStreamStore } from "../../src/State/JetStreamStore.ts"
import { makeReplica } from "../../src/State/Replica.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { mutation, mutationsOf, SUBJECT } from "./replica-workload.ts"

export interface ChildConfig {
  readonly url: string
  readonly id: number
  readonly peers: ReadonlyArray<number>
  readonly store: { readonly kind: "file"; readonly path: string } | { readonly kind: "jetstream"; readonly name: string }
  readonly count: number
  readonly periodMs: number
  readonly intervalMs: number
  readonly compactEvery: number
}

const config = JSON.parse(process.argv[2] ?? "") as ChildConfig
const say = (line: string): void => void process.stdout.write(`${line}\n`)
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

const program = Effect.gen(function* () {
  const transport = yield* Effect.acquireRelease(
    Effect.promise(() => connectNats({ servers: config.url, name: `replica-${config.id}` })),
    (t) => Effect.promise(() => t.close()),
  )
  const store =
    config.store.kind === "file"
      ? yield* openFileStore(config.store.path, ViewportStateCodec)
      : // On a loaded machine creating the stream can outlast the request timeout at startup: try again, bounded.
        yield* Effect.retry(openJetStreamStore(transport.connection, ViewportStateCodec, { name: config.store.name }), {
          schedule: Schedule.spaced(250),
          times: 20,
        })
  const replica = yield* makeReplica({
    id: config.id,
    peers: config.peers,
    subject: SUBJECT,
    lattice: ViewportState.joinSemilattice,
    codec: ViewportStateCodec,
    transport,
    store,
    intervalMs: config.intervalMs,
    compactEvery: config.compactEvery,
  })
  const start = mutationsOf(yield* replica.state, config.id)
  const stats0 = yield* replica.stats
  say(`ready ${start} ${stats0.loadedRecords} ${stats0.repaired === undefined ? "-" : stats0.repaired.message}`)

  const lines = createInterface({ input: process.stdin })
  const closed = new Promise<void>((resolve) => lines.once("close", resolve))
  lines.on("line", (line) => {
    if (line === "state") Effect.runPromise(replica.state).then((s) => say(`state ${hex(ViewportStateCodec.encode(s))}`))
    if (line === "stats") Effect.runPromise(replica.stats).then((s) => say(`stats ${JSON.stringify({ ...s, lastError: s.lastError?.message, repaired: s.repaired?.message, lastStoreError: s.lastStoreError?.message })}`))
  })

  for (let k = start + 1; k <= config.count; k++) {
    // Not stored is not acknowledged: while the store fails (the bus restarting, for JetStream), try again.
    yield* Effect.retry(replica.update(() => mutation(config.id, k)), { schedule: Schedule.spaced(100), times: 300 })
    say(`acked ${k}`)
    yield* Effect.sleep(config.periodMs)
  }
  say("done")
  yield* Effect.promise(() => closed)
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`replica ${config.id} failed: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
