/**
 * Key records distributed through the bus's key-value store (`Transport.kv`:
 * JetStream KV on NATS, a map in the embedded bus). One entry per key
 * revision, `<id>.<revision>`, holding the record's JSON; a rotation rewrites
 * the old revision's entry with its `notAfter` (compare-and-set, retried).
 *
 * Verifiers check signatures synchronously against a `KeyRegistry`, so this
 * keeps a local copy (`cache`) and fills it on demand: `resolve` fetches a
 * missing (id, revision) from the KV, decoding it with the record schema —
 * a record on the bus is input like any other, and a bad one is a
 * `BadKeyRecord` naming the entry and the field.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import type { Kv } from "../Net/Transport.ts"
import { BadKeyRecord, type KeyRecord, type KeyRegistry, memoryRegistry, parseKeyRecord } from "./Identity.ts"

/** The KV refused or failed an operation. */
export class RegistryIoError extends Data.TaggedError("RegistryIoError")<{ readonly key: string; readonly operation: string; readonly reason: string }> {
  override get message(): string {
    return `key registry: ${this.operation} ${this.key} failed: ${this.reason}`
  }
}

export type RegistryError = BadKeyRecord | RegistryIoError

/** The KV key of a record revision. */
export const recordKey = (id: string, revision: number): string => `${id}.${revision}`

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const attempts = 8

export interface BusKeyRegistry {
  /** The local copy verifiers read (filled by `publish` and `resolve`). */
  readonly cache: KeyRegistry
  /** Writes `record` to the KV (creating or replacing its revision's entry) and to the cache. */
  readonly publish: (record: KeyRecord) => Promise<Result.Result<void, RegistryError>>
  /** The record of (id, revision), from the KV when the cache lacks it or `refresh` is set; `undefined` if absent. */
  readonly resolve: (id: string, revision: number, refresh?: boolean) => Promise<Result.Result<KeyRecord | undefined, RegistryError>>
}

/** A registry on `kv` (`source` names it in errors, e.g. the bucket). */
export const busKeyRegistry = (kv: Kv, source: string): BusKeyRegistry => {
  const cache = memoryRegistry()
  const text = new TextEncoder()
  const untext = new TextDecoder()

  const publish = async (record: KeyRecord): Promise<Result.Result<void, RegistryError>> => {
    const key = recordKey(record.id, record.revision)
    const value = text.encode(JSON.stringify(record))
    try {
      for (let i = 0; i < attempts; i++) {
        const cur = await kv.get(key)
        const rev = cur === undefined ? await kv.create(key, value) : await kv.update(key, value, cur.revision)
        if (rev !== undefined) {
          cache.put(record)
          return Result.succeed(undefined)
        }
      }
      return Result.fail(new RegistryIoError({ key, operation: "publish", reason: `lost ${attempts} compare-and-set races` }))
    } catch (e) {
      return Result.fail(new RegistryIoError({ key, operation: "publish", reason: reason(e) }))
    }
  }

  const resolve = async (id: string, revision: number, refresh = false): Promise<Result.Result<KeyRecord | undefined, RegistryError>> => {
    const known = cache.get(id, revision)
    if (known !== undefined && !refresh) return Result.succeed(known)
    const key = recordKey(id, revision)
    let entry
    try {
      entry = await kv.get(key)
    } catch (e) {
      return Result.fail(new RegistryIoError({ key, operation: "get", reason: reason(e) }))
    }
    if (entry === undefined) return Result.succeed(undefined)
    const r = parseKeyRecord(untext.decode(entry.value), `${source}/${key}`)
    if (Result.isFailure(r)) return Result.fail(r.failure)
    if (r.success.id !== id || r.success.revision !== revision) {
      return Result.fail(new BadKeyRecord({ source: `${source}/${key}`, field: r.success.id !== id ? "id" : "revision", problem: "does not match the entry's key" }))
    }
    cache.put(r.success)
    return Result.succeed(r.success)
  }

  return { cache, publish, resolve }
}
