/**
 * Ed25519 identities of the tree's agents, coordinators and orchestrator:
 * key records (the public half, decoded with a schema), a registry of them
 * (in memory; `KeyStore` adds the private halves on disk), and rotation with
 * an overlap window: after `rotate`, the old key still verifies until its
 * `notAfter`, then it is refused; a compromised key is rotated with window 0.
 *
 * On disk (`KeyStore`): the directory is 0700; `<id>.<revision>.key` holds a
 * PKCS#8 PEM private key (0600), `<id>.<revision>.json` its record. Every file
 * is written atomically (temp file, fsync, rename), so a crash leaves the old
 * file or the new one, never half of one. A private key file that the group
 * or others may read is refused (`InsecureKeyFile`): it may have leaked.
 *
 * @module
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

export const Role = Schema.Literals(["agent", "coordinator", "orchestrator"])
export type Role = typeof Role.Type

/** Ids become file names and envelope bytes: ASCII, no path characters, 1..128 bytes. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

const u32 = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 0xffffffff }))
const time = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** The public half of one key revision, as published to the registry. */
export const KeyRecord = Schema.Struct({
  id: Schema.String.check(Schema.isPattern(idPattern)),
  role: Role,
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{43}$/)),
  /** Milliseconds since the epoch. */
  created: time,
  /** The first instant (ms) at which this key no longer verifies; absent while it is current. */
  notAfter: Schema.optionalKey(time),
  revision: u32,
})
export type KeyRecord = typeof KeyRecord.Type

/** A key record (or the JSON holding one) is not valid: `field` names the first bad field. */
export class BadKeyRecord extends Data.TaggedError("BadKeyRecord")<{
  readonly source: string
  readonly field: string
  readonly problem: string
}> {
  override get message(): string {
    return `bad key record in ${this.source}: ${this.field}: ${this.problem}`
  }
}

/** A private key file is readable by group or others (`mode`, octal permission bits). */
export class InsecureKeyFile extends Data.TaggedError("InsecureKeyFile")<{ readonly path: string; readonly mode: number }> {
  override get message(): string {
    return `refusing private key ${this.path}: mode ${this.mode.toString(8).padStart(3, "0")} lets group/others read it (expected 600)`
  }
}

/** A file of the key store could not be read or written. */
export class KeyStoreIoError extends Data.TaggedError("KeyStoreIoError")<{
  readonly path: string
  readonly operation: string
  readonly reason: string
}> {
  override get message(): string {
    return `key store: ${this.operation} ${this.path} failed: ${this.reason}`
  }
}

/** No identity (or no such revision) is known for `id`. */
export class UnknownIdentity extends Data.TaggedError("UnknownIdentity")<{ readonly id: string; readonly revision?: number }> {
  override get message(): string {
    return `unknown identity ${this.id}${this.revision !== undefined ? ` revision ${this.revision}` : ""}`
  }
}

export type IdentityError = BadKeyRecord | InsecureKeyFile | KeyStoreIoError | UnknownIdentity

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes an unknown value as a key record; `source` says where it came from (a file, a KV key). */
export const decodeKeyRecord = (raw: unknown, source: string): Result.Result<KeyRecord, BadKeyRecord> => {
  const decoded = Schema.decodeUnknownResult(KeyRecord)(raw, { errors: "all" })
  if (Result.isSuccess(decoded)) return Result.succeed(decoded.success)
  const first = formatIssues(decoded.failure.issue).issues[0]
  const field = first?.path !== undefined && first.path.length > 0 ? first.path.map(String).join(".") : "(record)"
  return Result.fail(new BadKeyRecord({ source, field, problem: first?.message ?? "invalid" }))
}

/** Decodes a key record from JSON text. */
export const parseKeyRecord = (text: string, source: string): Result.Result<KeyRecord, BadKeyRecord> => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return Result.fail(new BadKeyRecord({ source, field: "(json)", problem: (e as Error).message }))
  }
  return decodeKeyRecord(raw, source)
}

/** Whether a record's key verifies at `now` (ms): created no later, and not past `notAfter`. */
export const isValidAt = (r: KeyRecord, now: number): boolean =>
  r.created <= now && (r.notAfter === undefined || now < r.notAfter)

/** The raw public key of a record as a `KeyObject` (the record was decoded, so it is 32 bytes). */
export const publicKeyObject = (r: KeyRecord): crypto.KeyObject =>
  crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: r.publicKey }, format: "jwk" })

/** One signing identity: its record and its private key. */
export interface Identity {
  readonly record: KeyRecord
  readonly privateKey: crypto.KeyObject
}

/** A fresh key pair for `id` (`revision`, created at `created`). */
export const generateIdentity = (id: string, role: Role, created: number, revision = 0): Identity => {
  if (!idPattern.test(id)) throw new RangeError(`generateIdentity: id ${JSON.stringify(id)} does not match ${idPattern}`)
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519")
  const x = publicKey.export({ format: "jwk" }).x
  if (x === undefined) throw new Error("generateIdentity: node:crypto gave an Ed25519 JWK without x")
  return { record: { id, role, publicKey: x, created, revision }, privateKey }
}

/**
 * Where verifiers find public keys. `put` replaces the record of the same
 * (id, revision): a rotation republishes the old one with its `notAfter`.
 */
export interface KeyRegistry {
  readonly put: (record: KeyRecord) => void
  readonly get: (id: string, revision: number) => KeyRecord | undefined
  readonly revisions: (id: string) => ReadonlyArray<KeyRecord>
}

/** The embedded registry: a map in memory. */
export const memoryRegistry = (): KeyRegistry => {
  const byId = new Map<string, Map<number, KeyRecord>>()
  return {
    put: (r) => {
      let m = byId.get(r.id)
      if (m === undefined) byId.set(r.id, (m = new Map()))
      m.set(r.revision, r)
    },
    get: (id, revision) => byId.get(id)?.get(revision),
    revisions: (id) => [...(byId.get(id)?.values() ?? [])].sort((a, b) => a.revision - b.revision),
  }
}

/** The record with `notAfter` = now + overlap (the old key of a rotation). */
export const retire = (r: KeyRecord, now: number, overlapMs: number): KeyRecord => ({ ...r, notAfter: now + overlapMs })

/** Rotates in memory: a new revision of `current`'s id, and the old record retired after `overlapMs`. */
export const rotateIdentity = (current: Identity, now: number, overlapMs: number): { next: Identity; retired: KeyRecord } => {
  if (current.record.revision === 0xffffffff) throw new RangeError(`rotateIdentity: ${current.record.id} has used every revision`)
  return {
    next: generateIdentity(current.record.id, current.record.role, now, current.record.revision + 1),
    retired: retire(current.record, now, overlapMs),
  }
}

// ---------------------------------------------------------------------------
// On disk

const io = (p: string, operation: string, e: unknown): KeyStoreIoError =>
  new KeyStoreIoError({ path: p, operation, reason: e instanceof Error ? e.message : String(e) })

/** Writes `data` to `file` atomically with `mode`: a temp file in the same directory, fsync, rename, fsync dir. */
export const writeFileAtomic = (file: string, data: string, mode: number): Result.Result<void, KeyStoreIoError> => {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}`
  try {
    const fd = fs.openSync(tmp, "wx", mode)
    try {
      fs.fchmodSync(fd, mode) // the umask may have cleared bits of `mode`; set exactly
      fs.writeFileSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
    const dir = fs.openSync(path.dirname(file), "r")
    try {
      fs.fsyncSync(dir)
    } finally {
      fs.closeSync(dir)
    }
    return Result.succeed(undefined)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    return Result.fail(io(file, "write", e))
  }
}

/** A directory of identities: private keys (0600) and their records, in a 0700 directory. */
export class KeyStore {
  readonly dir: string
  private constructor(dir: string) {
    this.dir = dir
  }

  /** Opens (creating if missing) the store at `dir`, and makes its mode 0700. */
  static open(dir: string): Result.Result<KeyStore, KeyStoreIoError> {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      fs.chmodSync(dir, 0o700)
      return Result.succeed(new KeyStore(dir))
    } catch (e) {
      return Result.fail(io(dir, "create directory", e))
    }
  }

  keyPath(id: string, revision: number): string {
    return path.join(this.dir, `${id}.${revision}.key`)
  }
  recordPath(id: string, revision: number): string {
    return path.join(this.dir, `${id}.${revision}.json`)
  }

  /** Saves a record (atomically, 0600: it is public, but the store stays private). */
  saveRecord(r: KeyRecord): Result.Result<void, KeyStoreIoError> {
    return writeFileAtomic(this.recordPath(r.id, r.revision), JSON.stringify(r), 0o600)
  }

  /** Saves an identity: its private key (0600) and its record. */
  save(identity: Identity): Result.Result<void, KeyStoreIoError> {
    const { id, revision } = identity.record
    const pem = identity.privateKey.export({ format: "pem", type: "pkcs8" }).toString()
    const k = writeFileAtomic(this.keyPath(id, revision), pem, 0o600)
    return Result.isFailure(k) ? Result.fail(k.failure) : this.saveRecord(identity.record)
  }

  /** Every record in the store (any bad file fails the whole load, naming it). */
  records(): Result.Result<ReadonlyArray<KeyRecord>, BadKeyRecord | KeyStoreIoError> {
    let names: string[]
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith(".json")).sort()
    } catch (e) {
      return Result.fail(io(this.dir, "list", e))
    }
    const out: KeyRecord[] = []
    for (const n of names) {
      const p = path.join(this.dir, n)
      let text: string
      try {
        text = fs.readFileSync(p, "utf8")
      } catch (e) {
        return Result.fail(io(p, "read", e))
      }
      const r = parseKeyRecord(text, p)
      if (Result.isFailure(r)) return Result.fail(r.failure)
      if (n !== `${r.success.id}.${r.success.revision}.json`) {
        return Result.fail(new BadKeyRecord({ source: p, field: "id", problem: `file name does not match id/revision` }))
      }
      out.push(r.success)
    }
    return Result.succeed(out)
  }

  /** Publishes every record of the store to `registry`. */
  publishTo(registry: KeyRegistry): Result.Result<number, BadKeyRecord | KeyStoreIoError> {
    const rs = this.records()
    if (Result.isFailure(rs)) return Result.fail(rs.failure)
    for (const r of rs.success) registry.put(r)
    return Result.succeed(rs.success.length)
  }

  /** The newest revision of `id` whose private key is in the store. */
  current(id: string): Result.Result<Identity, IdentityError> {
    const rs = this.records()
    if (Result.isFailure(rs)) return Result.fail(rs.failure)
    const mine = rs.success.filter((r) => r.id === id && fs.existsSync(this.keyPath(id, r.revision)))
    if (mine.length === 0) return Result.fail(new UnknownIdentity({ id }))
    const newest = mine.reduce((a, b) => (b.revision > a.revision ? b : a))
    return this.load(newest)
  }

  /** Loads the private key of `record`, refusing a file that group or others may read. */
  load(record: KeyRecord): Result.Result<Identity, InsecureKeyFile | KeyStoreIoError | BadKeyRecord> {
    const p = this.keyPath(record.id, record.revision)
    try {
      const mode = fs.statSync(p).mode & 0o777
      if ((mode & 0o077) !== 0) return Result.fail(new InsecureKeyFile({ path: p, mode }))
      const privateKey = crypto.createPrivateKey(fs.readFileSync(p, "utf8"))
      if (privateKey.asymmetricKeyType !== "ed25519") {
        return Result.fail(new BadKeyRecord({ source: p, field: "privateKey", problem: `not Ed25519 (${privateKey.asymmetricKeyType})` }))
      }
      const x = crypto.createPublicKey(privateKey).export({ format: "jwk" }).x
      if (x !== record.publicKey) {
        return Result.fail(new BadKeyRecord({ source: p, field: "publicKey", problem: "the record's public key is not this private key's" }))
      }
      return Result.succeed({ record, privateKey })
    } catch (e) {
      return Result.fail(io(p, "load", e))
    }
  }

  /** Generates and saves the first identity of `id`. */
  create(id: string, role: Role, now: number): Result.Result<Identity, KeyStoreIoError> {
    const identity = generateIdentity(id, role, now)
    const s = this.save(identity)
    return Result.isFailure(s) ? Result.fail(s.failure) : Result.succeed(identity)
  }

  /**
   * Rotates `id`: saves a new revision, republishes the old record with
   * `notAfter` = now + overlap, and deletes the old private key (nothing signs
   * with it any more; a compromised one should not linger).
   */
  rotate(id: string, now: number, overlapMs: number): Result.Result<{ next: Identity; retired: KeyRecord }, IdentityError> {
    const cur = this.current(id)
    if (Result.isFailure(cur)) return Result.fail(cur.failure)
    const rotated = rotateIdentity(cur.success, now, overlapMs)
    const s = this.save(rotated.next)
    if (Result.isFailure(s)) return Result.fail(s.failure)
    const r = this.saveRecord(rotated.retired)
    if (Result.isFailure(r)) return Result.fail(r.failure)
    try {
      fs.rmSync(this.keyPath(id, cur.success.record.revision))
    } catch (e) {
      return Result.fail(io(this.keyPath(id, cur.success.record.revision), "remove", e))
    }
    return Result.succeed(rotated)
  }
}
