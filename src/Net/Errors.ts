/**
 * Typed errors of the message bus (src/Net). Promise-based APIs reject with
 * these; Effect code can catch them by `_tag`.
 */
import { Data } from "effect"

/** Why a transport operation failed. */
export type TransportErrorReason =
  | "closed" // the transport was closed
  | "bad-subject" // an invalid subject or subscription pattern
  | "bad-key" // an invalid KV bucket or key name
  | "bad-argument" // another invalid argument (e.g. a non-integer revision)
  | "partitioned" // in-process fault injection cut this client off
  | "connect" // could not connect to the server
  | "io" // the server or the client library reported an error

/** A transport operation failed; `cause` holds the library's error, if any. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: TransportErrorReason
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `transport error (${this.reason}): ${this.detail}`
  }
}

/** No nats-server binary was found. */
export class NatsServerMissing extends Data.TaggedError("NatsServerMissing")<{
  readonly searched: ReadonlyArray<string>
}> {
  override get message(): string {
    return (
      `nats-server not found (looked in: ${this.searched.join(", ")}). ` +
      `Install it with \`make setup\` or \`scripts/nats/install.sh\` (Debian/Ubuntu: apt-get install nats-server), ` +
      `or pass its path as the \`binary\` option.`
    )
  }
}

/** nats-server was found but did not start (exited early, or did not accept connections in time). */
export class NatsServerStartFailed extends Data.TaggedError("NatsServerStartFailed")<{
  readonly binary: string
  readonly args: ReadonlyArray<string>
  readonly detail: string
  readonly stderr: string
}> {
  override get message(): string {
    const tail = this.stderr.trim()
    return `nats-server failed to start (${this.binary} ${this.args.join(" ")}): ${this.detail}` + (tail === "" ? "" : `\n--- stderr ---\n${tail}`)
  }
}
