/**
 * The messages of scatter-gather on the bus (seed 002, Appendix B's COORDINATE
 * and ACK, JSON), their schemas and subjects. Every received message is
 * decoded here and each problem is named by its field.
 */
import { Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

/** Ids travel as subject tokens. */
export const NodeId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,64}$/))
const count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** What a coordinator reports about its subtree (cascades); agents send none. */
export const Reach = Schema.Struct({
  clusters: count,
  agents: count,
  ready: count,
  conflicts: count,
  stragglers: count,
  /** SKIPped for lead time or not routable (breakers): never sent. */
  unsent: count,
  /** Longest gather per level below the responder, ms. */
  clusterMs: count,
  agentMs: count,
})
export type Reach = typeof Reach.Type

export const Coordinate = Schema.Struct({
  type: Schema.Literal("COORDINATE"),
  op_id: NodeId,
  agent_id: NodeId,
  reply_to: Schema.String.check(Schema.isNonEmpty()),
  target_arrival_ms: count,
  payload_weight: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
  payload: Schema.Unknown,
})
export type Coordinate = typeof Coordinate.Type

export const Ack = Schema.Struct({
  type: Schema.Literal("ACK"),
  op_id: NodeId,
  agent_id: NodeId,
  trinary_state: Schema.Literals([1, 0, -1]),
  actual_arrival_ms: count,
  processing_time_ms: count,
  reach: Schema.optional(Reach),
})
export type Ack = typeof Ack.Type

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder("utf-8", { fatal: true })

export interface Issue {
  readonly field: string
  readonly message: string
}

/** Decodes JSON bytes with `schema`; every problem named by field. */
export const decodeWire = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  data: Uint8Array,
): Result.Result<S["Type"], ReadonlyArray<Issue>> => {
  let raw: unknown
  try {
    raw = JSON.parse(fromUtf8.decode(data))
  } catch (e) {
    return Result.fail([{ field: "(bytes)", message: `not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}` }])
  }
  const r = Schema.decodeUnknownResult(schema)(raw, { errors: "all" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  return Result.fail(formatIssues(r.failure.issue).issues.map((i) => ({ field: (i.path ?? []).map(String).join(".") || "(message)", message: i.message })))
}

export const encodeWire = (msg: Coordinate | Ack): Uint8Array => utf8.encode(JSON.stringify(msg))

export const nodeSubject = (prefix: string, id: string): string => `${prefix}.node.${id}`
export const replySubject = (prefix: string, id: string): string => `${prefix}.reply.${id}`

