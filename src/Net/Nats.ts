/** Over 400 lines: one transport (first connect under a Schedule, subjects and queue groups, JetStream KV, re-subscribe on reconnect) sharing one connection state.
 * The NATS transport: core NATS for subjects and queue groups
 * (@nats-io/transport-node), JetStream KV for the key-value buckets
 * (@nats-io/kv; a bucket is created on first use with history 1 and
 * max age = `ttlMs`). `create` / `update` map to the library's create and
 * update-with-previous-sequence; a "wrong last sequence" answer (the key
 * exists, or its revision moved on) gives `undefined`, any other failure a
 * `TransportError`.
 *
 * Opening a bucket costs JetStream requests (stream info, and stream create
 * the first time) only once per server and process: later clients of the
 * same process bind to it without a round trip (see `knownBuckets`), so a
 * process that opens hundreds of clients (a replicated tree, every replica
 * restart) does not pay two requests per client.
 *
 * The first connect is bounded (`connectAttempts` tries with a doubling
 * wait): a setup that cannot connect (no server, EMFILE) fails with a
 * `TransportError("connect")` naming the cause instead of retrying forever.
 * Once connected, the client reconnects forever by default with a doubling
 * wait capped at `maxReconnectTimeWaitMs` (a restarted server or another
 * cluster node is picked up; subscriptions are re-established by nats.js;
 * publishes made while disconnected are buffered up to its reconnect buffer
 * size). Reconnects are counted and reported to `onReconnect` listeners.
 */
import { JetStreamApiCodes, jetstream } from "@nats-io/jetstream"
import { type KV, Kvm } from "@nats-io/kv"
import { connect, type NatsConnection, nkeyAuthenticator, type Subscription as NatsSubscription } from "@nats-io/transport-node"
import { Effect, type Scope } from "effect"
import { TransportError } from "./Errors.ts"
import { backoff } from "./Lifecycle.ts"
import { validateBucket, validateKey, validatePattern, validatePublishSubject, validateRevision } from "./Subjects.ts"
import type { Kv, KvOptions, SubscribeOptions, Subscription, Transport } from "./Transport.ts"

/** How a client proves who it is on an authenticated bus (src/Net/Auth.ts). */
export interface NatsCredentials {
  /** NKEY user seed: the server holds the public key, the client signs its nonce. */
  readonly nkeySeed?: Uint8Array
  /** TLS: the CA that signed the server, and this client's certificate and key (mutual TLS). */
  readonly tls?: { readonly caFile: string; readonly certFile?: string; readonly keyFile?: string }
}

export interface NatsTransportOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222". */
  readonly servers: string | ReadonlyArray<string>
  /** Connection name (shows up in the server's connection list). */
  readonly name?: string
  /** Reconnect attempts per server after a successful connect; -1 (default) retries forever. */
  readonly maxReconnectAttempts?: number
  /** First wait between reconnect attempts, ms (default 250); doubles per failed attempt. */
  readonly reconnectTimeWaitMs?: number
  /** Longest wait between reconnect attempts, ms (default 2000). */
  readonly maxReconnectTimeWaitMs?: number
  /** Tries of the first connect before it fails with `TransportError("connect")` (default 3). */
  readonly connectAttempts?: number
  /** Dial the servers in the given order (default false: nats.js shuffles them). */
  readonly noRandomize?: boolean
  /**
   * Copies of every KV bucket this client creates (default 1). On a cluster, 3
   * keeps a bucket (the leases) when the node holding a copy dies.
   */
  readonly kvReplicas?: number
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
  /** Credentials for an authenticated, TLS bus (default none: plain loopback). */
  readonly credentials?: NatsCredentials
}

export interface NatsTransport extends Transport {
  readonly kind: "nats"
  /** The underlying nats.js connection (status events, server info). */
  readonly connection: NatsConnection
  onReconnect(listener: () => void): () => void
  readonly reconnects: number
  /** Disconnects so far (each is followed by a reconnect unless the client closes). */
  readonly disconnects: number
}

/**
 * Buckets this process has created or opened, per server and bucket: the
 * server's `server_id` (a new one at every start of nats-server, so a
 * restarted server with a fresh store is asked again) and the options the
 * bucket was opened with. A later `kv()` on another client binds to a known
 * bucket without any JetStream request. Any failed KV request (other than a
 * compare-and-set conflict) forgets the entry: if the stream is gone (deleted
 * behind our back: a get or create then times out, an update answers
 * "jetstream is not enabled"), the next client looks it up and creates it.
 */
const knownBuckets = new Map<string, { readonly ttlMs: number | undefined; readonly direct: boolean }>()

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

const wrapKv = (kv: KV, bucket: string, forget: () => void): Kv => {
  const fail = (what: string, e: unknown): TransportError => {
    forget()
    return ioError(`kv ${bucket} ${what}`, e)
  }
  return {
    get: async (key) => {
      validateKey(key)
      try {
        const e = await kv.get(key)
        if (e === null || e.operation !== "PUT") return undefined
        return { value: e.value, revision: e.revision }
      } catch (e) {
        throw fail(`get ${key}`, e)
      }
    },
    create: async (key, value) => {
      validateKey(key)
      try {
        return await kv.create(key, value)
      } catch (e) {
        if (isCasConflict(e)) return undefined
        throw fail(`create ${key}`, e)
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
        throw fail(`update ${key}`, e)
      }
    },
    delete: async (key) => {
      validateKey(key)
      try {
        await kv.delete(key)
      } catch (e) {
        throw fail(`delete ${key}`, e)
      }
    },
  }
}

/** The wait between tries of the first connect: doubling from `firstMs`, at most `maxMs`, `attempts - 1` retries. */
export const connectSchedule = backoff

const credentialOptions = (c: NatsCredentials | undefined) => ({
  ...(c?.nkeySeed !== undefined ? { authenticator: nkeyAuthenticator(c.nkeySeed) } : {}),
  ...(c?.tls !== undefined
    ? { tls: { caFile: c.tls.caFile, ...(c.tls.certFile !== undefined ? { certFile: c.tls.certFile } : {}), ...(c.tls.keyFile !== undefined ? { keyFile: c.tls.keyFile } : {}) } }
    : {}),
})

/**
 * Connects to NATS: the first connect is retried under `connectSchedule`;
 * when it gives up, a `TransportError("connect")` naming the servers, the
 * tries and the cause (never a hang). The caller owns the transport (`close`);
 * `natsConnection` is the scoped form.
 */
export const connectNatsEffect = (options: NatsTransportOptions): Effect.Effect<NatsTransport, TransportError> =>
  Effect.suspend(() => {
    const servers = typeof options.servers === "string" ? [options.servers] : [...options.servers]
    const timeoutMs = options.timeoutMs ?? 5_000
    const waitMs = options.reconnectTimeWaitMs ?? 250
    const maxWaitMs = Math.max(waitMs, options.maxReconnectTimeWaitMs ?? 2_000)
    const attempts = Math.max(1, Math.floor(options.connectAttempts ?? 3))
    // doubling wait per dial since the connection was lost (nats.js asks at every turn of its loop, dialing or not)
    const dials = { n: 0 }
    const reconnectDelay = (): number => Math.min(maxWaitMs, waitMs * 2 ** Math.min(Math.max(0, dials.n - 1), 16)) + Math.random() * 100
    let tries = 0
    // one try; a connection that arrives after the try was interrupted is closed, not leaked
    const once = Effect.callback<NatsConnection, unknown>((resume) => {
      let abandoned = false
      tries++
      connect({
        servers,
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.noRandomize === true ? { noRandomize: true } : {}),
        reconnect: true,
        maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
        reconnectDelayHandler: reconnectDelay,
        timeout: timeoutMs,
        noAsyncTraces: options.asyncTraces !== true,
        ...credentialOptions(options.credentials),
      }).then(
        (nc) => (abandoned ? void nc.close().catch(() => undefined) : resume(Effect.succeed(nc))),
        (e: unknown) => resume(Effect.fail(e)),
      )
      return Effect.sync(() => {
        abandoned = true
      })
    })
    return once.pipe(
      Effect.retry(connectSchedule(attempts, waitMs, maxWaitMs)),
      Effect.mapError((e) => {
        const code = (e as { code?: unknown } | null)?.code ?? (e as { cause?: { code?: unknown } } | null)?.cause?.code
        return new TransportError({
          reason: "connect",
          detail:
            `cannot connect to ${servers.join(", ")} after ${tries} tries` +
            `${typeof code === "string" ? ` (${code})` : ""}: ${e instanceof Error ? e.message : String(e)}`,
          cause: e,
        })
      }),
      Effect.map((nc) => wrapConnection(nc, options, timeoutMs, dials)),
    )
  })

/** `connectNatsEffect` for Promise callers: rejects with `TransportError("connect")` if no server answers. */
export const connectNats = (options: NatsTransportOptions): Promise<NatsTransport> => Effect.runPromise(connectNatsEffect(options))

/** A NATS connection as a scoped resource: connected on acquire, flushed (bounded) and closed on release. */
export const natsConnection = (options: NatsTransportOptions): Effect.Effect<NatsTransport, TransportError, Scope.Scope> =>
  Effect.acquireRelease(connectNatsEffect(options), (t) => Effect.promise(() => t.close().catch(() => undefined)), { interruptible: true })

/** Flushes, but gives up quietly after `ms` (a dead server must not hang an unsubscribe or a close). */
const flushWithin = (conn: NatsConnection, ms: number): Promise<void> =>
  Effect.runPromise(
    Effect.tryPromise(() => conn.flush()).pipe(
      Effect.timeoutOption(ms),
      Effect.asVoid,
      Effect.orElseSucceed(() => undefined),
    ),
  )

const wrapConnection = (nc: NatsConnection, options: NatsTransportOptions, timeoutMs: number, dials: { n: number }): NatsTransport => {
  const onHandlerError =
    options.onHandlerError ??
    ((error: unknown, subject: string) => {
      console.error(`nats transport: handler for ${subject} failed`, error)
    })
  dials.n = 0
  const conn: NatsConnection = nc
  let reconnects = 0
  let disconnects = 0
  const reconnectListeners = new Set<() => void>()
  void (async () => {
    for await (const st of conn.status()) {
      if (st.type === "disconnect") disconnects++
      else if (st.type === "reconnecting") dials.n++
      else if (st.type === "reconnect") {
        reconnects++
        dials.n = 0
        for (const l of reconnectListeners) {
          try {
            l()
          } catch (e) {
            onHandlerError(e, "(reconnect listener)")
          }
        }
      }
    }
  })().catch(() => undefined)

  const buckets = new Map<string, Promise<Kv>>()
  // No JetStream account-info request per client (`checkAPI: false`): a missing JetStream shows up as a
  // failed stream request instead.
  const kvm = new Kvm(jetstream(conn, { timeout: timeoutMs, checkAPI: false }))
  const subs = new Set<NatsSubscription>()

  const ensureOpen = (): void => {
    if (conn.isClosed()) throw new TransportError({ reason: "closed", detail: "the NATS connection is closed" })
  }

  const transport: NatsTransport = {
    kind: "nats",
    connection: conn,
    onReconnect: (listener) => {
      reconnectListeners.add(listener)
      return () => void reconnectListeners.delete(listener)
    },
    get reconnects() {
      return reconnects
    },
    get disconnects() {
      return disconnects
    },
    publish: (subject, data) => {
      ensureOpen()
      validatePublishSubject(subject)
      try {
        // nats.js keeps a reference until its next write; copy so the caller may reuse the buffer.
        conn.publish(subject, data.slice())
      } catch (e) {
        throw ioError(`publish ${subject}`, e)
      }
    },
    subscribe: (subject, handler, subOptions?: SubscribeOptions): Subscription => {
      ensureOpen()
      validatePattern(subject)
      let sub: NatsSubscription
      try {
        sub = conn.subscribe(subject, {
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
          if (!conn.isClosed()) await flushWithin(conn, timeoutMs)
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
        const ttl = kvOptions?.ttlMs !== undefined && kvOptions.ttlMs > 0 ? kvOptions.ttlMs : undefined
        const opts = {
          history: 1,
          timeout: timeoutMs,
          ...(ttl !== undefined ? { ttl } : {}),
          ...(options.kvReplicas !== undefined && options.kvReplicas > 1 ? { replicas: options.kvReplicas } : {}),
        }
        const serverId = conn.info?.server_id
        const cacheKey = serverId === undefined ? undefined : `${serverId}\u0000${bucket}`
        const forget = (): void => {
          if (cacheKey !== undefined) knownBuckets.delete(cacheKey)
        }
        const known = cacheKey === undefined ? undefined : knownBuckets.get(cacheKey)
        const opened =
          known !== undefined && known.ttlMs === ttl
            ? kvm.open(bucket, { ...opts, allow_direct: known.direct }) // binds: no request
            : kvm
                .create(bucket, opts)
                .catch(async (e: unknown) => {
                  // Several clients opening a new bucket at once race to create its
                  // stream; the losers get "subjects overlap with an existing stream"
                  // (JetStream 10065). The stream exists then: look it up again.
                  if (!isStreamCreateRace(e)) throw e
                  // the stream exists now: create looks it up (stream info) and opens it; 5 tries, 20 ms apart and doubling
                  return Effect.runPromise(
                    Effect.tryPromise({ try: () => kvm.create(bucket, opts), catch: (again): unknown => again }).pipe(
                      Effect.delay(20),
                      Effect.retry(backoff(5, 20, 320)),
                    ),
                  )
                })
                .then((b) => {
                  if (cacheKey !== undefined) knownBuckets.set(cacheKey, { ttlMs: ttl, direct: (b as unknown as { direct?: unknown }).direct === true })
                  return b
                })
        kv = opened
          .then((b) => wrapKv(b, bucket, forget))
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
        await conn.flush()
      } catch (e) {
        throw ioError("flush", e)
      }
    },
    close: async () => {
      if (conn.isClosed()) return
      // Push out what was published, but do not hang on a dead server.
      await flushWithin(conn, Math.min(timeoutMs, 2_000))
      subs.clear()
      await conn.close()
    },
  }
  return transport
}
