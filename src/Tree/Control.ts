/**
 * The control plane of the multi-process tree (src/Tree/Process.ts): JSON
 * messages on `<prefix>.ctl.*` between the parent and its coordinator
 * processes, decoded with Effect Schema, and the run's token that every one
 * of them must carry (`acceptControl`). The token is 128 random bits drawn
 * per run and handed to the children in their environment; a message
 * without it is ignored and counted by its receiver. It stops a stray or
 * buggy publisher on the bus, not an eavesdropper: whoever can subscribe to
 * `<prefix>.ctl.>` reads the token in the clear (no signatures yet; another
 * issue adds them).
 *
 * @module
 */
import { randomBytes } from "node:crypto"
import { Schema } from "effect"
import * as Result from "effect/Result"

/** 32 hex digits: the control token of a run. */
export const controlTokenPattern = /^[0-9a-f]{32}$/

/** A fresh control token (128 random bits). */
export const newControlToken = (): string => randomBytes(16).toString("hex")

const Kinds = Schema.Struct({ Up: Schema.Number, Down: Schema.Number, Heartbeat: Schema.Number, Lateral: Schema.Number })

// Optional in the schema so the message shapes decode on their own; `acceptControl` requires it.
const Token = Schema.optionalKey(Schema.String)

const TrustJson = Schema.Struct({
  accepted: Schema.Number,
  malformed: Schema.Number,
  unknownKey: Schema.Number,
  keyNotValid: Schema.Number,
  badSignature: Schema.Number,
  replay: Schema.Number,
  outOfWindow: Schema.Number,
  staleTerm: Schema.Number,
  badPayload: Schema.Number,
  refused: Schema.Number,
})

const SummaryJson = Schema.Struct({ count: Schema.Number, sum: Schema.Number, min: Schema.Number, max: Schema.Number })

export const ControlMessage = Schema.Union([
  Schema.Struct({ type: Schema.Literal("ready"), process: Schema.String, pid: Schema.Number, coordinators: Schema.Number, token: Token }),
  Schema.Struct({
    type: Schema.Literal("round"),
    epoch: Schema.Number,
    token: Token,
    // the Down's policy bytes (the root checks them with decodePolicy) and triggers (u32)
    policy: Schema.optionalKey(Schema.Array(Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 255 })))),
    triggers: Schema.optionalKey(Schema.Array(Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 2 ** 32 - 1 })))),
  }),
  Schema.Struct({
    type: Schema.Literal("done"),
    process: Schema.String,
    epoch: Schema.Number,
    published: Kinds,
    rejected: Schema.Number,
    internalErrors: Schema.Number,
    root: Schema.optionalKey(Schema.Struct({ summary: SummaryJson, summaryEpoch: Schema.Number })),
    /** Control messages the process ignored so far (bad, tokenless or out of turn). */
    controlRejected: Schema.optionalKey(Schema.Number),
    versionRejected: Schema.optionalKey(Schema.Number),
    /** Signed runs: what the process's verifier counted so far, by reason (src/Trust/ProcessTrust.ts). */
    trust: Schema.optionalKey(TrustJson),
    token: Token,
  }),
  Schema.Struct({ type: Schema.Literal("stop"), token: Token }),
  Schema.Struct({ type: Schema.Literal("failed"), process: Schema.String, error: Schema.String, token: Token }),
])
export type ControlMessage = typeof ControlMessage.Type

const decodeControlJson = Schema.decodeUnknownResult(ControlMessage)
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** JSON bytes of a control message (min/max are finite: a root summary covers n ≥ 1 agents). */
export const encodeControl = (m: ControlMessage): Uint8Array => encoder.encode(JSON.stringify(m))

/** A control message, or undefined for anything malformed. */
export const decodeControl = (bytes: Uint8Array): ControlMessage | undefined => {
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
  const r = decodeControlJson(json)
  return Result.isSuccess(r) ? r.success : undefined
}

/** A control message carrying the run's `token`, or undefined (malformed, no token, or another token). */
export const acceptControl = (bytes: Uint8Array, token: string): ControlMessage | undefined => {
  const m = decodeControl(bytes)
  return m !== undefined && m.token === token ? m : undefined
}

/** Control subjects under `prefix`. */
export const controlSubjects = (prefix: string) => ({
  ready: `${prefix}.ctl.ready`,
  round: `${prefix}.ctl.round`,
  done: `${prefix}.ctl.done`,
  stop: `${prefix}.ctl.stop`,
  failed: `${prefix}.ctl.failed`,
})

