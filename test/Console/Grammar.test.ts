import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { type ConsoleCommand, decodeCommand, parseScope } from "../../src/Console/Command.ts"
import { acceptedForms, parseConversation, parseLine } from "../../src/Console/Grammar.ts"
import { parseWords } from "../../src/Console/Words.ts"

const ok = (line: string): ConsoleCommand => {
  const r = parseLine(line)
  if (Result.isFailure(r)) throw new Error(`expected ${JSON.stringify(line)} to parse: ${r.failure.message}`)
  return r.success
}

describe("conversational grammar (seed 002 Part 7.2)", () => {
  it("the seed's examples map to the console's commands", () => {
    expect(ok("What's happening in sector 7?")).toEqual({ _tag: "Status", scope: { kind: "sector", sector: 7 } })
    expect(ok("what's the status of sector 7")).toEqual({ _tag: "Status", scope: { kind: "sector", sector: 7 } })
    expect(ok("Yeah route around")).toEqual({ _tag: "RouteAround", scope: { kind: "all" } })
    expect(ok("route around slow agents")).toEqual({ _tag: "RouteAround", scope: { kind: "all" } })
    expect(ok("route around slow agents in sector 7")).toEqual({ _tag: "RouteAround", scope: { kind: "sector", sector: 7 } })
    expect(ok("show me what they're stuck on")).toEqual({ _tag: "Stuck", scope: { kind: "all" } })
    expect(ok("show me what they are stuck on")).toEqual({ _tag: "Stuck", scope: { kind: "all" } })
    expect(ok("freeze sector 3")).toEqual({ _tag: "Freeze", scope: { kind: "sector", sector: 3 } })
    expect(ok("Please freeze everything.")).toEqual({ _tag: "Freeze", scope: { kind: "all" } })
    expect(ok("thaw sector 3")).toEqual({ _tag: "Thaw", scope: { kind: "sector", sector: 3 } })
    expect(ok("unfreeze cluster 7-4")).toEqual({ _tag: "Thaw", scope: { kind: "cluster", sector: 7, cluster: 4 } })
    expect(ok("heal sector 12")).toEqual({ _tag: "Heal", scope: { kind: "sector", sector: 12 } })
    expect(ok("status")).toEqual({ _tag: "Status", scope: { kind: "all" } })
    expect(ok("Do it")).toEqual({ _tag: "Reassign", scope: { kind: "all" } })
    expect(ok("reassign their tasks in sector 7")).toEqual({ _tag: "Reassign", scope: { kind: "sector", sector: 7 } })
    expect(ok("how is cluster 7-4 doing")).toEqual({ _tag: "Status", scope: { kind: "cluster", sector: 7, cluster: 4 } })
  })

  it("the seed's two-request line is two commands; a line with any part not understood is not understood as a whole", () => {
    expect(parseConversation("Yeah route around, and show me what they're stuck on")).toEqual(
      Result.succeed([{ _tag: "RouteAround", scope: { kind: "all" } }, { _tag: "Stuck", scope: { kind: "all" } }]),
    )
    expect(parseConversation("freeze sector 3 and then heal sector 4")).toEqual(
      Result.succeed([{ _tag: "Freeze", scope: { kind: "sector", sector: 3 } }, { _tag: "Heal", scope: { kind: "sector", sector: 4 } }]),
    )
    // a whole line that parses is not split: the message keeps its comma and "and"
    expect(parseConversation("broadcast markets closed, and rates are up")).toEqual(Result.succeed([{ _tag: "Broadcast", message: "markets closed, and rates are up" }]))
    const r = parseConversation("route around, and make me a sandwich")
    expect(Result.isFailure(r) && r.failure.line).toBe("route around, and make me a sandwich")
  })

  it("free-form arguments keep the user's text (broadcast, ask, delegate)", () => {
    expect(ok("broadcast Context update: Market closed early today")).toEqual({ _tag: "Broadcast", message: "Context update: Market closed early today" })
    expect(ok("ask 10 agents What's your current context hash?")).toEqual({ _tag: "Ask", question: "What's your current context hash?", sample: 10, scope: { kind: "all" } })
    expect(ok("ask what are you doing")).toMatchObject({ _tag: "Ask", sample: 100 })
    expect(ok("delegate Analyze Q3 financial data to sector 3")).toEqual({ _tag: "Delegate", task: "Analyze Q3 financial data", to: { kind: "sector", sector: 3 } })
    expect(ok("advance 5 rounds")).toEqual({ _tag: "Advance", rounds: 5 })
  })

  it("anything else is I don't understand, quoting the line and listing every accepted form", () => {
    for (const line of ["make me a sandwich", "freeze the fridge", "", "delegate something to nowhere", "ask 0 agents why", "advance 0 rounds"]) {
      const r = parseLine(line)
      expect(Result.isFailure(r), line).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure._tag).toBe("NotUnderstood")
        expect(r.failure.message).toContain(`I don't understand: ${JSON.stringify(line)}`)
        for (const form of acceptedForms) expect(r.failure.message).toContain(form)
      }
    }
  })

  it("every command the grammar gives decodes with the command schema", () => {
    for (const line of ["status of sector 2", "broadcast hi", "ask 3 agents x", "delegate t to cluster 1-1", "heal", "freeze", "thaw all", "route around slow agents", "what are they stuck on", "advance 1 round"]) {
      expect(Result.isSuccess(decodeCommand(ok(line))), line).toBe(true)
    }
  })
})

describe("command words (hydrogen console COMMAND ...)", () => {
  it("reads each command word with its scope, --sample and --to; ';' separates commands; none is status", () => {
    const r = parseWords(["freeze", "sector-3;", "advance", "2;", "ask", "what", "is", "your", "task;", "delegate", "x;", "thaw", "3"], { sample: 7, to: { kind: "cluster", sector: 1, cluster: 2 } })
    expect(r).toEqual(Result.succeed([
      { _tag: "Freeze", scope: { kind: "sector", sector: 3 } },
      { _tag: "Advance", rounds: 2 },
      { _tag: "Ask", question: "what is your task", sample: 7, scope: { kind: "all" } },
      { _tag: "Delegate", task: "x", to: { kind: "cluster", sector: 1, cluster: 2 } },
      { _tag: "Thaw", scope: { kind: "sector", sector: 3 } },
    ]))
    expect(parseWords([])).toEqual(Result.succeed([{ _tag: "Status", scope: { kind: "all" } }]))
  })

  it("bad words get a typed error naming the word or flag", () => {
    const fail = (words: ReadonlyArray<string>, o = {}) => {
      const r = parseWords(words, o)
      if (Result.isSuccess(r)) throw new Error(`expected ${words.join(" ")} to fail`)
      return r.failure
    }
    expect(fail(["delegate", "x"])).toMatchObject({ _tag: "BadConsoleInput", where: "--to" })
    expect(fail(["freeze", "sector-x"])).toMatchObject({ _tag: "BadConsoleInput", where: "freeze SCOPE" })
    expect(fail(["advance", "ten"])).toMatchObject({ _tag: "BadConsoleInput", where: "advance ROUNDS" })
    expect(fail(["broadcast"])).toMatchObject({ _tag: "BadConsoleInput", where: "broadcast MESSAGE" })
    expect(fail(["please", "dance"])).toMatchObject({ _tag: "NotUnderstood" })
  })

  it("scopes: all, sector-S, cluster-S-C (from 1); anything else is BadScope naming where", () => {
    expect(parseScope("sector-7", "x")).toEqual(Result.succeed({ kind: "sector", sector: 7 }))
    expect(parseScope("cluster-7-4", "x")).toEqual(Result.succeed({ kind: "cluster", sector: 7, cluster: 4 }))
    expect(parseScope("all", "x")).toEqual(Result.succeed({ kind: "all" }))
    const bad = parseScope("sector-0", "--to")
    expect(Result.isFailure(bad) && bad.failure.message).toMatch(/^--to: expected all, sector-S or cluster-S-C/)
  })

  it("the command schema names the field at fault and refuses extra fields", () => {
    const r = decodeCommand({ _tag: "Ask", question: "q", sample: 0, scope: { kind: "all" } })
    expect(Result.isFailure(r) && r.failure.where).toBe("command.sample")
    expect(Result.isFailure(decodeCommand({ _tag: "Freeze", scope: { kind: "all" }, extra: 1 }))).toBe(true)
    expect(Result.isFailure(decodeCommand({ _tag: "Reboot", scope: { kind: "all" } }))).toBe(true)
  })
})
