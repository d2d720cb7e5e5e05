import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { afterEach, describe, expect, it } from "vitest"
import { everywhere } from "../../src/Console/Command.ts"
import { readSnapshot } from "../../src/Console/Snapshot.ts"
import { failureOf, withSession } from "./helpers.ts"
import { runMain } from "../Cli/run.ts"

const shape = { sectors: 3, clustersPerSector: 2, agentsPerCluster: 5 }
const dirs: Array<string> = []
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "hydrogen-console-"))
  dirs.push(d)
  return path.join(d, "frozen")
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const fileIn = (text: string): string => {
  const m = /State preserved to (\S+) /.exec(text)
  if (m === null) throw new Error(`no file in ${JSON.stringify(text)}`)
  return m[1]!
}

describe("freeze preserves the frozen state on disk; thaw reads it back", () => {
  it("the file is 0600 in a 0700 directory, decodes with its schema, holds the frozen values; thaw checks it", () => {
    const dir = tmp()
    return withSession({ system: { shape, seed: 1, stateDir: dir } }, (s) =>
      Effect.gen(function* () {
        yield* s.run({ _tag: "Advance", rounds: 2 })
        const f = yield* s.run({ _tag: "Freeze", scope: { kind: "sector", sector: 2 } })
        const file = fileIn(f.text)
        expect(path.dirname(file)).toBe(dir)
        expect(fs.statSync(file).mode & 0o777).toBe(0o600)
        expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
        const snap = Result.getOrThrow(readSnapshot(file, shape))
        expect(snap.scope).toBe("sector-2")
        expect(snap.clusters.map((c) => c.cluster)).toEqual([2, 3])
        expect(snap.clusters.every((c) => c.values.length === 5)).toBe(true)
        const a = yield* s.run({ _tag: "Advance", rounds: 1 })
        const t = yield* s.run({ _tag: "Thaw", scope: { kind: "sector", sector: 2 } })
        expect(t.figures).toMatchObject({ files: 1, clusters: 2, applied: a.figures["held"] })
        expect(t.text).toContain("1 preserved file read back and matched")
      }))
  })

  it("a preserved file changed on disk blocks thaw with SnapshotError naming the cluster; nothing thaws and nothing held is lost", () => {
    const dir = tmp()
    return withSession({ system: { shape, seed: 2, stateDir: dir } }, (s) =>
      Effect.gen(function* () {
        yield* s.run({ _tag: "Advance", rounds: 1 })
        const file = fileIn((yield* s.run({ _tag: "Freeze", scope: everywhere })).text)
        const held = (yield* s.run({ _tag: "Advance", rounds: 2 })).figures["held"]!
        const original = fs.readFileSync(file, "utf8")
        const body = JSON.parse(original)
        body.clusters[4].values[0] += 1
        fs.writeFileSync(file, JSON.stringify(body))
        const e = yield* failureOf(s.run({ _tag: "Thaw", scope: everywhere }))
        expect(e).toMatchObject({ _tag: "CommandFailed", tag: "SnapshotError" })
        expect(e.message).toContain("clusters[cluster=4]: differs from the state frozen in memory")
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(original), version: 2 }))
        const v = yield* failureOf(s.run({ _tag: "Thaw", scope: everywhere }))
        expect(v.message).toMatch(/: version: /)
        const still = yield* s.status
        expect(still.clusters.frozen).toBe(6)
        expect(still.aggregate.held).toBe(held)
        fs.writeFileSync(file, original)
        const t = yield* s.run({ _tag: "Thaw", scope: everywhere })
        expect(t.figures).toMatchObject({ clusters: 6, applied: held, mismatched: 0 })
      }))
  })

  it("a state directory that cannot be made refuses the freeze: nothing frozen", () => {
    const dir = tmp()
    fs.mkdirSync(path.dirname(dir), { recursive: true })
    fs.writeFileSync(dir, "a file, not a directory")
    return withSession({ system: { shape, seed: 1, stateDir: dir } }, (s) =>
      Effect.gen(function* () {
        const e = yield* failureOf(s.run({ _tag: "Freeze", scope: everywhere }))
        expect(e).toMatchObject({ _tag: "CommandFailed", tag: "SnapshotError" })
        expect((yield* s.status).clusters.frozen).toBe(0)
      }))
  })

  it("hydrogen console --state-dir: freeze writes the file, thaw reads it back", async () => {
    const dir = tmp()
    const r = await runMain(["console", "freeze cluster-1-2; advance 1; thaw cluster-1-2", "--state-dir", dir, "--sectors", "2", "--clusters", "2", "--agents-per-cluster", "4"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(fileIn(r.out).startsWith(`${dir}/frozen-cluster-1-2-`)).toBe(true)
    expect(r.out).toContain("1 preserved file read back and matched")
  })
})
