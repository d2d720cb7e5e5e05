/**
 * The authenticated, encrypted bus (src/Net/Auth.ts) on a real nats-server:
 * TLS required with client certificates verified, NKEY users per tier with
 * subject permissions. Each test makes its own CA, keys and server.
 */
import { readFileSync, statSync } from "node:fs"
import { createConnection } from "node:net"
import { nkeys, PermissionViolationError } from "@nats-io/transport-node"
import { Effect, Exit, type Scope } from "effect"
import { describe, expect, it } from "vitest"
import { type SecureBus, secureBus, tierPermissions, tiers } from "../../src/Net/Auth.ts"
import type { TransportError } from "../../src/Net/Errors.ts"
import { connectNatsEffect, type NatsTransport, type NatsTransportOptions } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, natsServer } from "../../src/Net/NatsServer.ts"
import { subjectMatches } from "../../src/Net/Subjects.ts"
import { makeTopology, subjects } from "../../src/Tree/Topology.ts"
import { bytes, collect, waitUntil } from "./helpers.ts"

/** Runs `body` with fresh secure-bus material and a nats-server using it; both gone afterwards. */
const withSecureServer = <A>(body: (bus: SecureBus, server: NatsServerHandle) => Effect.Effect<A, unknown, Scope.Scope>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const bus = yield* secureBus()
        const server = yield* natsServer({ jetstream: false, configFile: bus.configFile })
        return yield* body(bus, server)
      }),
    ),
  )

const dial = (server: NatsServerHandle, extra: Partial<NatsTransportOptions>): Effect.Effect<NatsTransport, TransportError> =>
  connectNatsEffect({ servers: server.url, connectAttempts: 1, timeoutMs: 1_500, maxReconnectAttempts: 0, ...extra })

const connectError = (server: NatsServerHandle, extra: Partial<NatsTransportOptions>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(dial(server, extra))
    if (Exit.isSuccess(exit)) {
      yield* Effect.promise(() => exit.value.close())
      return undefined
    }
    return exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
  })

const closing = (t: NatsTransport) => Effect.acquireRelease(Effect.succeed(t), (c) => Effect.promise(() => c.close()))

/** All a raw TCP client sees, until the server hangs up, after sending a plaintext CONNECT, PUB and PING. */
const plaintextExchange = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    let seen = ""
    let sent = false
    socket.setTimeout(5_000, () => {
      socket.destroy()
      reject(new Error(`no answer; got ${JSON.stringify(seen)}`))
    })
    socket.on("error", () => resolve(seen))
    socket.on("close", () => resolve(seen))
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8")
      if (!sent && seen.includes("\r\n")) {
        sent = true
        socket.write('CONNECT {"verbose":false,"pedantic":false}\r\nPUB h.down.1.0 2\r\nhi\r\nPING\r\n')
      }
    })
  })

describe("secure bus material", () => {
  it("keeps its directory 0700 and its keys and config 0600, and each tier's seed differs", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          expect(statSync(bus.dir).mode & 0o777).toBe(0o700)
          for (const t of tiers) expect(statSync(bus.identities[t].keyFile).mode & 0o777).toBe(0o600)
          expect(statSync(bus.configFile).mode & 0o777).toBe(0o600)
          expect(new Set(tiers.map((t) => bus.identities[t].publicKey)).size).toBe(3)
          expect(new Set(tiers.map((t) => Buffer.from(bus.identities[t].seed).toString())).size).toBe(3)
          // the server config names public keys only: no seed (secret) is ever written there
          const config = readFileSync(bus.configFile, "utf8")
          for (const t of tiers) {
            expect(config).toContain(bus.identities[t].publicKey)
            expect(config).not.toContain(Buffer.from(bus.identities[t].seed).toString())
          }
        }),
      ),
    )
  })

  it("scopes agents to their local coordinator's up subjects and down subjects, per the tree's subject names", () => {
    const topo = makeTopology(1_000, 10)
    const perms = tierPermissions(topo.prefix)
    const may = (patterns: ReadonlyArray<string>, s: string) => patterns.some((p) => subjectMatches(p, s))
    const local = subjects(topo, { level: 1, index: 7 })
    const upper = subjects(topo, { level: 2, index: 3 })
    expect(may(perms.agent.publish, local.up)).toBe(true)
    expect(may(perms.agent.subscribe, local.down)).toBe(true)
    for (const s of [local.down, upper.up, upper.down, `${topo.prefix}.ctl.round`]) expect(may(perms.agent.publish, s)).toBe(false)
    expect(may(perms.agent.subscribe, local.up)).toBe(false)
    for (const s of [local.down, upper.up, upper.down, `${topo.prefix}.ctl.round`]) expect(may(perms.coordinator.publish, s)).toBe(true)
  })
})

describe("authenticated TLS nats-server", () => {
  it("refuses a client without credentials (valid client certificate, no NKEY) with a typed connect error", async () => {
    await withSecureServer((bus, server) =>
      Effect.gen(function* () {
        const tls = bus.credentials("agent").tls!
        const error = yield* connectError(server, { credentials: { tls } })
        expect(error?._tag).toBe("TransportError")
        expect(error?.reason).toBe("connect")
        expect(error?.detail).toMatch(/authoriz/i)
      }),
    )
  })

  it("refuses an NKEY the server does not know, even with a valid client certificate", async () => {
    await withSecureServer((bus, server) =>
      Effect.gen(function* () {
        const stranger = nkeys.createUser().getSeed()
        const error = yield* connectError(server, { credentials: { nkeySeed: stranger, tls: bus.credentials("agent").tls! } })
        expect(error?.reason).toBe("connect")
        expect(error?.detail).toMatch(/authoriz/i)
      }),
    )
  })

  it("lets a coordinator use JetStream KV (leases, key records) and refuses it to an agent", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          const server = yield* natsServer({ jetstream: true, configFile: bus.configFile })
          const coordinator = yield* closing(yield* dial(server, { credentials: bus.credentials("coordinator") }))
          const agent = yield* closing(yield* dial(server, { credentials: bus.credentials("agent"), onHandlerError: () => undefined }))
          const kv = yield* Effect.promise(() => coordinator.kv("leases"))
          const rev = yield* Effect.promise(() => kv.create("L2-0", bytes("holder")))
          expect(rev).toBeGreaterThan(0)
          const refused = yield* Effect.promise(() => agent.kv("leases").then((k) => k.get("L2-0")).then(() => undefined, (e: unknown) => e))
          expect(refused).toMatchObject({ _tag: "TransportError", reason: "io" })
          expect((refused as Error).message).toMatch(/Permissions Violation for Publish to "\$JS\.API\./)
        }),
      ),
    )
  }, 20_000)

  it("refuses a client without a client certificate (mutual TLS), even with a valid NKEY", async () => {
    await withSecureServer((bus, server) =>
      Effect.gen(function* () {
        const c = bus.credentials("orchestrator")
        const error = yield* connectError(server, { credentials: { nkeySeed: c.nkeySeed!, tls: { caFile: bus.caFile } } })
        expect(error?._tag).toBe("TransportError")
        expect(error?.reason).toBe("connect")
        // the client only sees its connect time out; the server says why it hung up
        yield* Effect.promise(() => waitUntil(() => /TLS handshake error: tls: client didn't provide a certificate/.test(server.log), 5_000, "the handshake error in the server log"))
      }),
    )
  })

  it("refuses a client certificate from another CA", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          const other = yield* secureBus()
          const server = yield* natsServer({ jetstream: false, configFile: bus.configFile })
          const mine = bus.credentials("coordinator")
          const theirs = other.credentials("coordinator").tls!
          const error = yield* connectError(server, {
            credentials: { nkeySeed: mine.nkeySeed!, tls: { caFile: bus.caFile, certFile: theirs.certFile!, keyFile: theirs.keyFile! } },
          })
          expect(error?.reason).toBe("connect")
          yield* Effect.promise(() => waitUntil(() => /TLS handshake error: .*certificate signed by unknown authority/.test(server.log), 5_000, "the handshake error in the server log"))
          // the control: the same NKEY with this run's certificate connects
          const ok = yield* connectError(server, { credentials: mine })
          expect(ok).toBeUndefined()
        }),
      ),
    )
  })

  it("requires TLS: a plaintext client is hung up on and nothing it sends is delivered", async () => {
    await withSecureServer((bus, server) =>
      Effect.gen(function* () {
        const coordinator = yield* closing(yield* dial(server, { credentials: bus.credentials("coordinator") }))
        const heard = collect(coordinator, "h.down.1.0")
        yield* Effect.promise(() => coordinator.flush())
        const seen = yield* Effect.promise(() => plaintextExchange(server.port))
        const info = JSON.parse(seen.slice(5, seen.indexOf("\r\n"))) as { tls_required?: boolean; tls_verify?: boolean }
        expect(info.tls_required).toBe(true)
        expect(info.tls_verify).toBe(true)
        // the server reads our plaintext as a failed TLS handshake and hangs up: no +OK, no PONG, only its INFO
        expect(seen.split("\r\n").filter((l) => l !== "")).toHaveLength(1)
        expect(seen).not.toMatch(/PONG/)
        // the coordinator's own message on the same subject arrives; the plaintext one never did
        coordinator.publish("h.down.1.0", bytes("mine"))
        yield* Effect.promise(() => heard.waitFor(1))
        expect(heard.texts()).toEqual(["mine"])
        // and the tier clients really run over TLS
        expect(coordinator.connection.info?.tls_required).toBe(true)
      }),
    )
  })

  it("refuses an agent publishing on a coordinator's subjects (permissions violation), delivers what it may publish, and lets the coordinator publish there", async () => {
    await withSecureServer((bus, server) =>
      Effect.gen(function* () {
        const coordinator = yield* closing(yield* dial(server, { credentials: bus.credentials("coordinator"), name: "coordinator" }))
        const agent = yield* closing(yield* dial(server, { credentials: bus.credentials("agent"), name: "agent" }))
        const violations: Array<PermissionViolationError> = []
        void (async () => {
          for await (const st of agent.connection.status()) {
            if (st.type === "error" && st.error instanceof PermissionViolationError) violations.push(st.error)
          }
        })()
        const downs = collect(coordinator, "h.down.>")
        const ups = collect(coordinator, "h.up.>")
        const agentDown = collect(agent, "h.down.1.0")
        yield* Effect.promise(() => coordinator.flush())
        yield* Effect.promise(() => agent.flush())

        agent.publish("h.down.1.0", bytes("forged down"))
        agent.publish("h.up.2.0", bytes("forged up at level 2"))
        agent.publish("h.up.1.0", bytes("allowed up")) // the server processes a client's messages in order
        yield* Effect.promise(() => agent.flush())
        yield* Effect.promise(() => ups.waitFor(1))
        yield* Effect.promise(() => waitUntil(() => violations.length >= 2, 5_000, "two permission violations"))
        expect(violations.map((v) => [v.operation, v.subject])).toEqual([
          ["publish", "h.down.1.0"],
          ["publish", "h.up.2.0"],
        ])
        expect(ups.texts()).toEqual(["allowed up"])

        coordinator.publish("h.down.1.0", bytes("real down"))
        yield* Effect.promise(() => agentDown.waitFor(1))
        yield* Effect.promise(() => downs.waitFor(1))
        expect(agentDown.texts()).toEqual(["real down"])
        expect(downs.texts()).toEqual(["real down"])
        expect(violations).toHaveLength(2)
      }),
    )
  })

  it("refuses an agent subscribing to a coordinator's up subjects", async () => {
    await withSecureServer((bus, server) =>
      Effect.gen(function* () {
        const coordinator = yield* closing(yield* dial(server, { credentials: bus.credentials("coordinator") }))
        const errors: Array<unknown> = []
        const agent = yield* closing(yield* dial(server, { credentials: bus.credentials("agent"), onHandlerError: (e) => void errors.push(e) }))
        const spy = collect(agent, "h.up.>")
        agent.subscribe("h.up.1.5", () => undefined)
        void (async () => {
          for await (const st of agent.connection.status()) if (st.type === "error") errors.push(st.error)
        })()
        yield* Effect.promise(() => agent.flush())
        yield* Effect.promise(() => waitUntil(() => errors.some((e) => e instanceof PermissionViolationError && e.operation === "subscription"), 5_000, "a subscription violation"))
        coordinator.publish("h.up.1.5", bytes("for the coordinator only"))
        yield* Effect.promise(() => coordinator.flush())
        // a round trip through the agent's connection after the publish: anything routed to it would have arrived
        yield* Effect.promise(() => agent.flush())
        expect(spy.got).toHaveLength(0)
      }),
    )
  })

  it("scopes a cluster agent's NKEY to its own local coordinator: another cluster's up subject is refused and never delivered", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus({ agentClusters: [3, 4] })
          const server = yield* natsServer({ jetstream: false, configFile: bus.configFile })
          const coordinator = yield* closing(yield* dial(server, { credentials: bus.credentials("coordinator") }))
          const agent3 = yield* closing(yield* dial(server, { credentials: bus.clusterAgent(3) }))
          const violations: Array<PermissionViolationError> = []
          void (async () => {
            for await (const st of agent3.connection.status()) if (st.type === "error" && st.error instanceof PermissionViolationError) violations.push(st.error)
          })()
          const ups = collect(coordinator, "h.up.1.*")
          yield* Effect.promise(() => coordinator.flush())
          agent3.publish("h.up.1.4", bytes("posing as cluster 4"))
          agent3.publish("h.up.1.3", bytes("mine"))
          yield* Effect.promise(() => agent3.flush())
          yield* Effect.promise(() => ups.waitFor(1))
          yield* Effect.promise(() => waitUntil(() => violations.length >= 1, 5_000, "a permission violation"))
          expect(violations.map((v) => [v.operation, v.subject])).toEqual([["publish", "h.up.1.4"]])
          expect(ups.got).toEqual([{ subject: "h.up.1.3", text: "mine" }])
          expect(() => bus.clusterAgent(5)).toThrow(RangeError)
        }),
      ),
    )
  })
})
