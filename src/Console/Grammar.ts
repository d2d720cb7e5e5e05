/**
 * The conversational line (seed 002 Part 7.2) as a small deterministic
 * grammar — no language model. A line is lower-cased, stripped of
 * punctuation and politeness ("please", "can you", "yeah"), then matched
 * against the forms in `acceptedForms`, each giving one console command.
 * Anything else is `NotUnderstood`, which lists the accepted forms.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type ConsoleCommand, type ConsoleScope, defaultSample, everywhere, maxSample } from "./Command.ts"

/** A line the grammar does not accept. */
export class NotUnderstood extends Data.TaggedError("NotUnderstood")<{ readonly line: string; readonly accepted: ReadonlyArray<string> }> {
  override get message(): string {
    return `I don't understand: ${JSON.stringify(this.line)}. Try one of:\n${this.accepted.map((a) => `  ${a}`).join("\n")}`
  }
}

/** What the grammar accepts, as shown to the user. */
export const acceptedForms: ReadonlyArray<string> = [
  "status | what's the status [of sector S | of cluster S-C]",
  "what's happening in sector S | how is cluster S-C doing",
  "broadcast MESSAGE | tell everyone MESSAGE",
  "ask [N agents] QUESTION",
  "delegate TASK to sector S | cluster S-C | all",
  "heal [sector S | cluster S-C | everything]",
  "freeze [sector S | cluster S-C | everything] | thaw [...] (also: unfreeze, resume)",
  "route around slow agents [in sector S]",
  "show me what they are stuck on [in sector S]",
  "reassign their tasks [in sector S] | do it (after what they are stuck on)",
  "advance N rounds",
]

const num = "0*([1-9][0-9]{0,5})"
// "sector 7", "sector-7", "cluster 7-4", "cluster 7 4", "the mesh", "everything"
const scopeRe = new RegExp(`^(?:the\\s+)?(?:(everything|all|the mesh|mesh|whole mesh)|sector[\\s-]*${num}(?:\\s+cluster[\\s-]*${num})?|cluster[\\s-]*${num}[\\s-]+${num})$`)

const scopeOf = (t: string): ConsoleScope | undefined => {
  const m = scopeRe.exec(t.trim())
  if (m === null) return undefined
  if (m[1] !== undefined) return everywhere
  if (m[2] !== undefined) return m[3] !== undefined ? { kind: "cluster", sector: Number(m[2]), cluster: Number(m[3]) } : { kind: "sector", sector: Number(m[2]) }
  return { kind: "cluster", sector: Number(m[4]), cluster: Number(m[5]) }
}

/** An optional trailing "in/of/for SCOPE"; undefined when the tail is not a scope. */
const tailScope = (tail: string): ConsoleScope | undefined => {
  const t = tail.trim()
  if (t === "") return everywhere
  const m = /^(?:in|of|for|at|on)\s+(.+)$/.exec(t)
  return scopeOf(m !== null ? m[1]! : t)
}

const normalise = (line: string): string =>
  line
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[?!.,;:]+/g, " ")
    .replace(/\b(please|yeah|yes|ok|okay|now|for now|and|can you|could you|would you|hey mesh|mesh,)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim()

type Rule = (t: string, raw: string) => ConsoleCommand | undefined

// the original text of a free-form argument, after `words` leading words
const after = (raw: string, re: RegExp): string => raw.trim().replace(re, "").trim()

const rules: ReadonlyArray<Rule> = [
  (t) => {
    const m = /^(?:show (?:me )?)?(?:status|what(?:'s| is) the status|how(?:'s| is) (?:it|everything|the mesh) (?:going|doing))(.*)$/.exec(t)
    const s = m === null ? undefined : tailScope(m[1]!)
    return s === undefined ? undefined : { _tag: "Status", scope: s }
  },
  (t) => {
    const m = /^(?:what(?:'s| is) (?:happening|going on) (?:in|with)|how(?:'s| is) (.+?) doing$|how(?:'s| is)) ?(.*)$/.exec(t)
    if (m === null) return undefined
    const s = scopeOf((m[1] ?? m[2] ?? "").replace(/ doing$/, ""))
    return s === undefined ? undefined : { _tag: "Status", scope: s }
  },
  (t) => {
    const m = /^(?:route around|avoid|stop routing to)\b(?:\s*\b(?:the|those|them|slow|stuck|agents|ones)\b)*(.*)$/.exec(t)
    const s = m === null ? undefined : tailScope(m[1]!)
    return s === undefined ? undefined : { _tag: "RouteAround", scope: s }
  },
  (t) => {
    const m = /^(?:show (?:me )?)?what (?:are )?(?:they|the slow agents|agents)(?:'re| are)? stuck on(.*)$/.exec(t)
    const s = m === null ? undefined : tailScope(m[1]!)
    return s === undefined ? undefined : { _tag: "Stuck", scope: s }
  },
  (t) => {
    if (t === "do it" || t === "go ahead") return { _tag: "Reassign", scope: everywhere }
    const m = /^(?:reassign|move) (?:the |their |those )?(?:stuck )?tasks?(?: of the stuck agents)?(.*)$/.exec(t)
    const s = m === null ? undefined : tailScope(m[1]!)
    return s === undefined ? undefined : { _tag: "Reassign", scope: s }
  },
  (t) => {
    const m = /^(freeze|thaw|unfreeze|resume|heal|fix)(.*)$/.exec(t)
    if (m === null) return undefined
    const s = tailScope(m[2]!)
    if (s === undefined) return undefined
    const tag = m[1] === "freeze" ? "Freeze" : m[1] === "heal" || m[1] === "fix" ? "Heal" : "Thaw"
    return { _tag: tag, scope: s }
  },
  (t, raw) => {
    if (!/^(?:broadcast|tell everyone|tell all agents|announce) \S/.test(t)) return undefined
    const message = after(raw, /^\s*(?:broadcast|tell everyone|tell all agents|announce)\s*:?\s*/i)
    return message === "" || message.length > 2000 ? undefined : { _tag: "Broadcast", message }
  },
  (t, raw) => {
    const m = /^ask (?:([0-9]{1,6}) agents? )?(.+)$/.exec(t)
    if (m === null) return undefined
    const sample = m[1] !== undefined ? Number(m[1]) : defaultSample
    if (sample < 1 || sample > maxSample) return undefined
    const question = after(raw, /^\s*ask\s+(?:[0-9]{1,6}\s+agents?\s+)?/i)
    return question === "" || question.length > 2000 ? undefined : { _tag: "Ask", question, sample, scope: everywhere }
  },
  (t, raw) => {
    const m = /^(?:delegate|assign) (.+) to (.+)$/.exec(t)
    if (m === null) return undefined
    const to = scopeOf(m[2]!)
    if (to === undefined) return undefined
    const task = after(raw, /^\s*(?:delegate|assign)\s+/i).replace(/\s+to\s+[^]*$/i, "").replace(/^["']|["']$/g, "")
    return task === "" || task.length > 2000 ? undefined : { _tag: "Delegate", task, to }
  },
  (t) => {
    const m = /^(?:advance|run|step) ([0-9]{1,5}) rounds?$/.exec(t)
    const rounds = m === null ? 0 : Number(m[1])
    return rounds >= 1 && rounds <= 10_000 ? { _tag: "Advance", rounds } : undefined
  },
]

/** The command a conversational line asks for, or `NotUnderstood` with the accepted forms. */
export const parseLine = (line: string): Result.Result<ConsoleCommand, NotUnderstood> => {
  const t = normalise(line)
  for (const rule of rules) {
    const c = rule(t, line)
    if (c !== undefined) return Result.succeed(c)
  }
  return Result.fail(new NotUnderstood({ line, accepted: acceptedForms }))
}

/**
 * A line that may hold several requests ("route around, and show me what
 * they're stuck on"): the whole line if it parses, else its parts split at
 * ", and", "and then", "then", ", " — each part must parse, or the whole line
 * is `NotUnderstood`.
 */
export const parseConversation = (line: string): Result.Result<ReadonlyArray<ConsoleCommand>, NotUnderstood> => {
  const whole = parseLine(line)
  if (Result.isSuccess(whole)) return Result.succeed([whole.success])
  const parts = line.split(/\s*,\s*(?:and\s+)?(?:then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+/i).filter((p) => p.trim() !== "")
  if (parts.length < 2) return Result.fail(whole.failure)
  const out: Array<ConsoleCommand> = []
  for (const p of parts) {
    const c = parseLine(p)
    if (Result.isFailure(c)) return Result.fail(whole.failure)
    out.push(c.success)
  }
  return Result.succeed(out)
}
