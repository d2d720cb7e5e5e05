/**
 * The console's programmatic API: a session holding the orchestrator's
 * identity that signs every command and sends it to a running system over a
 * bus — the embedded default (an in-process bus and an in-process mesh of
 * simulated agents, no server) or NATS (a nats-server at `servers`, or one
 * the session starts on loopback). The system verifies each command before
 * it acts (Host.ts), and the session verifies the host's signed answers. The CLI (`hydrogen console`) and the web console both
 * drive this.
 *
 * @module
 */
import * as crypto from "node:crypto"
import { Data, Effect, Schema, type Scope } from "effect"
import * as Result from "effect/Result"
import type { TransportError } from "../Net/Errors.ts"
import { makeInProcessServer } from "../Net/InProcess.ts"
import { NatsServerLayer, natsServers } from "../Net/Layers.ts"
import { natsConnection } from "../Net/Nats.ts"
import type { Transport } from "../Net/Transport.ts"
import { generateIdentity, type Identity, type KeyRegistry, memoryRegistry } from "../Trust/Identity.ts"
import { Signer, type TrustCounters, Verifier } from "../Trust/Signed.ts"
import { type ConsoleCommand, everywhere } from "./Command.ts"
import { type NotUnderstood, parseLine } from "./Grammar.ts"
import { CommandRejected, commandSubject, ConsoleHost, encodeCommand, type HostCounters, ReplyWire, replySubject } from "./Host.ts"
import type { StatusReport } from "./Status.ts"
import { MeshSystem, type SystemOptions } from "./System.ts"

export { CommandRejected } from "./Host.ts"
export { NotUnderstood } from "./Grammar.ts"
export type { StatusReport } from "./Status.ts"
export type { ConsoleCommand } from "./Command.ts"

/** The system ran the command and refused it (e.g. `NotFrozen`, `NoAgentAvailable`, `ScopeOutOfRange`). */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly tag: string; readonly reason: string }> {
  override get message(): string {
    return `${this.tag}: ${this.reason}`
  }
}

/** No answer within the session's timeout. */
export class ConsoleTimeout extends Data.TaggedError("ConsoleTimeout")<{ readonly command: string; readonly ms: number }> {
  override get message(): string {
    return `no answer to ${this.command} within ${this.ms} ms`
  }
}

/** The bus could not be set up (no nats-server binary, a server that does not start, a failed connect). */
export class ConsoleBusError extends Data.TaggedError("ConsoleBusError")<{ readonly reason: string }> {
  override get message(): string {
    return `console bus: ${this.reason}`
  }
}

export type ConsoleError = CommandRejected | CommandFailed | ConsoleTimeout | ConsoleBusError

/** A command's answer: the text to show and its figures (counts, the aggregate). */
export interface ConsoleReply {
  readonly command: ConsoleCommand
  readonly text: string
  readonly figures: Readonly<Record<string, number>>
}

export interface ConsoleSessionOptions {
  /** "embedded" (default): in-process bus and system; "nats": over a nats-server. */
  readonly bus?: "embedded" | "nats"
  /** NATS URLs; absent with bus "nats": the session starts a nats-server on loopback for its lifetime. */
  readonly servers?: ReadonlyArray<string>
  /** The simulated mesh (shape, seed). */
  readonly system?: SystemOptions
  /** Subject prefix (default "hydrogen"). */
  readonly prefix?: string
  /** How long to wait for an answer, ms (default 5000). */
  readonly timeoutMs?: number
  /** Let the agents report every `tickMs` ms (default: only on `advance`). */
  readonly tickMs?: number
  /** The orchestrator's identity (default: a fresh Ed25519 key, registered with the system). */
  readonly identity?: Identity
}

export interface ConsoleSession {
  readonly bus: "embedded" | "nats"
  /** The NATS URLs in use (empty when embedded). */
  readonly servers: ReadonlyArray<string>
  /** The live system's status (a signed `status` command). */
  readonly status: Effect.Effect<StatusReport, ConsoleError>
  /** Signs `command`, sends it, waits for the answer. */
  readonly run: (command: ConsoleCommand) => Effect.Effect<ConsoleReply, ConsoleError>
  /** The conversational grammar (no model): a line to a command. */
  readonly parseLine: (text: string) => Result.Result<ConsoleCommand, NotUnderstood>
  /** `parseLine`, then `run`. */
  readonly say: (text: string) => Effect.Effect<ConsoleReply, ConsoleError | NotUnderstood>
  /** The receiving side's counters: commands run, and refused by reason. */
  readonly counters: Effect.Effect<HostCounters>
  /** The session's checks of the answers: accepted, and refused by reason (`foreign`: validly signed, not by the host). */
  readonly replyCounters: Effect.Effect<TrustCounters & { readonly foreign: number }>
  /** Signs `command` as `run` would, without sending it (the bytes a bus observer could capture). */
  readonly sign: (command: ConsoleCommand) => Effect.Effect<Uint8Array, CommandFailed>
  /** Publishes raw bytes on the command subject, as any client of the bus could (for testing the checks). */
  readonly inject: (bytes: Uint8Array) => Effect.Effect<void>
  /** The orchestrator identity and the registry the system verifies against. */
  readonly orchestrator: Identity
  readonly registry: KeyRegistry
  readonly prefix: string
}

const decoder = new TextDecoder()

const busError = (e: TransportError | { readonly message: string }) => new ConsoleBusError({ reason: e.message })

/** Opens a session (and, by default, the system it talks to); everything stops when the scope closes. */
export const makeConsoleSession = (options: ConsoleSessionOptions = {}): Effect.Effect<ConsoleSession, ConsoleError, Scope.Scope> =>
  Effect.gen(function* () {
    const prefix = options.prefix ?? "hydrogen"
    const timeoutMs = options.timeoutMs ?? 5_000
    const bus = options.bus ?? "embedded"
    const registry = memoryRegistry()
    const orchestrator = options.identity ?? generateIdentity("orchestrator", "orchestrator", Date.now() - 1_000)
    registry.put(orchestrator.record)
    // a new term per session (seconds since 1970, a u32 until 2106): a restarted console never reuses (term, sequence)
    const signer = new Signer(orchestrator, Math.floor(Date.now() / 1000))
    const host = new ConsoleHost(new MeshSystem(options.system), registry)

    let servers: ReadonlyArray<string> = []
    let hostBus: Transport
    let clientBus: Transport
    if (bus === "embedded") {
      const server = makeInProcessServer()
      hostBus = server.connect("console-host")
      clientBus = server.connect("console")
      yield* Effect.addFinalizer(() => Effect.promise(async () => {
        await clientBus.close()
        await hostBus.close()
      }))
    } else {
      servers = options.servers ?? (yield* Effect.mapError(natsServers(NatsServerLayer({ jetstream: false })), busError))
      hostBus = yield* Effect.mapError(natsConnection({ servers, name: "console-host" }), busError)
      clientBus = yield* Effect.mapError(natsConnection({ servers, name: "console" }), busError)
    }
    const hostIdentity = generateIdentity(`${orchestrator.record.id}-host`, "coordinator", Date.now() - 1_000)
    registry.put(hostIdentity.record)
    const sub = host.serve(hostBus, prefix, new Signer(hostIdentity, Math.floor(Date.now() / 1000)))
    // the server knows the host's subscription before the first command goes out
    yield* Effect.promise(() => hostBus.flush())
    yield* Effect.addFinalizer(() => Effect.promise(() => sub.unsubscribe().catch(() => undefined)))
    if (options.tickMs !== undefined) {
      const timer = setInterval(() => host.system.tick(), options.tickMs)
      yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(timer)))
    }

    // answers come back on a subject of this session; pending requests by id
    const sessionId = crypto.randomBytes(8).toString("hex")
    const replyTo = replySubject(prefix, sessionId)
    const pending = new Map<string, (r: ReplyWire) => void>()
    // an answer counts only if the host's key signed it, fresh; anything else is refused and counted
    const replyVerifier = new Verifier(registry, { window: 256, maxPayloadBytes: 4 * 1024 * 1024 })
    let foreignReplies = 0
    const replies = clientBus.subscribe(replyTo, (data) => {
      const v = replyVerifier.verify(data)
      if (Result.isFailure(v)) return
      if (v.success.sender !== hostIdentity.record.id) {
        foreignReplies++
        return
      }
      let raw: unknown
      try {
        raw = JSON.parse(decoder.decode(v.success.payload))
      } catch {
        replyVerifier.counters.badPayload++
        return
      }
      const r = Schema.decodeUnknownResult(ReplyWire)(raw)
      if (Result.isSuccess(r)) pending.get(r.success.id)?.(r.success)
      else replyVerifier.counters.badPayload++
    })
    yield* Effect.addFinalizer(() => Effect.promise(() => replies.unsubscribe().catch(() => undefined)))
    yield* Effect.promise(() => clientBus.flush())

    let nextId = 0
    const request = (command: ConsoleCommand): Effect.Effect<ReplyWire, ConsoleError> =>
      Effect.callback<ReplyWire, ConsoleError>((resume) => {
        const id = `${sessionId}-${nextId++}`
        const signed = signer.sign(encodeCommand(id, replyTo, command))
        if (Result.isFailure(signed)) {
          resume(Effect.fail(new CommandFailed({ tag: signed.failure._tag, reason: signed.failure.message })))
          return
        }
        const timer = setTimeout(() => {
          pending.delete(id)
          resume(Effect.fail(new ConsoleTimeout({ command: command._tag, ms: timeoutMs })))
        }, timeoutMs)
        pending.set(id, (r) => {
          clearTimeout(timer)
          pending.delete(id)
          resume(Effect.succeed(r))
        })
        clientBus.publish(commandSubject(prefix), signed.success)
        return Effect.sync(() => {
          clearTimeout(timer)
          pending.delete(id)
        })
      })

    const run = (command: ConsoleCommand): Effect.Effect<ConsoleReply, ConsoleError> =>
      Effect.flatMap(request(command), (r): Effect.Effect<ConsoleReply, ConsoleError> => {
        if (r.ok) return Effect.succeed({ command, text: r.text, figures: r.figures })
        if (r.error.tag === "CommandRejected") {
          const reason = /^command rejected \(([A-Za-z]+)\)/.exec(r.error.message)?.[1] ?? "BadCommand"
          return Effect.fail(new CommandRejected({ reason: reason as CommandRejected["reason"], detail: r.error.message }))
        }
        return Effect.fail(new CommandFailed({ tag: r.error.tag, reason: r.error.message }))
      })

    const status: Effect.Effect<StatusReport, ConsoleError> = Effect.flatMap(request({ _tag: "Status", scope: everywhere }), (r): Effect.Effect<StatusReport, ConsoleError> => {
      if (!r.ok) return Effect.fail(new CommandFailed({ tag: r.error.tag, reason: r.error.message }))
      if (r.report === undefined) return Effect.fail(new CommandFailed({ tag: "BadReply", reason: "status answered without a report" }))
      return Effect.succeed(r.report)
    })

    const session: ConsoleSession = {
      bus,
      servers,
      status,
      run,
      parseLine,
      say: (text) => Effect.flatMap(Effect.fromResult(parseLine(text)), run),
      counters: Effect.sync(() => host.counters()),
      replyCounters: Effect.sync(() => ({ ...replyVerifier.counters, foreign: foreignReplies })),
      sign: (command) =>
        Effect.suspend(() => {
          const r = signer.sign(encodeCommand(`${sessionId}-${nextId++}`, replyTo, command))
          return Result.isSuccess(r) ? Effect.succeed(r.success) : Effect.fail(new CommandFailed({ tag: r.failure._tag, reason: r.failure.message }))
        }),
      inject: (bytes) => Effect.promise(async () => {
        clientBus.publish(commandSubject(prefix), bytes)
        await clientBus.flush()
      }),
      orchestrator,
      registry,
      prefix,
    }
    return session
  })
