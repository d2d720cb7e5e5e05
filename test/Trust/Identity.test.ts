import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Result from "effect/Result"
import { afterEach, describe, expect, it } from "vitest"
import {
  decodeKeyRecord,
  generateIdentity,
  isValidAt,
  KeyStore,
  memoryRegistry,
  parseKeyRecord,
  publicKeyObject,
  writeFileAtomic,
} from "../../src/Trust/Identity.ts"

const dirs: string[] = []
const tempStore = (): KeyStore => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hydrogen-trust-"))
  dirs.push(root)
  return Result.getOrThrow(KeyStore.open(path.join(root, "keys")))
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const modeOf = (p: string): number => fs.statSync(p).mode & 0o777

describe("KeyStore on disk", () => {
  it("creates the directory 0700 and private key files 0600 even under a permissive umask", () => {
    const old = process.umask(0o000)
    try {
      const store = tempStore()
      const id = Result.getOrThrow(store.create("coord-1", "coordinator", 1000))
      expect(modeOf(store.dir)).toBe(0o700)
      expect(modeOf(store.keyPath("coord-1", 0))).toBe(0o600)
      expect(modeOf(store.recordPath("coord-1", 0))).toBe(0o600)
      // the file holds the key that was generated: a signature by it verifies with the record's public key
      const loaded = Result.getOrThrow(store.current("coord-1"))
      const sig = crypto.sign(null, Buffer.from("x"), loaded.privateKey)
      expect(crypto.verify(null, Buffer.from("x"), publicKeyObject(id.record), sig)).toBe(true)
    } finally {
      process.umask(old)
    }
  })

  it("writes atomically: no temp file is left, and a failed write leaves the old file whole", () => {
    const store = tempStore()
    const f = path.join(store.dir, "a.json")
    Result.getOrThrow(writeFileAtomic(f, "old", 0o600))
    Result.getOrThrow(writeFileAtomic(f, "new", 0o600))
    expect(fs.readFileSync(f, "utf8")).toBe("new")
    expect(fs.readdirSync(store.dir)).toEqual(["a.json"])
    // a write into a directory that does not exist fails as a value and touches nothing
    const bad = writeFileAtomic(path.join(store.dir, "missing", "b.json"), "x", 0o600)
    expect(Result.isFailure(bad) && bad.failure._tag).toBe("KeyStoreIoError")
    expect(fs.readFileSync(f, "utf8")).toBe("new")
  })

  it("refuses a private key file that group or others may read", () => {
    const store = tempStore()
    Result.getOrThrow(store.create("agent-7", "agent", 0))
    for (const mode of [0o640, 0o604, 0o644]) {
      fs.chmodSync(store.keyPath("agent-7", 0), mode)
      const r = store.current("agent-7")
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure._tag).toBe("InsecureKeyFile")
        expect(r.failure.message).toContain(mode.toString(8))
      }
    }
    fs.chmodSync(store.keyPath("agent-7", 0), 0o400)
    expect(Result.isSuccess(store.current("agent-7"))).toBe(true)
  })

  it("refuses a record whose public key is not the private key's", () => {
    const store = tempStore()
    Result.getOrThrow(store.create("agent-1", "agent", 0))
    const other = generateIdentity("agent-1", "agent", 0)
    Result.getOrThrow(store.saveRecord(other.record))
    const r = store.current("agent-1")
    expect(Result.isFailure(r) && r.failure._tag === "BadKeyRecord" && r.failure.field).toBe("publicKey")
  })

  it("rotation: the old key verifies until the overlap window ends, then it is refused; its private key is gone", () => {
    const store = tempStore()
    const first = Result.getOrThrow(store.create("orch", "orchestrator", 1_000))
    const { next, retired } = Result.getOrThrow(store.rotate("orch", 5_000, 2_000))
    expect(next.record.revision).toBe(1)
    expect(retired.notAfter).toBe(7_000)
    expect(fs.existsSync(store.keyPath("orch", 0))).toBe(false)
    expect(Result.getOrThrow(store.current("orch")).record.publicKey).toBe(next.record.publicKey)
    const reg = memoryRegistry()
    expect(Result.getOrThrow(store.publishTo(reg))).toBe(2)
    const old = reg.get("orch", 0)!
    expect(old.publicKey).toBe(first.record.publicKey)
    expect(isValidAt(old, 6_999)).toBe(true)
    expect(isValidAt(old, 7_000)).toBe(false)
    expect(isValidAt(reg.get("orch", 1)!, 7_000)).toBe(true)
    // a compromised key: window 0, refused from the rotation on
    const again = Result.getOrThrow(store.rotate("orch", 8_000, 0))
    expect(isValidAt(again.retired, 8_000)).toBe(false)
  })

  it("loading a store with a bad record file fails naming the file and the field", () => {
    const store = tempStore()
    const id = generateIdentity("agent-2", "agent", 0)
    fs.writeFileSync(store.recordPath("agent-2", 0), JSON.stringify({ ...id.record, created: -1 }), { mode: 0o600 })
    const r = store.records()
    expect(Result.isFailure(r)).toBe(true)
    if (Result.isFailure(r) && r.failure._tag === "BadKeyRecord") {
      expect(r.failure.field).toBe("created")
      expect(r.failure.source).toBe(store.recordPath("agent-2", 0))
    } else throw new Error("expected BadKeyRecord")
  })
})

describe("key record schema", () => {
  const good = generateIdentity("coord-3", "coordinator", 10).record

  it("decodes a good record and its JSON", () => {
    expect(Result.getOrThrow(decodeKeyRecord(good, "t"))).toEqual(good)
    expect(Result.getOrThrow(parseKeyRecord(JSON.stringify({ ...good, notAfter: 20 }), "t")).notAfter).toBe(20)
  })

  it.each([
    ["id", { ...good, id: "../etc" }],
    ["id", { ...good, id: "" }],
    ["role", { ...good, role: "root" }],
    ["publicKey", { ...good, publicKey: "short" }],
    ["created", { ...good, created: 1.5 }],
    ["notAfter", { ...good, notAfter: -3 }],
    ["revision", { ...good, revision: 2 ** 32 }],
    ["revision", { id: good.id, role: good.role, publicKey: good.publicKey, created: 0 }],
  ])("a bad %s is a BadKeyRecord naming it", (field, raw) => {
    const r = decodeKeyRecord(raw, "kv:keys.coord-3")
    expect(Result.isFailure(r) && r.failure.field).toBe(field)
    expect(Result.isFailure(r) && r.failure.source).toBe("kv:keys.coord-3")
  })

  it("bad JSON is a BadKeyRecord, not an exception", () => {
    const r = parseKeyRecord("{not json", "f")
    expect(Result.isFailure(r) && r.failure.field).toBe("(json)")
  })
})
