/** Over 400 lines: one server (subject trie, delivery queue, KV, fault controls) whose parts share its private state.
 * The in-process message bus: the embedded default transport (no server).
 *
 * One `InProcessServer` plays the part of a NATS server; every simulated
 * process connects to it with its own client name (`server.connect(name)`) and
 * gets a `Transport`. Semantics follow NATS: "*" matches one subject token,
 * ">" the rest; a queue group delivers each message to one member; delivery is
 * asynchronous (handlers never run inside `publish`) and FIFO, so messages from
 * one publisher arrive in publish order. KV buckets have per-bucket revisions
 * (like a JetStream stream sequence), create / compare-and-set update, and a
 * TTL checked lazily on access.
 *
 * Fault injection (tests, chaos runs): `partition(predicate)` cuts message
 * paths for which `predicate(fromClient, subject, toClient)` is true (KV
 * operations are checked with toClient = `SERVER_CLIENT` and fail with
 * `TransportError("partitioned")`); `drop(p, rng)` loses each delivery with
 * probability p; `heal()` removes both.
 */
import { TransportError } from "./Errors.ts"
import { validateBucket, validateKey, validatePattern, validatePublishSubject, validateRevision } from "./Subjects.ts"
import type { Kv, KvEntry, KvOptions, SubscribeOptions, Subscription, Transport } from "./Transport.ts"

/** The `toClient` that partition predicates see for KV operations (the server holds the KV). */
export const SERVER_CLIENT = "$server"

/** Decides whether the path fromClient → toClient for `subject` is cut. */
export type PartitionPredicate = (fromClient: string, subject: string, toClient: string) => boolean

/**
 * A partition predicate that cuts the named clients off from the server: they
 * neither send nor receive messages (not even among themselves) and their KV
 * operations fail.
 */
export const isolating = (...clients: ReadonlyArray<string>): PartitionPredicate => isolatingAll(clients)

/** `isolating` for a large set of clients (no argument spread, O(1) per check). */
export const isolatingAll = (clients: Iterable<string>): PartitionPredicate => {
  const cut = new Set(clients)
  return (from, _subject, to) => cut.has(from) || cut.has(to)
}

export interface FaultControls {
  /** Cut every path for which the predicate is true (replaces an earlier partition). */
  partition(predicate: PartitionPredicate): void
  /** Remove the partition and the drop rate. */
  heal(): void
  /** Lose each delivery with this probability (0 turns it off); `rng` returns [0, 1), default Math.random. */
  drop(probability: number, rng?: () => number): void
}

export interface InProcessOptions {
  /** Clock for KV TTLs, in ms (default Date.now). */
  readonly now?: () => number
  /** Called when a subscription handler throws (default: console.error). */
  readonly onHandlerError?: (error: unknown, subject: string) => void
  /** Deliveries per macrotask turn before yielding to the event loop (default 4096). */
  readonly batchSize?: number
}

export interface InProcessStats {
  readonly published: number
  readonly delivered: number
  /** Deliveries lost to `partition` or `drop` (and queue-group messages with no reachable member). */
  readonly dropped: number
}

export interface InProcessServer extends FaultControls {
  /** A transport for one simulated process; `clientName` is what partition predicates see. */
  connect(clientName: string): InProcessTransport
  readonly stats: InProcessStats
  /** Resolves when every delivery queued so far has run. */
  settle(): Promise<void>
}

export interface InProcessTransport extends Transport, FaultControls {
  readonly kind: "in-process"
  readonly clientName: string
  readonly server: InProcessServer
}

// ---------------------------------------------------------------------------
// Subscription trie (NATS "sublist")
//
// Kept small: a tree of a million-agent run holds ~10^5 subscriptions, so a
// node allocates its child map and subscriber lists only when first used, a
// subscription is one object (no token array, no closures), and a client is
// one object whose methods live on its prototype.

/** A subscription: its own handle too (`unsubscribe`). */
class Sub implements Subscription {
  readonly client: ClientState
  readonly subject: string
  readonly queue: string | undefined
  readonly handler: (data: Uint8Array, subject: string) => void
  active = true
  constructor(client: ClientState, subject: string, queue: string | undefined, handler: (data: Uint8Array, subject: string) => void) {
    this.client = client
    this.subject = subject
    this.queue = queue
    this.handler = handler
  }
  /** The pattern (NATS name). */
  get pattern(): string {
    return this.subject
  }
  async unsubscribe(): Promise<void> {
    if (!this.active) return
    this.active = false
    trieRemove(this.client.root, this)
    this.client.subs?.delete(this)
    this.client.forget()
  }
}

interface TrieNode {
  next: Map<string, TrieNode> | undefined
  exact: Sub[] | undefined
  rest: Sub[] | undefined // subscriptions ending in ">" at this level
}

const newNode = (): TrieNode => ({ next: undefined, exact: undefined, rest: undefined })

const removeFrom = (list: Sub[] | undefined, sub: Sub): Sub[] | undefined => {
  if (list === undefined) return undefined
  const i = list.indexOf(sub)
  if (i >= 0) list.splice(i, 1)
  return list.length === 0 ? undefined : list
}

const trieInsert = (root: TrieNode, sub: Sub, tokens: ReadonlyArray<string>): void => {
  let node = root
  for (const t of tokens) {
    if (t === ">") {
      ;(node.rest ??= []).push(sub)
      return
    }
    node.next ??= new Map()
    let child = node.next.get(t)
    if (child === undefined) {
      child = newNode()
      node.next.set(t, child)
    }
    node = child
  }
  ;(node.exact ??= []).push(sub)
}

const trieRemove = (root: TrieNode, sub: Sub): void => {
  const tokens = sub.subject.split(".")
  const path: Array<[TrieNode, string]> = []
  let node: TrieNode | undefined = root
  for (const t of tokens) {
    if (t === ">") break
    const child: TrieNode | undefined = node.next?.get(t)
    if (child === undefined) return
    path.push([node, t])
    node = child
  }
  if (tokens[tokens.length - 1] === ">") node.rest = removeFrom(node.rest, sub)
  else node.exact = removeFrom(node.exact, sub)
  // prune empty nodes bottom-up
  for (let i = path.length - 1; i >= 0; i--) {
    const [parent, t] = path[i]!
    const child = parent.next!.get(t)!
    if (child.next !== undefined || child.exact !== undefined || child.rest !== undefined) break
    parent.next!.delete(t)
    if (parent.next!.size === 0) parent.next = undefined
  }
}

const trieMatch = (node: TrieNode, tokens: ReadonlyArray<string>, i: number, out: Array<Sub>): void => {
  if (i === tokens.length) {
    if (node.exact !== undefined) for (const s of node.exact) out.push(s)
    return
  }
  if (node.rest !== undefined) for (const s of node.rest) out.push(s)
  if (node.next === undefined) return
  const lit = node.next.get(tokens[i]!)
  if (lit !== undefined) trieMatch(lit, tokens, i + 1, out)
  const star = node.next.get("*")
  if (star !== undefined) trieMatch(star, tokens, i + 1, out)
}

// ---------------------------------------------------------------------------
// Server state

interface ClientState {
  forget(): void
  readonly name: string
  closed: boolean
  /** Its live subscriptions (undefined until the first). */
  subs: Set<Sub> | undefined
  readonly root: TrieNode
}

interface StoredValue {
  readonly value: Uint8Array
  readonly revision: number
  readonly writtenAt: number
}

interface BucketState {
  readonly ttlMs: number | undefined
  seq: number
  readonly entries: Map<string, StoredValue>
}

type QueueItem =
  | { readonly sub: Sub; readonly subject: string; readonly data: Uint8Array }
  | { readonly sub: undefined; readonly done: () => void }

/** A fresh in-process "server" that several clients (simulated processes) share. */
export const makeInProcessServer = (options: InProcessOptions = {}): InProcessServer => {
  const now = options.now ?? Date.now
  const onHandlerError =
    options.onHandlerError ??
    ((error: unknown, subject: string) => {
      console.error(`in-process transport: handler for ${subject} threw`, error)
    })
  const batchSize = Math.max(1, options.batchSize ?? 4096)

  const root = newNode()
  const buckets = new Map<string, BucketState>()
  const queueCursor = new Map<string, number>()
    let partitionPredicate: PartitionPredicate | undefined
  let dropProbability = 0
  let dropRng: () => number = Math.random
  let published = 0
  let delivered = 0
  let dropped = 0

  // FIFO delivery queue, drained in macrotask batches.
  let queue: Array<QueueItem> = []
  let head = 0
  let scheduled = false

  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(drain)
  }

  const drain = (): void => {
    scheduled = false
    let n = 0
    while (head < queue.length && n < batchSize) {
      const item = queue[head]!
      queue[head] = undefined as unknown as QueueItem // release for GC
      head++
      n++
      if (item.sub === undefined) {
        item.done()
        continue
      }
      const sub = item.sub
      if (!sub.active || sub.client.closed) continue
      delivered++
      try {
        sub.handler(item.data, item.subject)
      } catch (error) {
        onHandlerError(error, item.subject)
      }
    }
    if (head >= queue.length) {
      queue = []
      head = 0
    } else {
      if (head > 65536 && head * 2 > queue.length) {
        queue = queue.slice(head)
        head = 0
      }
      schedule()
    }
  }

  const cut = (from: string, subject: string, to: string): boolean =>
    partitionPredicate !== undefined && partitionPredicate(from, subject, to)

  const lost = (): boolean => dropProbability > 0 && dropRng() < dropProbability

  const enqueue = (sub: Sub, subject: string, data: Uint8Array): void => {
    if (lost()) {
      dropped++
      return
    }
    queue.push({ sub, subject, data })
  }

  // The subscriptions matching the last subject published, until the next (un)subscribe: a tree's
  // coordinators publish runs of messages to one subject (the children of one parent, one after another).
  let lastSubject: string | undefined
  let lastMatched: ReadonlyArray<Sub> = []
  const publish = (client: ClientState, subject: string, data: Uint8Array): void => {
    let matched = lastMatched
    if (subject !== lastSubject) {
      validatePublishSubject(subject)
      const tokens = subject.split(".")
      const found: Array<Sub> = []
      trieMatch(root, tokens, 0, found)
      lastSubject = subject
      lastMatched = matched = found
    }
    published++
    if (matched.length === 0) return
    // a fresh array and `set` rather than `slice`: a small copy then lives on the JS heap
    const copy = new Uint8Array(data.length)
    copy.set(data)
    let groups: Map<string, Array<Sub>> | undefined
    for (const sub of matched) {
      if (sub.queue !== undefined) {
        groups ??= new Map()
        const group = `${sub.queue}\u0000${sub.subject}` // NATS groups by (queue name, subject)
        const members = groups.get(group)
        if (members === undefined) groups.set(group, [sub])
        else members.push(sub)
        continue
      }
      if (cut(client.name, subject, sub.client.name)) {
        dropped++
        continue
      }
      enqueue(sub, subject, copy)
    }
    if (groups !== undefined) {
      for (const [name, members] of groups) {
        const reachable = members.filter((m) => !cut(client.name, subject, m.client.name))
        if (reachable.length === 0) {
          dropped++
          continue
        }
        // Round-robin per group (deterministic, fair).
        const cursor = queueCursor.get(name) ?? 0
        queueCursor.set(name, cursor + 1)
        enqueue(reachable[cursor % reachable.length]!, subject, copy)
      }
    }
    schedule()
  }

  const flushMarker = (): Promise<void> =>
    new Promise<void>((resolve) => {
      queue.push({ sub: undefined, done: resolve })
      schedule()
    })

  const bucketOf = (name: string, ttlMs: number | undefined): BucketState => {
    let b = buckets.get(name)
    if (b === undefined) {
      b = { ttlMs: ttlMs !== undefined && ttlMs > 0 ? ttlMs : undefined, seq: 0, entries: new Map() }
      buckets.set(name, b)
    }
    return b
  }

  const live = (b: BucketState, key: string): StoredValue | undefined => {
    const e = b.entries.get(key)
    if (e === undefined) return undefined
    if (b.ttlMs !== undefined && now() - e.writtenAt >= b.ttlMs) {
      b.entries.delete(key)
      return undefined
    }
    return e
  }

  const write = (b: BucketState, key: string, value: Uint8Array): number => {
    const revision = ++b.seq
    b.entries.set(key, { value: value.slice(), revision, writtenAt: now() })
    return revision
  }

  const makeKv = (client: ClientState, bucketName: string, b: BucketState): Kv => {
    const check = (key: string): void => {
      if (client.closed) throw new TransportError({ reason: "closed", detail: `client ${client.name} is closed` })
      validateKey(key)
      if (cut(client.name, `$KV.${bucketName}.${key}`, SERVER_CLIENT)) {
        throw new TransportError({ reason: "partitioned", detail: `client ${client.name} cannot reach the KV (partition)` })
      }
    }
    return {
      get: async (key) => {
        check(key)
        const e = live(b, key)
        return e === undefined ? undefined : ({ value: e.value.slice(), revision: e.revision } satisfies KvEntry)
      },
      create: async (key, value) => {
        check(key)
        return live(b, key) === undefined ? write(b, key, value) : undefined
      },
      update: async (key, value, expectedRevision) => {
        check(key)
        validateRevision(expectedRevision)
        const e = live(b, key)
        return e !== undefined && e.revision === expectedRevision ? write(b, key, value) : undefined
      },
      delete: async (key) => {
        check(key)
        if (b.entries.delete(key)) b.seq++ // the delete marker takes a revision, as on JetStream
      },
    }
  }

  const server: InProcessServer = {
    connect: (clientName) => new Client(clientName, core),
    get stats(): InProcessStats {
      return { published, delivered, dropped }
    },
    settle: () => flushMarker(),
    partition: (predicate) => {
      partitionPredicate = predicate
    },
    heal: () => {
      partitionPredicate = undefined
      dropProbability = 0
      dropRng = Math.random
    },
    drop: (probability, rng) => {
      if (!(probability >= 0 && probability <= 1)) {
        throw new TransportError({ reason: "bad-argument", detail: `drop probability must be in [0, 1], got ${probability}` })
      }
      dropProbability = probability
      dropRng = rng ?? Math.random
    },
  }
  const forget = (): void => {
    lastSubject = undefined
    lastMatched = []
  }
  const core: ServerCore = { server, root, publish, flushMarker, makeKv, bucketOf, forget }
  return server
}

/** What the clients of one server share. */
interface ServerCore {
  readonly server: InProcessServer
  readonly root: TrieNode
  readonly publish: (client: ClientState, subject: string, data: Uint8Array) => void
  readonly flushMarker: () => Promise<void>
  readonly makeKv: (client: ClientState, bucketName: string, b: BucketState) => Kv
  readonly bucketOf: (name: string, ttlMs: number | undefined) => BucketState
  /** Drops cached subject matches (the subscriptions changed). */
  readonly forget: () => void
}

/** One client of an in-process server (a simulated process): one object, methods on the prototype. */
class Client implements InProcessTransport, ClientState {
  readonly name: string
  closed = false
  subs: Set<Sub> | undefined = undefined
  private readonly core: ServerCore
  constructor(clientName: string, core: ServerCore) {
    this.name = clientName
    this.core = core
  }
  // derived, not stored: a tree of 10^6 agents holds ~10^5 clients
  get kind(): "in-process" {
    return "in-process"
  }
  get clientName(): string {
    return this.name
  }
  get server(): InProcessServer {
    return this.core.server
  }
  get root(): TrieNode {
    return this.core.root
  }
  forget(): void {
    this.core.forget()
  }
  private ensureOpen(): void {
    if (this.closed) throw new TransportError({ reason: "closed", detail: `client ${this.clientName} is closed` })
  }
  publish(subject: string, data: Uint8Array): void {
    this.ensureOpen()
    this.core.publish(this, subject, data)
  }
  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void, subOptions?: SubscribeOptions): Subscription {
    this.ensureOpen()
    const tokens = validatePattern(subject)
    const sub = new Sub(this, subject, subOptions?.queue, handler)
    trieInsert(this.root, sub, tokens)
    this.core.forget()
    ;(this.subs ??= new Set()).add(sub)
    return sub
  }
  async kv(bucket: string, kvOptions?: KvOptions): Promise<Kv> {
    this.ensureOpen()
    validateBucket(bucket)
    return this.core.makeKv(this, bucket, this.core.bucketOf(bucket, kvOptions?.ttlMs))
  }
  async flush(): Promise<void> {
    this.ensureOpen()
    await this.core.flushMarker()
  }
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const sub of this.subs ?? []) {
      sub.active = false
      trieRemove(this.root, sub)
    }
    this.subs = undefined
    this.core.forget()
  }
  partition(p: PartitionPredicate): void {
    this.server.partition(p)
  }
  heal(): void {
    this.server.heal()
  }
  drop(p: number, rng?: () => number): void {
    this.server.drop(p, rng)
  }
}

/** A single in-process transport on its own fresh server (the embedded default). */
export const makeInProcessTransport = (options: InProcessOptions & { readonly clientName?: string } = {}): InProcessTransport =>
  makeInProcessServer(options).connect(options.clientName ?? "local")
