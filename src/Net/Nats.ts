/**
 * The NATS transport: core NATS for subjects and queue groups
 * (@nats-io/transport-node), JetStream KV for the key-value buckets
 * (@nats-io/kv; a bucket is created on first use with history 1 and
 * max age = `ttlMs`). `create` / `update` map to the library's create and
 * update-with-previous-sequence; a "wrong last sequence" answer (the key
 * exists, or its revision moved on) gives `undefined`, any other failure a
 * `TransportError`.
 *
 * The client reconnects forever by default (a restarted server is picked up;
 * subscriptions are re-established by nats.js; publishes made while
 * disconnected are buffered by nats.js up to its reconnect buffer size).
 */
import { JetStreamApiCodes } from "@nats-io/jetstream"
import { type KV, Kvm } from "@nats-io/kv"
import { connect, type NatsConnection, type Subscription as NatsSubscription } from "@nats-io/transport-node"
import { TransportError } from "./Errors.ts"
import { validateBucket, validateKey, validatePattern, validatePublishSubject, validateRevision } from "./Subjects.ts"
import type { Kv, KvOptions, SubscribeOptions, Subscription, Transport } from "./Transport.ts"

export interface NatsTransportOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222". */
  readonly servers: string | ReadonlyArray<string>
  /** Connection name (shows up in the server's connection list). */
  readonly name?: string
  /** Reconnect attempts per server; -1 (default) retries forever. */
  readonly maxReconnectAttempts?: number
  /** Wait between reconnect attempts, ms (default 250). */
  readonly reconnectTimeWaitMs?: number
  /** Connect timeout and JetStream/KV request timeout, ms (default 5000). */
  readonly timeoutMs?: number
  /** Called when a subscription handler throws or a subscription fails (default: console.error). */
  readonly onHandlerError?: (error: unknown, subject: string) => void
  /**
   * Capture a stack trace for every request (KV and JetStream calls) so a
   * failure points at its caller (nats.js `noAsyncTraces: false`). Off by
   * default: it allocates two Error objects per request, a measurable share of
   * the CPU of a process renewing hundreds of leases every heartbeat.
   */
  readonly asyncTraces?: boolean
}

export interface NatsTransport extends Transport {
  readonly kind: "nats"
  /** The underlying nats.js connection (status events, server info). */
  readonly connection: NatsConnection
}

const ioError = (detail: string, cause: unknown): TransportError =>
  cause instanceof TransportError
    ? cause
    : new TransportError({ reason: "io", detail: `${detail}: ${cause instanceof Error ? cause.message : String(cause)}`, cause })

/** A concurrent creation of the same KV stream won by another client. */
const isStreamCreateRace = (e: unknown): boolean => {
  const text = e instanceof Error ? e.message : String(e)
  const code = (e as { code?: unknown } | null)?.code
  return code === 10065 || code === 10058 || /subjects overlap|already in use/i.test(text)
}

/** The JetStream answer to a failed expected-last-sequence check (create on an existing key, stale update). */
const isCasConflict = (e: unknown): boolean => {
  if (typeof e !== "object" || e === null) return false
  const code = (e as { code?: unknown }).code
  if (code === JetStreamApiCodes.StreamWrongLastSequence || code === JetStreamApiCodes.StreamWrongLastSequenceUnknown) return true
  return e instanceof Error && /wrong last sequence/i.test(e.message)
}

const withTimeout = <A>(p: Promise<A>, ms: number): Promise<A | undefined> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms)
    p.then(
      (a) => {
        clearTimeout(timer)
        resolve(a)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e)
      },
    )
  })

const wrapKv = (kv: KV, bucket: string): Kv => ({
  get: async (key) => {
    validateKey(key)
    try {
      const e = await kv.get(key)
      if (e === null || e.operation !== "PUT") return undefined
      return { value: e.value, revision: e.revision }
    } catch (e) {
      throw ioError(`kv ${bucket} get ${key}`, e)
    }
  },
  create: async (key, value) => {
    validateKey(key)
    try {
      return await kv.create(key, value)
    } catch (e) {
      if (isCasConflict(e)) return undefined
      throw ioError(`kv ${bucket} create ${key}`, e)
    }
  },
  update: async (key, value, expectedRevision) => {
    validateKey(key)
    validateRevision(expectedRevision)
    if (expectedRevision === 0) return undefined // no existing entry has revision 0
    try {
      return await kv.update(key, value, expectedRevision)
    } catch (e) {
      if (isCasConflict(e)) return undefined
      throw ioError(`kv ${bucket} update ${key}`, e)
    }
  },
  delete: async (key) => {
    validateKey(key)
    try {
      await kv.delete(key)
    } catch (e) {
      throw ioError(`kv ${bucket} delete ${key}`, e)
    }
  },
})

/** Connects to NATS; rejects with `TransportError("connect")` if no server answers. */
export const connectNats = async (options: NatsTransportOptions): Promise<NatsTransport> => {
  const onHandlerError =
    options.onHandlerError ??
    ((error: unknown, subject: string) => {
      console.error(`nats transport: handler for ${subject} failed`, error)
    })
  const servers = typeof options.servers === "string" ? [options.servers] : [...options.servers]
  const timeoutMs = options.timeoutMs ?? 5_000
  let nc: NatsConnection
  try {
    nc = await connect({
      servers,
      ...(options.name !== undefined ? { name: options.name } : {}),
      reconnect: true,
      maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
      timeout: timeoutMs,
      noAsyncTraces: options.asyncTraces !== true,
    })
  } catch (e) {
    throw new TransportError({
      reason: "connect",
      detail: `cannot connect to ${servers.join(", ")}: ${e instanceof Error ? e.message : String(e)}`,
      cause: e,
    })
  }

  const buckets = new Map<string, Promise<Kv>>()
  const kvm = new Kvm(nc)
  const subs = new Set<NatsSubscription>()

  const ensureOpen = (): void => {
    if (nc.isClosed()) throw new TransportError({ reason: "closed", detail: "the NATS connection is closed" })
  }

  const transport: NatsTransport = {
    kind: "nats",
    connection: nc,
    publish: (subject, data) => {
      ensureOpen()
      validatePublishSubject(subject)
      try {
        // nats.js keeps a reference until its next write; copy so the caller may reuse the buffer.
        nc.publish(subject, data.slice())
      } catch (e) {
        throw ioError(`publish ${subject}`, e)
      }
    },
    subscribe: (subject, handler, subOptions?: SubscribeOptions): Subscription => {
      ensureOpen()
      validatePattern(subject)
      let sub: NatsSubscription
      try {
        sub = nc.subscribe(subject, {
          ...(subOptions?.queue !== undefined ? { queue: subOptions.queue } : {}),
          callback: (err, msg) => {
            if (err !== null) {
              onHandlerError(err, subject)
              return
            }
            try {
              handler(msg.data, msg.subject)
            } catch (e) {
              onHandlerError(e, msg.subject)
            }
          },
        })
      } catch (e) {
        throw ioError(`subscribe ${subject}`, e)
      }
      subs.add(sub)
      return {
        subject,
        unsubscribe: async () => {
          if (!subs.delete(sub)) return
          sub.unsubscribe()
          if (!nc.isClosed()) await withTimeout(nc.flush(), timeoutMs).catch(() => undefined)
        },
      }
    },
    kv: (bucket, kvOptions?: KvOptions) => {
      try {
        ensureOpen()
        validateBucket(bucket)
      } catch (e) {
        return Promise.reject(e)
      }
      let kv = buckets.get(bucket)
      if (kv === undefined) {
        const ttl = kvOptions?.ttlMs
        const opts = { history: 1, timeout: timeoutMs, ...(ttl !== undefined && ttl > 0 ? { ttl } : {}) }
        // Several clients opening a new bucket at once race to create its
        // stream; the losers get "subjects overlap with an existing stream"
        // (JetStream 10065). The stream exists then, so open it instead.
        kv = kvm
          .create(bucket, opts)
          .catch(async (e: unknown) => {
            if (!isStreamCreateRace(e)) throw e
            let last: unknown = e
            for (let attempt = 0; attempt < 5; attempt++) {
              await new Promise((r) => setTimeout(r, 20 * (attempt + 1)))
              try {
                return await kvm.open(bucket, opts)
              } catch (again) {
                last = again
              }
            }
            throw last
          })
          .then((b) => wrapKv(b, bucket))
          .catch((e: unknown) => {
            buckets.delete(bucket)
            throw ioError(`open kv bucket ${bucket}`, e)
          })
        buckets.set(bucket, kv)
      }
      return kv
    },
    flush: async () => {
      ensureOpen()
      try {
        await nc.flush()
      } catch (e) {
        throw ioError("flush", e)
      }
    },
    close: async () => {
      if (nc.isClosed()) return
      // Push out what was published, but do not hang on a dead server.
      await withTimeout(nc.flush(), Math.min(timeoutMs, 2_000)).catch(() => undefined)
      subs.clear()
      await nc.close()
    },
  }
  return transport
}
