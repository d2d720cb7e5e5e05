/**
 * The coordinator processes of a multi-process run are resources of the
 * run's scope (src/Tree/ProcessGroup.ts `spawnScoped`, src/Tree/Process.ts
 * `treeMultiProcess`): interrupting the run mid-round, or a setup that times
 * out, leaves no child running — a child that ignores both the parent's
 * `stop` and SIGTERM is SIGKILLed. Checked by pid on a real nats-server.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Exit, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { CoordinatorProcessFailed, treeMultiProcess } from "../../src/Tree/Process.ts"
import { sleep } from "../Net/helpers.ts"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return true
  }
}

describe("coordinator processes as scoped resources", () => {
  let server: NatsServerHandle | undefined
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false })
  }, 30_000)
  afterAll(async () => {
    await server?.stop()
  })

  it("interrupting the run mid-round stops every coordinator process (by pid) and ends as interrupted", async () => {
    const pids: number[] = []
    let rounds = 0
    const fiber = Effect.runFork(
      Effect.scoped(
        treeMultiProcess({
          agents: 2000,
          branching: 5,
          rounds: 1_000_000,
          servers: server!.url,
          prefix: "scopeint",
          onSpawn: (_, pid) => void pids.push(pid),
          onRound: () => void rounds++,
        }),
      ),
    )
    try {
      const deadline = Date.now() + 30_000
      while (rounds < 3 && Date.now() < deadline) await sleep(20)
      expect(rounds).toBeGreaterThanOrEqual(3)
      expect(pids.length).toBeGreaterThanOrEqual(2)
      for (const pid of pids) expect(alive(pid)).toBe(true)
      const exit = await Effect.runPromise(Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))))
      expect(Exit.isFailure(exit) && Cause.hasInterrupts(exit.cause)).toBe(true)
      // the scope has closed: nothing it spawned is running
      for (const pid of pids) expect(alive(pid)).toBe(false)
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL")
    }
  })

  it("children that never get ready and ignore SIGTERM: the run fails with a typed timeout and they are SIGKILLed", async () => {
    // a stand-in for node that records its pid, ignores SIGTERM and never says `ready`
    const dir = mkdtempSync(join(tmpdir(), "hydrogen-stuck-"))
    const pidFile = join(dir, "pids")
    const fakeNode = join(dir, "node")
    writeFileSync(fakeNode, `#!/bin/sh\ntrap '' TERM\necho $$ >> ${pidFile}\nwhile :; do sleep 0.05; done\n`)
    chmodSync(fakeNode, 0o755)
    const pids = (): number[] => {
      try {
        return readFileSync(pidFile, "utf8").split("\n").filter((l) => l !== "").map(Number)
      } catch {
        return []
      }
    }
    try {
      const exit = await Effect.runPromiseExit(
        Effect.scoped(treeMultiProcess({ agents: 2000, branching: 5, rounds: 1, servers: server!.url, prefix: "scopestuck", nodePath: fakeNode, readyTimeoutMs: 1_500 })),
      )
      const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
      expect(error).toBeInstanceOf(CoordinatorProcessFailed)
      expect((error as CoordinatorProcessFailed).detail).toMatch(/timed out after 1500 ms waiting for every coordinator process to be ready/)
      expect(pids().length).toBeGreaterThanOrEqual(2)
      for (const pid of pids()) expect(alive(pid)).toBe(false)
    } finally {
      for (const pid of pids()) if (alive(pid)) process.kill(pid, "SIGKILL")
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
