/**
 * The console's command words, as typed after `hydrogen console`: `status
 * [SCOPE]`, `broadcast MESSAGE`, `ask QUESTION` (with `--sample N`),
 * `delegate TASK` (with `--to SCOPE`), `heal|freeze|thaw|route-around|stuck|
 * reassign [SCOPE]`, `advance N`. Several commands are separated by `;`. A line that
 * does not start with a command word goes to the conversational grammar
 * (which also splits "X, and Y" into two requests).
 * Every problem is a typed error naming the word or flag.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type CommandWord, commandWords, type ConsoleCommand, type ConsoleScope, defaultSample, maxRounds, parseScope } from "./Command.ts"
import { type NotUnderstood, parseConversation } from "./Grammar.ts"

/** A command line the console cannot take: `where` names the word or flag. */
export class BadConsoleInput extends Data.TaggedError("BadConsoleInput")<{ readonly where: string; readonly problem: string }> {
  override get message(): string {
    return `${this.where}: ${this.problem}`
  }
}

export interface WordOptions {
  /** `--sample`, for `ask`. */
  readonly sample?: number
  /** `--to`, for `delegate`. */
  readonly to?: ConsoleScope
}

const isWord = (w: string): w is CommandWord => (commandWords as ReadonlyArray<string>).includes(w)

const oneCommand = (words: ReadonlyArray<string>, o: WordOptions): Result.Result<ConsoleCommand | ReadonlyArray<ConsoleCommand>, BadConsoleInput | NotUnderstood> => {
  const head = words[0]!.toLowerCase()
  if (!isWord(head)) return parseConversation(words.join(" "))
  const rest = words.slice(1)
  const text = rest.join(" ").trim()
  const scope = (): Result.Result<ConsoleScope, BadConsoleInput> => {
    if (rest.length === 0) return Result.succeed({ kind: "all" })
    const s = parseScope(rest.join(" "), `${head} SCOPE`)
    return Result.isSuccess(s) ? Result.succeed(s.success) : Result.fail(new BadConsoleInput({ where: `${head} SCOPE`, problem: s.failure.message.replace(/^[^:]*: /, "") }))
  }
  const needText = (what: string) => Result.fail(new BadConsoleInput({ where: `${head} ${what}`, problem: `missing: '${head}' takes ${what.toLowerCase()}` }))
  const tooLong = (what: string) => Result.fail(new BadConsoleInput({ where: `${head} ${what}`, problem: `longer than 2000 characters` }))
  switch (head) {
    case "broadcast":
      if (text === "") return needText("MESSAGE")
      return text.length > 2000 ? tooLong("MESSAGE") : Result.succeed({ _tag: "Broadcast", message: text })
    case "ask":
      if (text === "") return needText("QUESTION")
      return text.length > 2000 ? tooLong("QUESTION") : Result.succeed({ _tag: "Ask", question: text, sample: o.sample ?? defaultSample, scope: { kind: "all" } })
    case "delegate":
      if (text === "") return needText("TASK")
      if (o.to === undefined) return Result.fail(new BadConsoleInput({ where: "--to", problem: "required with delegate (all, sector-S or cluster-S-C)" }))
      return text.length > 2000 ? tooLong("TASK") : Result.succeed({ _tag: "Delegate", task: text, to: o.to })
    case "advance": {
      const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : Number.NaN
      if (!(n >= 1 && n <= maxRounds)) return Result.fail(new BadConsoleInput({ where: "advance ROUNDS", problem: `expected a whole number 1..${maxRounds}, got ${JSON.stringify(text)}` }))
      return Result.succeed({ _tag: "Advance", rounds: n })
    }
    default: {
      const s = scope()
      if (Result.isFailure(s)) return Result.fail(s.failure)
      const tag = ({ status: "Status", heal: "Heal", freeze: "Freeze", thaw: "Thaw", "route-around": "RouteAround", stuck: "Stuck", reassign: "Reassign" } as const)[head]
      return Result.succeed({ _tag: tag, scope: s.success })
    }
  }
}

/** The commands of a command line (`;` separates commands); no words is `status`. */
export const parseWords = (words: ReadonlyArray<string>, o: WordOptions = {}): Result.Result<ReadonlyArray<ConsoleCommand>, BadConsoleInput | NotUnderstood> => {
  const segments = words.join(" ").split(";").map((s) => s.trim().split(/\s+/).filter((w) => w !== ""))
  if (segments.every((s) => s.length === 0)) return Result.succeed([{ _tag: "Status", scope: { kind: "all" } }])
  const out: Array<ConsoleCommand> = []
  for (const seg of segments) {
    if (seg.length === 0) continue
    const c = oneCommand(seg, o)
    if (Result.isFailure(c)) return Result.fail(c.failure)
    if (Array.isArray(c.success)) out.push(...(c.success as ReadonlyArray<ConsoleCommand>))
    else out.push(c.success as ConsoleCommand)
  }
  return Result.succeed(out)
}
