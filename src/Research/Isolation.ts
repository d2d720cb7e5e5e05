/**
 * SCATTER with every researcher in its own worker thread (seed 004,
 * Property 2: a failing researcher never affects another; no shared state).
 *
 * Each researcher of each round gets a fresh worker (Worker.ts), built from a
 * `ResearcherSpec` (functions cannot cross threads), with its own sandbox and
 * a V8 heap limit (`resourceLimits`). Its deadline is kept here, outside the
 * thread: a researcher that busy-loops is terminated, not asked to stop. The
 * clock starts when the worker says Ready (modules loaded, sandbox open);
 * start-up has its own, larger bound, so machine load spent loading code is
 * not charged to the research. Whatever a worker posts is decoded
 * (WorkerRoster.ts `FromWorker`): a malformed message is that researcher's
 * Malformed outcome and ends its worker. Its stdout and stderr are captured,
 * never written to the coordinator's.
 *
 * Heap limits bound the JS heap; memory outside it (large ArrayBuffers,
 * native allocations) is not capped by V8's limits. Audit records are what
 * the thread reports: the sandbox and the researcher share it, so a hostile
 * researcher could forge records (decoded, and at most `maxAuditRecords`),
 * but never another researcher's.
 *
 * @module
 */
import { Data, Effect, Schema } from "effect"
import * as Result from "effect/Result"
import { Worker } from "node:worker_threads"
import { answerOutcome, type CrashKind, type MissionOptions, type Outcome, type Roster } from "./Protocol.ts"
import type { Task } from "./Researcher.ts"
import type { AuditRecord } from "./Sandbox.ts"
import { FromWorker, issuePath, type ResearcherSpec, type WorkerInput } from "./WorkerRoster.ts"

export interface IsolationOptions {
  /** Each worker's old-generation heap limit in MiB (default 128). */
  readonly memoryMb?: number
  /** How long a worker may take to load and open its sandbox before it is terminated (default 30 s). */
  readonly startTimeoutMs?: number
  /** Threads alive at once (default 64); a larger roster runs in waves, each researcher still on its own clock. */
  readonly maxThreads?: number
  /** Called once per researcher per round, when it has settled, with the audit records its worker reported. */
  readonly onAudit?: (round: number, researcher: string, records: ReadonlyArray<AuditRecord>) => void
}

/** An isolation setting is out of range (names it). */
export class BadIsolation extends Data.TaggedError("BadIsolation")<{ readonly field: string; readonly problem: string }> {
  override get message(): string {
    return `isolation: ${this.field}: ${this.problem}`
  }
}

export const isolationDefaults = { memoryMb: 128, startTimeoutMs: 30_000, maxThreads: 64 } as const
type Limits = Required<Omit<IsolationOptions, "onAudit" | "maxThreads">>

const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./Worker.ts" : "./Worker.js", import.meta.url)

/** What one worker ended with, and the audit records it sent on the way. */
export interface Settled {
  readonly outcome: Outcome
  readonly records: ReadonlyArray<AuditRecord>
}

const stderrTail = 2000
/** More audit records than this in one round is a flood, not research: Malformed. */
export const maxAuditRecords = 10_000
const decodeFromWorker = Schema.decodeUnknownResult(FromWorker)

/** Runs one researcher in a fresh worker under `timeoutMs` from its Ready; never fails. */
export const runIsolated = (spec: ResearcherSpec, task: Task, root: string, timeoutMs: number, o: Limits): Effect.Effect<Settled> =>
  Effect.callback<Settled>((resume) => {
    const id = spec.id
    const records: AuditRecord[] = []
    let settled = false
    let ready = false
    let stderr = ""
    const input: WorkerInput = { spec, root, task }
    let worker: Worker
    try {
      worker = new Worker(workerUrl, {
        workerData: input,
        resourceLimits: { maxOldGenerationSizeMb: o.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(1, o.memoryMb >> 2)) },
        stdout: true,
        stderr: true,
      })
    } catch (e) {
      resume(Effect.succeed({ outcome: { _tag: "Failed", researcher: id, reason: `worker did not start: ${String(e)}`, toolCalls: 0 }, records }))
      return
    }
    worker.stdout.resume()
    worker.stderr.on("data", (b: Buffer) => void (stderr = (stderr + b.toString("utf8")).slice(-stderrTail)))
    const end = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      worker.removeAllListeners("message")
      // Resumed once the thread is gone, so a finished round leaves no threads behind.
      void worker.terminate().then(() => resume(Effect.succeed({ outcome, records })), () => resume(Effect.succeed({ outcome, records })))
    }
    const crashed = (kind: CrashKind, reason: string) => end({ _tag: "Crashed", researcher: id, kind, reason, toolCalls: records.length })
    let timer = setTimeout(() => end({ _tag: "TimedOut", researcher: id, toolCalls: records.length }), o.startTimeoutMs)
    worker.on("message", (raw: unknown) => {
      const decoded = decodeFromWorker(raw)
      if (Result.isFailure(decoded)) return end({ _tag: "Malformed", researcher: id, field: `reply.${issuePath(decoded.failure.issue, "(message)")}`, toolCalls: records.length })
      const m = decoded.success
      switch (m._tag) {
        case "Ready":
          // A second Ready would restart the clock: a researcher cannot buy itself time.
          if (ready) return end({ _tag: "Malformed", researcher: id, field: "reply (Ready twice)", toolCalls: records.length })
          ready = true
          clearTimeout(timer)
          timer = setTimeout(() => end({ _tag: "TimedOut", researcher: id, toolCalls: records.length }), timeoutMs)
          return
        case "Audit":
          if (records.length >= maxAuditRecords) return end({ _tag: "Malformed", researcher: id, field: `reply (over ${maxAuditRecords} audit records)`, toolCalls: records.length })
          records.push(m.record as AuditRecord)
          return
        case "Answered":
          return end(answerOutcome(id, m.answer, records.length))
        case "Failed":
          return end({ _tag: "Failed", researcher: id, reason: m.reason, toolCalls: records.length })
        case "Crashed":
          return crashed("threw", m.reason)
        case "Unsendable":
          return end({ _tag: "Malformed", researcher: id, field: "answer (cannot cross threads)", toolCalls: records.length })
      }
    })
    worker.on("error", (e: Error & { code?: string }) =>
      e.code === "ERR_WORKER_OUT_OF_MEMORY" ? crashed("out-of-memory", `heap limit of ${o.memoryMb} MiB reached`) : crashed("threw", `uncaught: ${e.message}`))
    worker.on("exit", (code) => crashed("exited", `its thread exited with code ${code} before answering${stderr.trim() === "" ? "" : `; stderr: ${stderr.trim()}`}`))
    return Effect.sync(() => {
      settled = true
      clearTimeout(timer)
      void worker.terminate()
    })
  })

const checkIsolation = (o: Limits & { maxThreads: number }): BadIsolation | undefined => {
  if (!Number.isSafeInteger(o.maxThreads) || o.maxThreads < 1 || o.maxThreads > 1024) return new BadIsolation({ field: "maxThreads", problem: `${o.maxThreads} is not an integer in [1, 1024]` })
  if (!Number.isSafeInteger(o.memoryMb) || o.memoryMb < 16 || o.memoryMb > 4096) return new BadIsolation({ field: "memoryMb", problem: `${o.memoryMb} is not an integer in [16, 4096]` })
  if (!Number.isSafeInteger(o.startTimeoutMs) || o.startTimeoutMs < 1 || o.startTimeoutMs > 300_000) return new BadIsolation({ field: "startTimeoutMs", problem: `${o.startTimeoutMs} is not an integer in [1, 300000]` })
  return undefined
}

/** A roster whose SCATTER runs each researcher in its own worker thread, all concurrently. */
export const isolatedRoster = (specs: ReadonlyArray<ResearcherSpec>, options: IsolationOptions = {}): Result.Result<Roster, BadIsolation> => {
  const o = {
    memoryMb: options.memoryMb ?? isolationDefaults.memoryMb,
    startTimeoutMs: options.startTimeoutMs ?? isolationDefaults.startTimeoutMs,
    maxThreads: options.maxThreads ?? isolationDefaults.maxThreads,
  }
  const bad = checkIsolation(o)
  if (bad !== undefined) return Result.fail(bad)
  return Result.succeed({
    ids: specs.map((s) => s.id),
    scatter: (task: Task, mission: MissionOptions) =>
      Effect.forEach(specs, (spec) =>
        Effect.map(runIsolated(spec, task, mission.root, mission.timeoutMs, o), (s) => {
          options.onAudit?.(task.round, spec.id, s.records)
          return s.outcome
        }), { concurrency: o.maxThreads }),
  })
}
