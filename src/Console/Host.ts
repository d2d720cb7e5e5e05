/**
 * The receiving end of the console: it takes signed command envelopes,
 * verifies them (src/Trust Verifier: canonical bytes, known key valid now,
 * Ed25519 signature, replay window) and checks the signer is an orchestrator
 * before the command touches the system. Unsigned, forged, replayed or
 * non-orchestrator commands are refused with a typed `CommandRejected` and
 * counted by reason; nothing reaches `execute`.
 *
 * Wire: a command is `{ id, replyTo, command }` as JSON inside the envelope
 * (so the reply subject is signed too); the answer is `ReplyWire` JSON on
 * `replyTo`, signed by the host's own key (the session verifies it, so a
 * client of the bus cannot answer in the system's name). A refused envelope
 * is answered only if its (unverified) payload names a reply subject under
 * the console's prefix.
 *
 * @module
 */
import { Data, Schema } from "effect"
import * as Result from "effect/Result"
import type { KeyRegistry } from "../Trust/Identity.ts"
import { type Signer, type TrustCounters, Verifier } from "../Trust/Signed.ts"
import { decodeEnvelope } from "../Trust/SignedLayout.ts"
import type { Subscription, Transport } from "../Net/Transport.ts"
import { ConsoleCommand, decodeCommand } from "./Command.ts"
import { execute } from "./Actions.ts"
import { StatusReport, statusReport } from "./Status.ts"
import type { MeshSystem } from "./System.ts"

/** Why the system refused a command envelope; `reason` is the check that failed. */
export class CommandRejected extends Data.TaggedError("CommandRejected")<{
  readonly reason: "MalformedEnvelope" | "UnknownKey" | "KeyNotValid" | "BadSignature" | "Replayed" | "NotOrchestrator" | "BadCommand"
  readonly detail: string
}> {
  override get message(): string {
    return `command rejected (${this.reason}): ${this.detail}`
  }
}

/** The signed payload of a command. */
export const CommandWire = Schema.Struct({
  id: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  replyTo: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  command: Schema.Unknown,
})

/** An answer on the bus. */
export const ReplyWire = Schema.Union([
  Schema.Struct({
    id: Schema.String,
    ok: Schema.Literal(true),
    text: Schema.String,
    figures: Schema.Record(Schema.String, Schema.Finite),
    report: Schema.optionalKey(StatusReport),
  }),
  Schema.Struct({ id: Schema.String, ok: Schema.Literal(false), error: Schema.Struct({ tag: Schema.String, message: Schema.String }) }),
])
export type ReplyWire = typeof ReplyWire.Type

export interface HostCounters extends TrustCounters {
  notOrchestrator: number
  badCommand: number
  executed: number
  failed: number
}

/** Subjects of a console on the bus. */
export const commandSubject = (prefix: string): string => `${prefix}.console.cmd`
export const replySubject = (prefix: string, session: string): string => `${prefix}.console.reply.${session}`

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The bytes a command's envelope signs: `{ id, replyTo, command }` as JSON. */
export const encodeCommand = (id: string, replyTo: string, command: ConsoleCommand): Uint8Array =>
  encoder.encode(JSON.stringify({ id, replyTo, command }))

export class ConsoleHost {
  readonly system: MeshSystem
  private readonly registry: KeyRegistry
  private readonly verifier: Verifier
  private notOrchestrator = 0
  private badCommand = 0
  private executed = 0
  private failed = 0

  constructor(system: MeshSystem, registry: KeyRegistry, now: () => number = Date.now) {
    this.system = system
    this.registry = registry
    this.verifier = new Verifier(registry, { now, window: 256, maxPayloadBytes: 64 * 1024 })
  }

  counters(): HostCounters {
    return { ...this.verifier.counters, notOrchestrator: this.notOrchestrator, badCommand: this.badCommand, executed: this.executed, failed: this.failed }
  }

  /** Envelopes refused, every reason together. */
  rejected(): number {
    const c = this.counters()
    return c.malformed + c.unknownKey + c.keyNotValid + c.badSignature + c.replay + c.outOfWindow + c.staleTerm + c.notOrchestrator + c.badCommand
  }

  /** Verifies and decodes one envelope: the command and where to answer, or why it is refused. */
  receive(bytes: Uint8Array): Result.Result<{ readonly id: string; readonly replyTo: string; readonly command: ConsoleCommand }, CommandRejected> {
    const v = this.verifier.verify(bytes)
    if (Result.isFailure(v)) return Result.fail(new CommandRejected({ reason: v.failure._tag, detail: v.failure.message }))
    const e = v.success
    const role = this.registry.get(e.sender, e.keyRevision)?.role
    if (role !== "orchestrator") {
      this.notOrchestrator++
      return Result.fail(new CommandRejected({ reason: "NotOrchestrator", detail: `${e.sender} is a${role === "agent" ? "n" : ""} ${role ?? "unknown"}, not an orchestrator` }))
    }
    const bad = (detail: string) => {
      this.badCommand++
      return Result.fail(new CommandRejected({ reason: "BadCommand", detail }))
    }
    let raw: unknown
    try {
      raw = JSON.parse(decoder.decode(e.payload))
    } catch (x) {
      return bad(`payload is not JSON: ${(x as Error).message}`)
    }
    const w = Schema.decodeUnknownResult(CommandWire)(raw, { onExcessProperty: "error" })
    if (Result.isFailure(w)) return bad(`payload: ${w.failure.message}`)
    const c = decodeCommand(w.success.command)
    if (Result.isFailure(c)) return bad(c.failure.message)
    return Result.succeed({ id: w.success.id, replyTo: w.success.replyTo, command: c.success })
  }

  /** Verifies and runs one envelope: the answer and where it goes (undefined: nowhere to answer). */
  handle(bytes: Uint8Array, prefix: string): { readonly replyTo: string; readonly reply: ReplyWire } | undefined {
    const r = this.receive(bytes)
    if (Result.isFailure(r)) {
      const to = unverifiedReplyTo(bytes, prefix)
      return to === undefined ? undefined : { replyTo: to.replyTo, reply: { id: to.id, ok: false, error: { tag: r.failure._tag, message: r.failure.message } } }
    }
    const { id, replyTo, command } = r.success
    const out = execute(this.system, command, this.rejected())
    if (Result.isFailure(out)) {
      this.failed++
      return { replyTo, reply: { id, ok: false, error: { tag: out.failure._tag, message: out.failure.message } } }
    }
    this.executed++
    const report = command._tag === "Status" && command.scope.kind === "all" ? { report: statusReport(this.system, this.rejected()) } : {}
    return { replyTo, reply: { id, ok: true, text: out.success.text, figures: out.success.figures, ...report } }
  }

  /** Answers commands arriving on `commandSubject(prefix)`, each answer signed by `signer` (the host's identity). */
  serve(transport: Transport, prefix: string, signer: Signer): Subscription {
    return transport.subscribe(commandSubject(prefix), (data) => {
      const h = this.handle(data, prefix)
      if (h === undefined) return
      const signed = signer.sign(encoder.encode(JSON.stringify(h.reply)))
      if (Result.isSuccess(signed)) transport.publish(h.replyTo, signed.success)
    })
  }
}

/** Where a refused envelope asked to be answered, if it says so under our prefix (never trusted for anything else). */
const unverifiedReplyTo = (bytes: Uint8Array, prefix: string): { id: string; replyTo: string } | undefined => {
  const d = decodeEnvelope(bytes, 64 * 1024)
  if (Result.isFailure(d)) return undefined
  try {
    const w = Schema.decodeUnknownResult(CommandWire)(JSON.parse(decoder.decode(d.success.payload)))
    if (Result.isFailure(w) || !w.success.replyTo.startsWith(`${prefix}.console.reply.`)) return undefined
    return { id: w.success.id, replyTo: w.success.replyTo }
  } catch {
    return undefined
  }
}
