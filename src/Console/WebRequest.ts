/**
 * What the web console accepts from a browser, and the typed errors it
 * answers with. Every request body is JSON decoded with a schema; a bad one
 * is a `WebBadRequest` naming the field (`body.message`) and the problem,
 * answered 400 with `{ error: { _tag, message, where } }`.
 *
 * @module
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

const text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/** `POST /api/login`. */
export const LoginBody = Schema.Struct({ token: text(512) })
export type LoginBody = typeof LoginBody.Type

// a scope as the console writes it: all, sector-7, cluster-7-4
const scope = Schema.optionalKey(text(100))
const freeze = Schema.Struct({ command: Schema.Literal("freeze"), scope })
const thaw = Schema.Struct({ command: Schema.Literal("thaw"), scope })
const status = Schema.Struct({ command: Schema.Literal("status"), scope })
const heal = Schema.Struct({ command: Schema.Literal("heal"), target: scope })
const broadcast = Schema.Struct({ command: Schema.Literal("broadcast"), message: text(2000) })
const ask = Schema.Struct({
  command: Schema.Literal("ask"),
  question: text(2000),
  sample: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000 }))),
  scope,
})
const delegate = Schema.Struct({ command: Schema.Literal("delegate"), task: text(2000), to: scope })
// the conversational line, parsed by the console's grammar
const say = Schema.Struct({ command: Schema.Literal("say"), line: text(2000) })

/** `POST /api/command`: the console's commands as the page sends them, one schema per command. */
export const webCommandSchemas = { freeze, thaw, status, heal, broadcast, ask, delegate, say } as const
export type WebCommandName = keyof typeof webCommandSchemas
export type WebCommand = { readonly [K in WebCommandName]: (typeof webCommandSchemas)[K]["Type"] }[WebCommandName]

/** The command names the page may send. */
export const webCommandNames = Object.keys(webCommandSchemas) as ReadonlyArray<WebCommandName>

/** A body that is not the JSON the endpoint takes. */
export class WebBadRequest extends Data.TaggedError("WebBadRequest")<{ readonly where: string; readonly problem: string }> {
  override get message(): string {
    return `bad request: ${this.where}: ${this.problem}`
  }
}

/** No live session cookie (or a wrong token at login). */
export class WebUnauthorized extends Data.TaggedError("WebUnauthorized")<{ readonly reason: string }> {
  override get message(): string {
    return `unauthorized: ${this.reason}`
  }
}

/** Too many failed logins in a row. */
export class WebLockedOut extends Data.TaggedError("WebLockedOut")<{ readonly retryAfterMs: number }> {
  override get message(): string {
    return `too many failed logins: retry in ${Math.ceil(this.retryAfterMs / 1000)} s`
  }
}

/** A request the server does not take: wrong host or origin, method, media type, size or path. */
export class WebRefused extends Data.TaggedError("WebRefused")<{ readonly status: number; readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/**
 * The console refused or failed the command (its own typed error, by tag and
 * message): 409 when the system refused it, 422 for a line the grammar does
 * not understand, 502/504 when the bus failed or did not answer.
 */
export class WebCommandFailed extends Data.TaggedError("WebCommandFailed")<{ readonly tag: string; readonly reason: string; readonly status: 409 | 422 | 500 | 502 | 504 }> {
  override get message(): string {
    return `${this.tag}: ${this.reason}`
  }
}

export type WebError = WebBadRequest | WebUnauthorized | WebLockedOut | WebRefused | WebCommandFailed

/** The HTTP status of each error. */
export const statusOf = (e: WebError): number => {
  switch (e._tag) {
    case "WebBadRequest":
      return 400
    case "WebUnauthorized":
      return 401
    case "WebLockedOut":
      return 429
    case "WebRefused":
    case "WebCommandFailed":
      return e.status
  }
}

/** The JSON body of an error answer. */
export const errorBody = (e: WebError): { readonly error: { readonly _tag: string; readonly message: string; readonly where?: string } } =>
  e._tag === "WebBadRequest" ? { error: { _tag: e._tag, message: e.message, where: e.where } } : { error: { _tag: e._tag, message: e.message } }

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes `raw` with `schema`; the first issue becomes a `WebBadRequest` at `body.<path>`. */
export const decodeBody = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  raw: unknown,
): Result.Result<S["Type"], WebBadRequest> => {
  const r = Schema.decodeUnknownResult(schema)(raw, { errors: "all", onExcessProperty: "error" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  // a missing or wrong field says more than an extra one: name it first
  const issues = formatIssues(r.failure.issue).issues
  const first = issues.find((i) => !i.message.includes("excess property")) ?? issues[0]
  const path = first?.path !== undefined && first.path.length > 0 ? `body.${first.path.map(String).join(".")}` : "body"
  return Result.fail(new WebBadRequest({ where: path, problem: first?.message ?? "invalid" }))
}

/** Parses JSON text, then decodes it; text that is not JSON is a `WebBadRequest` at `body`. */
export const parseBody = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  bodyText: string,
): Result.Result<S["Type"], WebBadRequest> => {
  let raw: unknown
  try {
    raw = JSON.parse(bodyText)
  } catch (e) {
    return Result.fail(new WebBadRequest({ where: "body", problem: `not JSON (${(e as Error).message})` }))
  }
  return decodeBody(schema, raw)
}

const isName = (c: unknown): c is WebCommandName => typeof c === "string" && Object.hasOwn(webCommandSchemas, c)

/** Decodes a command body: first which command (`body.command`), then that command's fields. */
export const parseCommand = (bodyText: string): Result.Result<WebCommand, WebBadRequest> => {
  const head = parseBody(Schema.Record(Schema.String, Schema.Unknown), bodyText)
  if (Result.isFailure(head)) return Result.fail(head.failure)
  const name = head.success["command"]
  if (!isName(name)) {
    return Result.fail(new WebBadRequest({ where: "body.command", problem: `expected one of ${webCommandNames.join(", ")}, got ${JSON.stringify(name) ?? "nothing"}` }))
  }
  return decodeBody(webCommandSchemas[name], head.success) as Result.Result<WebCommand, WebBadRequest>
}
