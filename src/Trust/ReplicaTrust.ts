/**
 * Signed messages in the replicated tree (src/Tree/Failover.ts, the chaos
 * run): every replica of every position has its own Ed25519 key, the active
 * one and each standby, so a standby that takes over signs with a key the
 * receivers already know. The public records go to the key registry (the
 * bus's KV, bucket `<prefix>-keys`) before any replica starts, and are read
 * back from it (decoded with the record schema) into the process's key cache
 * that every replica's verifier reads.
 *
 * The per-tier rule: an envelope opens only when its signer is a replica of
 * the position the message names as its sender (`from`, header bytes 4..11).
 * The coordinator's own checks then hold `from` to the subject (a child on
 * an up subject, the parent or this position on a down subject), so a
 * replica's key signs for its position only. Each replica verifies with a
 * verifier of its own (its own replay windows), as a separate process would.
 *
 * @module
 */
import * as Result from "effect/Result"
import type { Transport } from "../Net/Transport.ts"
import { HEADER_BYTES, KindCode } from "../Tree/MessagesLayout.ts"
import type { CoordinatorId } from "../Tree/Topology.ts"
import { generateIdentity, type Identity, type KeyRegistry } from "./Identity.ts"
import { keyBucket, type ProcessTrustCounters } from "./ProcessTrust.ts"
import { busKeyRegistry, type RegistryError } from "./Registry.ts"
import { emptyCounters, Signer, Verifier } from "./Signed.ts"
import { sealWith } from "./TreeSeal.ts"

/** The identity id of replica `replica` of `position`. */
export const replicaSignerId = (prefix: string, position: CoordinatorId, replica: number): string => `${prefix}-r${position.level}-${position.index}-${replica}`

/** The position a replica identity signs for, or `undefined` when `id` is not one of `prefix`'s replicas. */
export const positionOfSigner = (prefix: string, id: string): CoordinatorId | undefined => {
  if (!id.startsWith(`${prefix}-r`)) return undefined
  const m = /^([0-9]{1,5})-([0-9]{1,10})-[0-9]{1,3}$/.exec(id.slice(prefix.length + 2))
  return m === null ? undefined : { level: Number(m[1]), index: Number(m[2]) }
}

/** What one replica seals and opens with (the options a `Coordinator` / `LocalLevel` takes). */
export interface ReplicaSeals {
  readonly id: string
  readonly sealUp: (bytes: Uint8Array) => Uint8Array
  readonly sealDown: (bytes: Uint8Array) => Uint8Array
  readonly openUp: (data: Uint8Array) => Uint8Array | undefined
  readonly openDown: (data: Uint8Array) => Uint8Array | undefined
  /** Its verifier's counters; `refused`: valid signatures for another position. */
  counters(): ProcessTrustCounters
  /** Envelopes it accepted, by signer. */
  readonly acceptedFrom: ReadonlyMap<string, number>
}

const upKinds: ReadonlyArray<number> = [KindCode.Up, KindCode.Heartbeat]
const downKinds: ReadonlyArray<number> = [KindCode.Down, KindCode.Heartbeat]

/** The seals of the replica signing as `identity`, verifying against `registry`. */
export const replicaSeals = (prefix: string, identity: Identity, registry: KeyRegistry, window = 4096): ReplicaSeals => {
  const verifier = new Verifier(registry, { window })
  const acceptedFrom = new Map<string, number>()
  let refused = 0
  const open = (kinds: ReadonlyArray<number>) => (data: Uint8Array): Uint8Array | undefined => {
    const v = verifier.verify(data)
    if (Result.isFailure(v)) return undefined
    const { sender, payload } = v.success
    if (payload.length < HEADER_BYTES || !kinds.includes(payload[3]!)) {
      verifier.counters.badPayload++
      return undefined
    }
    const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
    const at = positionOfSigner(prefix, sender)
    if (at === undefined || at.level !== dv.getUint16(4, true) || at.index !== dv.getUint32(8, true)) {
      refused++
      return undefined
    }
    acceptedFrom.set(sender, (acceptedFrom.get(sender) ?? 0) + 1)
    return payload
  }
  const seal = sealWith(new Signer(identity))
  return {
    id: identity.record.id,
    sealUp: seal,
    sealDown: seal,
    openUp: open(upKinds),
    openDown: open(downKinds),
    counters: () => ({ ...verifier.counters, refused }),
    acceptedFrom,
  }
}

/** Sums replicas' counters. */
export const sumReplicaCounters = (seals: Iterable<ReplicaSeals>): ProcessTrustCounters => {
  const out: ProcessTrustCounters = { ...emptyCounters(), refused: 0 }
  for (const s of seals) {
    const c = s.counters()
    for (const k of Object.keys(out) as Array<keyof ProcessTrustCounters>) out[k] += c[k]
  }
  return out
}

/**
 * Draws a key for every replica of `positions`, publishes the records to the
 * registry through `transport` and reads them back into one key cache; the
 * seals of each replica, in `positions` × `replicas` order.
 */
export const prepareReplicaKeys = async (
  transport: Transport,
  prefix: string,
  positions: ReadonlyArray<CoordinatorId>,
  replicas: number,
): Promise<Result.Result<ReadonlyArray<ReadonlyArray<ReplicaSeals>>, RegistryError>> => {
  const bucket = keyBucket(prefix)
  const kv = await transport.kv(bucket)
  const writer = busKeyRegistry(kv, bucket)
  // a separate reader: what the verifiers use is what came back from the KV
  const reader = busKeyRegistry(kv, bucket)
  const created = Date.now()
  const identities = positions.map((p) => Array.from({ length: replicas }, (_, r) => generateIdentity(replicaSignerId(prefix, p, r), "coordinator", created)))
  for (const row of identities) {
    for (const i of row) {
      const w = await writer.publish(i.record)
      if (Result.isFailure(w)) return Result.fail(w.failure)
    }
  }
  for (const row of identities) {
    for (const i of row) {
      const r = await reader.resolve(i.record.id, 0)
      if (Result.isFailure(r)) return Result.fail(r.failure)
    }
  }
  return Result.succeed(identities.map((row) => row.map((i) => replicaSeals(prefix, i, reader.cache))))
}

/** `prepareReplicaKeys` through a client of its own (`connect`), closed when done; throws what the registry refused. */
export const replicaKeysVia = async (
  connect: (name: string) => Transport | Promise<Transport>,
  prefix: string,
  positions: ReadonlyArray<CoordinatorId>,
  replicas: number,
): Promise<ReadonlyArray<ReadonlyArray<ReplicaSeals>>> => {
  const keys = await connect(`${prefix}-key-registry`)
  try {
    return Result.getOrThrow(await prepareReplicaKeys(keys, prefix, positions, replicas))
  } finally {
    await keys.close().catch(() => undefined)
  }
}
