/**
 * Per-process identities for the multi-process tree (src/Tree/Process.ts):
 * every process of a run (the parent, which hosts the local level, and each
 * coordinator process) draws its own Ed25519 key at start, publishes the
 * public record to the run's key registry (the bus's KV, src/Trust/Registry.ts)
 * and waits until the records of every signer of the run are there. The
 * signers table (`Signers`: identity → the levels it hosts; ids fresh per run)
 * is handed to each child on its command line, and a child signs as the
 * table's signer of its levels; it is what makes the checks per tier: an Up or
 * UpBatch on `P.up.L.*` is opened only when signed by the host of level L − 1,
 * a Down or Heartbeat on `P.down.L.*` only when signed by the host of level L.
 * A valid signature from any other identity of the run is refused and counted
 * (`refused`), as are forged, replayed and malformed envelopes (by reason, in
 * the verifier's counters).
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import type { Transport } from "../Net/Transport.ts"
import { KindCode } from "../Tree/MessagesLayout.ts"
import { generateIdentity, type Identity, idPattern } from "./Identity.ts"
import { busKeyRegistry, type RegistryError } from "./Registry.ts"
import { Signer, type TrustCounters, Verifier } from "./Signed.ts"
import { sealWith, SenderAllowList } from "./TreeSeal.ts"

/** One signer of a run: its identity and the levels `lo..hi` (inclusive) whose messages it signs. */
export interface SignerEntry {
  readonly id: string
  readonly lo: number
  readonly hi: number
}
export type Signers = ReadonlyArray<SignerEntry>

/** The signers table does not parse: `problem` names the part. */
export class BadSigners extends Data.TaggedError("BadSigners")<{ readonly source: string; readonly problem: string }> {
  override get message(): string {
    return `bad signers table in ${this.source}: ${this.problem}`
  }
}

/** The records of some signers did not appear in the registry in time. */
export class SignersMissing extends Data.TaggedError("SignersMissing")<{ readonly ids: ReadonlyArray<string>; readonly waitedMs: number }> {
  override get message(): string {
    return `key registry: no record for ${this.ids.join(", ")} after ${this.waitedMs} ms`
  }
}

/** `ID:LO-HI,…` (levels inclusive). */
export const formatSigners = (s: Signers): string => s.map((e) => `${e.id}:${e.lo}-${e.hi}`).join(",")

/** Decodes `ID:LO-HI,…`: ids of the identity pattern, 1 ≤ LO ≤ HI, no level signed by two ids. */
export const parseSigners = (text: string, source: string): Result.Result<Signers, BadSigners> => {
  const out: SignerEntry[] = []
  for (const part of text.split(",")) {
    const m = /^([^:]+):([0-9]{1,4})-([0-9]{1,4})$/.exec(part)
    if (m === null) return Result.fail(new BadSigners({ source, problem: `${JSON.stringify(part)} is not ID:LO-HI` }))
    const e = { id: m[1]!, lo: Number(m[2]), hi: Number(m[3]) }
    if (!idPattern.test(e.id)) return Result.fail(new BadSigners({ source, problem: `id ${JSON.stringify(e.id)} does not match ${idPattern}` }))
    if (!(e.lo >= 1 && e.lo <= e.hi)) return Result.fail(new BadSigners({ source, problem: `levels ${e.lo}-${e.hi} of ${e.id} are not 1 ≤ LO ≤ HI` }))
    const clash = out.find((o) => o.id === e.id || (o.lo <= e.hi && e.lo <= o.hi))
    if (clash !== undefined) return Result.fail(new BadSigners({ source, problem: `${part} overlaps ${clash.id}:${clash.lo}-${clash.hi}` }))
    out.push(e)
  }
  return Result.succeed(out)
}

/** The identity of the signer hosting `level`, if any. */
export const signerOf = (s: Signers, level: number): string | undefined => s.find((e) => e.lo <= level && level <= e.hi)?.id

/** A process's identity id: `<prefix>-<name>` (src/Tree/Process.ts names them `<prefix>-<run>-local`, `<prefix>-<run>-<plan>`). */
export const processSignerId = (prefix: string, name: string): string => (name.startsWith(`${prefix}-`) ? name : `${prefix}-${name}`)

/** The KV bucket of a run's key records. */
export const keyBucket = (prefix: string): string => `${prefix}-keys`

/** Opens an envelope whose payload is one of `kinds`, signed by an allowed identity; else `undefined` (counted). */
export const openKindsWith = (verifier: Verifier, allow: SenderAllowList, kinds: ReadonlyArray<number>) => {
  // a level's subscription hands one Down buffer to every child of its parent: verify it once
  let last: { readonly data: Uint8Array; readonly copy: Uint8Array; readonly out: Uint8Array | undefined } | undefined
  return (data: Uint8Array): Uint8Array | undefined => {
    if (last !== undefined && last.data === data && Buffer.compare(last.copy, data) === 0) return last.out
    let out: Uint8Array | undefined
    const v = verifier.verify(data)
    if (Result.isSuccess(v)) {
      if (!allow.has(v.success.sender)) allow.refused++
      else if (v.success.payload.length < 4 || !kinds.includes(v.success.payload[3]!)) verifier.counters.badPayload++
      else out = v.success.payload
    }
    last = { data, copy: data.slice(), out }
    return out
  }
}

/** What a process's verifier and allow-lists counted. */
export type ProcessTrustCounters = TrustCounters & { refused: number }

/** Sums counters (the parent's and each child's). */
export const addTrustCounters = (a: ProcessTrustCounters, b: ProcessTrustCounters): ProcessTrustCounters => {
  const out = { ...a }
  for (const k of Object.keys(b) as Array<keyof ProcessTrustCounters>) out[k] = a[k] + b[k]
  return out
}

export interface ProcessTrust {
  readonly identity: Identity
  /** Resolves every other signer's record (done by `startProcessTrust` unless `wait` is false). */
  resolveSigners(): Promise<Result.Result<void, RegistryError | SignersMissing>>
  /** Wraps bytes in an envelope signed by this process. */
  readonly seal: (bytes: Uint8Array) => Uint8Array
  /** The opener of `P.up.level.*` (Up, UpBatch, Heartbeat from the host of level − 1). */
  openUp(level: number): (data: Uint8Array) => Uint8Array | undefined
  /** The opener of `P.down.(level + 1).*` for coordinators of `level` (Down, Heartbeat from the host of level + 1). */
  openDown(level: number): (data: Uint8Array) => Uint8Array | undefined
  counters(): ProcessTrustCounters
}

export interface ProcessTrustOptions {
  readonly transport: Transport
  readonly prefix: string
  /** This process's identity id (one of `signers`). */
  readonly id: string
  readonly signers: Signers
  /** How long to wait for the other signers' records (default 30 s). */
  readonly waitMs?: number
  /** Wait for the other signers' records before returning (default true; the parent publishes first and resolves after its children are ready). */
  readonly wait?: boolean
  /** Replay window per sender (default 4096: a sender's messages reach a receiver in order, on many subjects). */
  readonly window?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Draws this process's key, publishes it and resolves every signer's record (`SignersMissing` after `waitMs`). */
export const startProcessTrust = async (o: ProcessTrustOptions): Promise<Result.Result<ProcessTrust, RegistryError | SignersMissing | BadSigners>> => {
  if (!o.signers.some((e) => e.id === o.id)) return Result.fail(new BadSigners({ source: "process trust", problem: `${o.id} is not in the table` }))
  const bucket = keyBucket(o.prefix)
  const registry = busKeyRegistry(await o.transport.kv(bucket), bucket)
  const identity = generateIdentity(o.id, "coordinator", Date.now())
  const published = await registry.publish(identity.record)
  if (Result.isFailure(published)) return Result.fail(published.failure)
  const waitMs = o.waitMs ?? 30_000
  const others = o.signers.map((e) => e.id).filter((id) => id !== o.id)
  // resolves every other signer's record, polling the KV until they appear or `waitMs` passed
  const resolveSigners = async (): Promise<Result.Result<void, RegistryError | SignersMissing>> => {
    const t0 = Date.now()
    let missing = others
    for (;;) {
      const still: string[] = []
      for (const id of missing) {
        const r = await registry.resolve(id, 0, true)
        if (Result.isFailure(r)) return Result.fail(r.failure)
        if (r.success === undefined) still.push(id)
      }
      missing = still
      if (missing.length === 0) return Result.succeed(undefined)
      if (Date.now() - t0 > waitMs) return Result.fail(new SignersMissing({ ids: missing, waitedMs: Date.now() - t0 }))
      await sleep(50)
    }
  }
  if (o.wait !== false) {
    const w = await resolveSigners()
    if (Result.isFailure(w)) return Result.fail(w.failure)
  }
  const verifier = new Verifier(registry.cache, { window: o.window ?? 4096 })
  const allows: SenderAllowList[] = []
  const allowOf = (level: number): SenderAllowList => {
    const id = signerOf(o.signers, level)
    const a = new SenderAllowList(id === undefined ? [] : [id])
    allows.push(a)
    return a
  }
  return Result.succeed({
    identity,
    resolveSigners,
    seal: sealWith(new Signer(identity)),
    openUp: (level) => openKindsWith(verifier, allowOf(level - 1), [KindCode.Up, KindCode.UpBatch, KindCode.Heartbeat]),
    openDown: (level) => openKindsWith(verifier, allowOf(level + 1), [KindCode.Down, KindCode.Heartbeat]),
    counters: () => ({ ...verifier.counters, refused: allows.reduce((s, a) => s + a.refused, 0) }),
  })
}
