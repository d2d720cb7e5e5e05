/**
 * The web console's view of a console session (src/Console/Session.ts): the
 * page's commands become the session's signed `ConsoleCommand`s (scopes
 * written as the CLI writes them: all, sector-7, cluster-7-4), the status
 * report becomes the rows the page shows. Every command goes through the
 * session, so the system verifies the orchestrator's signature on commands
 * from the page exactly as on commands from the CLI.
 *
 * @module
 */
import { Effect, Exit } from "effect"
import * as Cause from "effect/Cause"
import * as Result from "effect/Result"
import { type ConsoleCommand, type ConsoleScope, defaultSample, parseScope } from "./Command.ts"
import type { ConsoleError, ConsoleSession } from "./Session.ts"
import type { StatusReport } from "./Status.ts"
import type { WebBackend, WebStatus } from "./Web.ts"
import { type WebCommand, WebBadRequest, WebCommandFailed } from "./WebRequest.ts"

const statusOfError = (e: ConsoleError): 409 | 502 | 504 =>
  e._tag === "ConsoleTimeout" ? 504 : e._tag === "ConsoleBusError" ? 502 : 409

const failed = (e: ConsoleError): WebCommandFailed => {
  // CommandFailed carries the system's own tag (NotFrozen, ScopeOutOfRange, ...)
  const tag = e._tag === "CommandFailed" ? e.tag : e._tag
  const reason = e._tag === "CommandFailed" ? e.reason : e.message
  return new WebCommandFailed({ tag, reason, status: statusOfError(e) })
}

const scopeAt = (raw: string | undefined, where: string): Result.Result<ConsoleScope, WebBadRequest> => {
  const r = parseScope(raw ?? "all", where)
  return Result.isSuccess(r) ? Result.succeed(r.success) : Result.fail(new WebBadRequest({ where, problem: r.failure.message }))
}

/** The session's command for a page command; a scope that does not parse is a `WebBadRequest` at its field. */
export const toConsoleCommand = (
  c: WebCommand,
  parseLine: ConsoleSession["parseLine"],
): Result.Result<ConsoleCommand, WebBadRequest | WebCommandFailed> => {
  const scoped = (tag: "Status" | "Freeze" | "Thaw" | "Heal", raw: string | undefined, where: string) =>
    Result.map(scopeAt(raw, where), (scope): ConsoleCommand => ({ _tag: tag, scope }))
  switch (c.command) {
    case "status":
      return scoped("Status", c.scope, "body.scope")
    case "freeze":
      return scoped("Freeze", c.scope, "body.scope")
    case "thaw":
      return scoped("Thaw", c.scope, "body.scope")
    case "heal":
      return scoped("Heal", c.target, "body.target")
    case "broadcast":
      return Result.succeed({ _tag: "Broadcast", message: c.message })
    case "ask":
      return Result.map(scopeAt(c.scope, "body.scope"), (scope): ConsoleCommand => ({ _tag: "Ask", question: c.question, sample: c.sample ?? defaultSample, scope }))
    case "delegate":
      return Result.map(scopeAt(c.to, "body.to"), (to): ConsoleCommand => ({ _tag: "Delegate", task: c.task, to }))
    case "say": {
      const r = parseLine(c.line)
      return Result.isSuccess(r) ? Result.succeed(r.success) : Result.fail(new WebCommandFailed({ tag: r.failure._tag, reason: r.failure.message, status: 422 }))
    }
  }
}

/** The page's rows for a status report. */
export const toWebStatus = (r: StatusReport): WebStatus => {
  const all = r.clusters.total
  const frozen = r.clusters.frozen
  return {
    frozen: all > 0 && frozen === all,
    badge: frozen === 0 ? "LIVE" : frozen === all ? "FROZEN" : `${frozen}/${all} CLUSTERS FROZEN`,
    box: r.box,
    aggregate: {
      sum: r.aggregate.sum,
      rounds: r.aggregate.round,
      "held (frozen)": r.aggregate.held,
      refused: r.aggregate.refused,
    },
    tree: {
      agents: r.agents.total,
      active: r.agents.active,
      offline: r.agents.offline,
      quarantined: r.agents.quarantined,
      slow: r.agents.slow,
      "routed around": r.agents.avoided,
      sectors: `${r.sectors.healthy}/${r.sectors.total} healthy`,
      clusters: r.clusters.total,
      "frozen clusters": frozen,
      "mean impedance (ms)": r.meanImpedanceMs,
      mode: r.mode,
      "commands rejected": r.commandsRejected,
    },
    sectors: r.sectorRows.map((s) => ({
      sector: s.sector,
      agents: s.agents,
      active: s.active,
      slow: s.slow,
      quarantined: s.quarantined,
      "open breakers": s.openBreakers,
      "frozen clusters": s.frozenClusters,
      healthy: s.healthy,
    })),
    breakers: r.breakers.map((b) => ({ cluster: b.cluster, circuit: b.circuit, offline: b.offline })),
    conflicts: [{ "conflicts logged": r.conflicts, "agents quarantined": r.agents.quarantined }],
  }
}

const runExit = async <A>(e: Effect.Effect<A, ConsoleError>): Promise<Result.Result<A, WebCommandFailed>> => {
  const exit = await Effect.runPromiseExit(e)
  if (Exit.isSuccess(exit)) return Result.succeed(exit.value)
  const err = Cause.findErrorOption(exit.cause)
  if (err._tag === "Some") return Result.fail(failed(err.value))
  return Result.fail(new WebCommandFailed({ tag: "Defect", reason: Cause.pretty(exit.cause), status: 500 }))
}

/** A `WebBackend` that drives `session`. */
export const sessionBackend = (session: ConsoleSession): WebBackend => ({
  status: async () => {
    const r = await runExit(session.status)
    if (Result.isFailure(r)) throw r.failure
    return toWebStatus(r.success)
  },
  run: async (c) => {
    const command = toConsoleCommand(c, session.parseLine)
    if (Result.isFailure(command)) return Result.fail(command.failure)
    return Result.map(await runExit(session.run(command.success)), (reply) => reply.text)
  },
})
