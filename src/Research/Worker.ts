/**
 * The worker side of an isolated researcher (Isolation.ts): decodes what it
 * was started with, builds the named researcher over its own sandbox, says
 * Ready, streams each tool call's audit record as the call ends (so the
 * records made before a crash or a timeout still reach the coordinator),
 * and posts the answer, the typed failure or the defect as its last word.
 *
 * @module
 */
import { Cause, Effect, Exit, Schema } from "effect"
import * as Result from "effect/Result"
import { parentPort, workerData } from "node:worker_threads"
import type { Task } from "./Researcher.ts"
import { Sandbox } from "./Sandbox.ts"
import { type FromWorker, issuePath, researcherOf, WorkerInput } from "./WorkerRoster.ts"

const tools = ["readFile", "grepSearch", "listFiles"] as const

/** `sandbox`, with `flush` run after each tool call ends. */
const tapped = (sandbox: Sandbox, flush: () => void): Sandbox =>
  new Proxy(sandbox, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target)
      if (typeof v !== "function") return v
      const method = (v as (...a: ReadonlyArray<unknown>) => unknown).bind(target)
      if (!(tools as ReadonlyArray<PropertyKey>).includes(prop)) return method
      return (args: unknown) => (method(args) as Effect.Effect<unknown, unknown>).pipe(Effect.ensuring(Effect.sync(flush)))
    },
  })

const run = async (port: NonNullable<typeof parentPort>): Promise<void> => {
  // The thread never ends by itself: a researcher waiting on nothing would let the event loop
  // drain, so it stays alive (a hang stays a hang, as in-process) until the coordinator
  // terminates it after its last word; an 'exit' the coordinator sees is then always early.
  setInterval(() => {}, 1 << 30)
  const post = (m: FromWorker): void => port.postMessage(m)
  const input = Schema.decodeUnknownResult(WorkerInput)(workerData)
  if (Result.isFailure(input)) return post({ _tag: "Failed", reason: `worker input: ${issuePath(input.failure.issue, "(input)")} is malformed` })
  const { spec, root, task } = input.success
  const made = await Effect.runPromise(Effect.result(Sandbox.make({ root, researcher: spec.id })))
  if (Result.isFailure(made)) return post({ _tag: "Failed", reason: `sandbox: ${made.failure.detail}` })
  const sandbox = made.success
  let sent = 0
  const flush = () => {
    for (const all = sandbox.audit; sent < all.length; sent++) {
      const record = all[sent]!
      try {
        post({ _tag: "Audit", record })
      } catch {
        post({ _tag: "Audit", record: { ...record, args: String(record.args) } }) // args that cannot be cloned
      }
    }
  }
  const researcher = researcherOf(spec)
  post({ _tag: "Ready" })
  const ran = await Effect.runPromiseExit(Effect.suspend(() => researcher.research(task as Task, tapped(sandbox, flush))))
  flush()
  if (Exit.isSuccess(ran)) {
    try {
      post({ _tag: "Answered", answer: ran.value })
    } catch (e) {
      post({ _tag: "Unsendable", reason: String(e).slice(0, 500) })
    }
    return
  }
  const failure = ran.cause.reasons.find(Cause.isFailReason)
  post(failure !== undefined ? { _tag: "Failed", reason: failure.error.reason } : { _tag: "Crashed", reason: String(Cause.squash(ran.cause)).slice(0, 4000) })
}

if (parentPort !== null) await run(parentPort)
