/**
 * Admission control for a tree run: before anything is allocated or
 * connected, estimate what the configuration needs — bus connections (each
 * a file descriptor on NATS) and heap bytes — and refuse, with a typed error
 * naming the resource, what is needed and what is available, a configuration
 * this machine cannot hold. Without it, 10^7 agents at k = 2 died out of heap
 * with a native stack trace and 10^6 agents at k = 10 over NATS (a
 * connection per coordinator) hit EMFILE and hung reconnecting.
 *
 * The heap model is per object kind, calibrated on an in-process run (10^5
 * and 10^6 agents at k = 2 and 10: peak heap over the run, including the
 * messages in flight): 24 bytes per agent (a Float64 value and a Uint32
 * version, plus a round's scratch), 96 bytes per local coordinator (the
 * `LocalLevel` columns), 4 KiB per `Coordinator` object (its fields, a
 * latest-per-child map of k slots, and its share of the round's messages)
 * plus 80 bytes per child slot, and 256 KiB per NATS connection (client
 * buffers). It is an estimate, deliberately on the high side; what it must
 * get right is the order of magnitude, so that absurd configurations are
 * refused before they crash and ordinary ones are not.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs"
import { getHeapStatistics } from "node:v8"
import { Data } from "effect"
import * as Result from "effect/Result"
import { coordinatorsPerLevel } from "../Scale/Communication.ts"

/** A configuration this machine cannot hold. */
export class AdmissionRefused extends Data.TaggedError("AdmissionRefused")<{
  readonly resource: "file descriptors" | "heap"
  /** Which process: "this process", or a coordinator process of the multi-process mode. */
  readonly process: string
  readonly needed: number
  readonly available: number
  readonly detail: string
}> {
  override get message(): string {
    const fmt = this.resource === "heap" ? mib : (x: number) => String(x)
    return `refused before starting: ${this.process} would need ${fmt(this.needed)} ${this.resource}, ${fmt(this.available)} available (${this.detail})`
  }
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB of`

/** What this process has. */
export interface Resources {
  /** Soft limit on open files (`ulimit -n`); undefined where it cannot be read. */
  readonly fdLimit: number | undefined
  /** File descriptors open now. */
  readonly fdInUse: number
  /** V8's heap limit and what is used now, bytes. */
  readonly heapLimit: number
  readonly heapUsed: number
}

/** The soft "Max open files" of `/proc/self/limits` (Linux), or undefined. */
export const parseOpenFilesLimit = (limits: string): number | undefined => {
  const line = limits.split("\n").find((l) => l.startsWith("Max open files"))
  const m = line === undefined ? null : /^Max open files\s+(\S+)/.exec(line)
  if (m === null) return undefined
  return m[1] === "unlimited" ? Number.POSITIVE_INFINITY : /^[0-9]+$/.test(m[1]!) ? Number(m[1]) : undefined
}

/** This process's limits and use (Linux /proc; elsewhere no file-descriptor limit is known). */
export const machineResources = (): Resources => {
  let fdLimit: number | undefined
  let fdInUse = 0
  try {
    fdLimit = parseOpenFilesLimit(readFileSync("/proc/self/limits", "utf8"))
    fdInUse = readdirSync("/proc/self/fd").length
  } catch {
    fdLimit = undefined
  }
  const h = getHeapStatistics()
  return { fdLimit, fdInUse, heapLimit: h.heap_size_limit, heapUsed: h.used_heap_size }
}

/** Bytes per item of the heap model (see the module doc). */
export const heapModel = { agent: 24, local: 96, coordinator: 4096, childSlot: 80, connection: 256 * 1024 } as const

/** File descriptors kept free for everything else (Node itself, logs, a nats-server child). */
export const fdReserve = 64

/** What runs in one process of a configuration. */
export interface ProcessLoad {
  readonly name: string
  /** Agents hosted (their values live here). */
  readonly agents: number
  /** Local coordinators held as `LocalLevel` columns. */
  readonly locals: number
  /** `Coordinator` objects, and their child slots in all. */
  readonly coordinators: number
  readonly childSlots: number
  /** Bus connections opened (file descriptors on NATS). */
  readonly connections: number
}

export interface Estimate extends ProcessLoad {
  readonly heapBytes: number
  readonly fileDescriptors: number
}

/** Heap and descriptors one process needs for `load`; `socketBus`: each connection is a socket. */
export const estimateLoad = (load: ProcessLoad, socketBus: boolean): Estimate => ({
  ...load,
  heapBytes:
    load.agents * heapModel.agent +
    load.locals * heapModel.local +
    load.coordinators * heapModel.coordinator +
    load.childSlots * heapModel.childSlot +
    (socketBus ? load.connections * heapModel.connection : 0),
  fileDescriptors: socketBus ? load.connections : 0,
})

/** Refuses `e` when it does not fit in `r` (heap: the limit less what is in use; descriptors: the soft limit less those open and a reserve). */
export const admitLoad = (e: Estimate, r: Resources): Result.Result<Estimate, AdmissionRefused> => {
  const refuse = (resource: AdmissionRefused["resource"], needed: number, available: number, detail: string) =>
    Result.fail(new AdmissionRefused({ resource, process: e.name, needed, available, detail }))
  if (r.fdLimit !== undefined && e.fileDescriptors > 0) {
    const available = Math.max(0, r.fdLimit - r.fdInUse - fdReserve)
    if (e.fileDescriptors > available)
      return refuse(
        "file descriptors",
        e.fileDescriptors,
        available,
        `${e.connections} bus connections; the open-files limit is ${r.fdLimit} (ulimit -n). Fewer connections (clients per level, or the multi-process mode) or a higher limit`,
      )
  }
  const available = Math.max(0, r.heapLimit - r.heapUsed)
  if (e.heapBytes > available)
    return refuse(
      "heap",
      e.heapBytes,
      available,
      `${e.agents} agents, ${e.locals} local coordinators, ${e.coordinators} coordinator objects; a larger branching factor, fewer agents, or node --max-old-space-size`,
    )
  return Result.succeed(e)
}

/** The shape of a run, as the entry points describe it. */
export type TreeConfig =
  | {
      /** `runTree` / `Tree.start`: locals as columns, one `Coordinator` per upper position. */
      readonly mode: "tree"
      readonly agents: number
      readonly branching: number
      /** Bus connections it will open. */
      readonly connections: number
      readonly socketBus: boolean
    }
  | {
      /** `runTreeMultiProcess`: this process hosts agents and locals; each child one or more upper levels. */
      readonly mode: "multi-process"
      readonly agents: number
      readonly branching: number
      readonly parentConnections: number
      /** Upper levels per child process, e.g. [[2], [3], [4, 5]]. */
      readonly childLevels: ReadonlyArray<ReadonlyArray<number>>
    }
  | {
      /** `ReplicatedTree`: every position, locals included, is `replicas` Coordinators with a connection each. */
      readonly mode: "replicated"
      readonly agents: number
      readonly branching: number
      readonly replicas: number
      readonly socketBus: boolean
    }

/** The load of each process of `c` (this process first). */
export const loadsOf = (c: TreeConfig): ReadonlyArray<{ readonly load: ProcessLoad; readonly socketBus: boolean; readonly here: boolean }> => {
  const per = coordinatorsPerLevel(c.agents, c.branching)
  const upper = per.slice(1)
  const sum = (xs: ReadonlyArray<number>): number => xs.reduce((s, x) => s + x, 0)
  const locals = per.length > 1 ? per[0]! : 0
  // child slots of the coordinators of level l (1-based) = the count at level l − 1 (agents below level 1)
  const slotsOf = (l: number): number => (l === 1 ? c.agents : per[l - 2]!)
  switch (c.mode) {
    case "tree": {
      const coordinators = per.length > 1 ? sum(upper) : 1
      const childSlots = per.length > 1 ? sum(upper.map((_, i) => slotsOf(i + 2))) : 0
      return [{ load: { name: "this process", agents: c.agents, locals, coordinators, childSlots, connections: c.connections }, socketBus: c.socketBus, here: true }]
    }
    case "multi-process": {
      const out = [{ load: { name: "this process", agents: c.agents, locals, coordinators: 0, childSlots: 0, connections: c.parentConnections }, socketBus: true, here: true }]
      for (const levels of c.childLevels) {
        out.push({
          load: { name: `coordinator process of levels ${levels.join(",")}`, agents: 0, locals: 0, coordinators: sum(levels.map((l) => per[l - 1] ?? 0)), childSlots: sum(levels.map(slotsOf)), connections: 1 },
          socketBus: true,
          here: false,
        })
      }
      return out
    }
    case "replicated": {
      const positions = sum(per)
      const childSlots = sum(per.map((_, i) => (i === 0 ? 0 : slotsOf(i + 1))))
      return [
        {
          load: { name: "this process", agents: c.agents, locals: 0, coordinators: positions * c.replicas, childSlots: childSlots * c.replicas, connections: positions * c.replicas },
          socketBus: c.socketBus,
          here: true,
        },
      ]
    }
  }
}

/**
 * Admits `c` or refuses it with the first resource it exceeds. Child
 * processes of the multi-process mode are checked against this process's
 * limits (they run the same Node with the same limits).
 */
export const admit = (c: TreeConfig, r: Resources = machineResources()): Result.Result<ReadonlyArray<Estimate>, AdmissionRefused> => {
  const out: Estimate[] = []
  for (const { load, socketBus, here } of loadsOf(c)) {
    // a child starts empty: its whole heap limit and descriptor limit are available to it
    const res: Resources = here ? r : { ...r, fdInUse: 0, heapUsed: 0 }
    const a = admitLoad(estimateLoad(load, socketBus), res)
    if (Result.isFailure(a)) return Result.fail(a.failure)
    out.push(a.success)
  }
  return Result.succeed(out)
}

/** `admit`, throwing the `AdmissionRefused` (the entry points are Promise-based). */
export const admitOrThrow = (c: TreeConfig, r?: Resources): ReadonlyArray<Estimate> => {
  const a = admit(c, r)
  if (Result.isFailure(a)) throw a.failure
  return a.success
}
