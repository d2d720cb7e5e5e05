/**
 * The message bus the coordinator tree runs on. Two implementations share this
 * interface and one contract test suite: an in-process bus (the embedded
 * default, no server) and NATS (a real nats-server; subjects, queue groups and
 * JetStream KV). Payloads are bytes; decoding them is the receiver's job and
 * every decode is validated (see src/Tree/Messages.ts).
 */

/** A live subscription. */
export interface Subscription {
  readonly subject: string
  unsubscribe(): Promise<void>
}

/** One value of a key-value bucket, with its revision (for compare-and-set). */
export interface KvEntry {
  readonly value: Uint8Array
  readonly revision: number
}

/** A key-value bucket (JetStream KV on NATS). Entries expire after the bucket's TTL unless rewritten. */
export interface Kv {
  get(key: string): Promise<KvEntry | undefined>
  /** Writes only if the key is absent (or expired/deleted); the new revision, or undefined if it exists. */
  create(key: string, value: Uint8Array): Promise<number | undefined>
  /** Compare-and-set: writes only if the current revision is `expectedRevision`; the new revision, or undefined. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<number | undefined>
  delete(key: string): Promise<void>
}

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group. */
  readonly queue?: string
}

export interface KvOptions {
  /** Entries older than this are gone (NATS bucket max age). */
  readonly ttlMs?: number
}

export interface Transport {
  readonly kind: "in-process" | "nats"
  /** Fire-and-forget publish; subject tokens are separated by "." (NATS syntax). */
  publish(subject: string, data: Uint8Array): void
  /** Subjects may use the wildcards "*" (one token) and ">" (the rest). Delivery is asynchronous. */
  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void, options?: SubscribeOptions): Subscription
  kv(bucket: string, options?: KvOptions): Promise<Kv>
  /** Resolves when everything published so far has reached the server (or, in-process, been delivered). */
  flush(): Promise<void>
  close(): Promise<void>
  /**
   * A bus with a server (NATS): calls `listener` after every reconnect (the
   * client lost its server and is back, subscriptions re-established). Messages
   * in flight at the loss are gone, so the tree re-sends its latest state.
   * Returns a function that removes the listener. Absent in-process.
   */
  onReconnect?(listener: () => void): () => void
  /** Reconnects so far (absent in-process). */
  readonly reconnects?: number
}
