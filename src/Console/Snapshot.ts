/**
 * Freeze's state on disk (seed 002 Part 7.1: "State preserved to
 * /mesh/frozen/…"): one JSON file per freeze in the state directory (0700),
 * written atomically with mode 0600, holding the frozen clusters' values.
 * Thaw reads each file back, decodes it with `SnapshotFile` and checks it
 * against the in-memory snapshot; a missing, unreadable, malformed or
 * different file is a `SnapshotError` naming the file and field, and the
 * clusters stay frozen (their held reports stay held).
 *
 * @module
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"
import type { MeshShape } from "../Mesh/Topology.ts"
import { writeFileAtomic } from "../Trust/Identity.ts"

const count = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))

export const SnapshotFile = Schema.Struct({
  version: Schema.Literal(1),
  frozenAt: Schema.Finite,
  scope: Schema.String,
  shape: Schema.Struct({ sectors: count, clustersPerSector: count, agentsPerCluster: count }),
  clusters: Schema.Array(Schema.Struct({ cluster: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), values: Schema.Array(Schema.Finite) })),
})
export type SnapshotFile = typeof SnapshotFile.Type

/** A preserved state that cannot be written, read, decoded, or does not match. */
export class SnapshotError extends Data.TaggedError("SnapshotError")<{ readonly file: string; readonly where: string; readonly problem: string }> {
  override get message(): string {
    return `frozen state ${this.file}: ${this.where}: ${this.problem}`
  }
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Writes the frozen clusters' values; the file's path. */
export const writeSnapshot = (
  dir: string,
  scope: string,
  shape: MeshShape,
  clusters: ReadonlyArray<{ readonly cluster: number; readonly values: ArrayLike<number> }>,
  now: number,
): Result.Result<string, SnapshotError> => {
  const file = path.join(dir, `frozen-${scope}-${new Date(now).toISOString().replace(/[:.]/g, "-")}-${process.pid}-${Math.floor(Math.random() * 1e9)}.json`)
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (e) {
    return Result.fail(new SnapshotError({ file: dir, where: "directory", problem: (e as Error).message }))
  }
  const body: SnapshotFile = { version: 1, frozenAt: now, scope, shape, clusters: clusters.map((c) => ({ cluster: c.cluster, values: Array.from(c.values) })) }
  const w = writeFileAtomic(file, JSON.stringify(body), 0o600)
  return Result.isSuccess(w) ? Result.succeed(file) : Result.fail(new SnapshotError({ file, where: "write", problem: w.failure.message }))
}

/** Reads and decodes a file written by `writeSnapshot` for a mesh of `shape`. */
export const readSnapshot = (file: string, shape: MeshShape): Result.Result<SnapshotFile, SnapshotError> => {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"))
  } catch (e) {
    return Result.fail(new SnapshotError({ file, where: "(file)", problem: (e as Error).message }))
  }
  const r = Schema.decodeUnknownResult(SnapshotFile)(raw, { errors: "all", onExcessProperty: "error" })
  if (Result.isFailure(r)) {
    const first = formatIssues(r.failure.issue).issues[0]
    const where = first?.path !== undefined && first.path.length > 0 ? first.path.map(String).join(".") : "(root)"
    return Result.fail(new SnapshotError({ file, where, problem: first?.message ?? "invalid" }))
  }
  const s = r.success
  if (s.shape.sectors !== shape.sectors || s.shape.clustersPerSector !== shape.clustersPerSector || s.shape.agentsPerCluster !== shape.agentsPerCluster) {
    return Result.fail(new SnapshotError({ file, where: "shape", problem: "not this mesh's shape" }))
  }
  return Result.succeed(s)
}
