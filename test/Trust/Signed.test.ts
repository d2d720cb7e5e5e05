import * as crypto from "node:crypto"
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { encodeMessage, type UpBatch } from "../../src/Tree/Messages.ts"
import { generateIdentity, type Identity, memoryRegistry, rotateIdentity } from "../../src/Trust/Identity.ts"
import { ReplayWindow } from "../../src/Trust/Replay.ts"
import { signUpBatch, Signer, Verifier, verifyUpBatch } from "../../src/Trust/Signed.ts"
import { decodeEnvelope, envelopeBytes, SIGNATURE_BYTES, U32_MAX, writeEnvelope } from "../../src/Trust/SignedLayout.ts"

// key generation is the slow part: a few identities shared by every property
const alice = generateIdentity("agent-alice", "agent", 0)
const mallory = generateIdentity("agent-mallory", "agent", 0)
const coord = generateIdentity("coord-2-7", "coordinator", 0)

const setup = (ids: ReadonlyArray<Identity> = [alice, mallory, coord], now = () => 1_000) => {
  const registry = memoryRegistry()
  for (const i of ids) registry.put(i.record)
  return { registry, verifier: new Verifier(registry, { now }) }
}

const payloadArb = fc.uint8Array({ minLength: 0, maxLength: 200 })
const errTag = (r: Result.Result<unknown, { readonly _tag: string }>): string | undefined =>
  Result.isFailure(r) ? r.failure._tag : undefined

describe("sign / verify", () => {
  it("verify(sign(m)) accepts and returns m's fields, for any payload, term and sequence", () => {
    fc.assert(
      fc.property(payloadArb, fc.nat({ max: U32_MAX }), fc.nat({ max: U32_MAX }), (payload, term, seq) => {
        const { verifier } = setup()
        const bytes = Result.getOrThrow(new Signer(alice, term, seq).sign(payload))
        expect(bytes.length).toBe(envelopeBytes(alice.record.id.length, payload.length))
        const e = Result.getOrThrow(verifier.verify(bytes))
        expect([e.sender, e.keyRevision, e.term, e.sequence]).toEqual([alice.record.id, 0, term, seq])
        expect([...e.payload]).toEqual([...payload])
        expect(verifier.counters.accepted).toBe(1)
      }),
      { numRuns: 100 },
    )
  })

  it("any flipped bit anywhere in the envelope (header, fields, payload, signature) is rejected and not accepted", () => {
    fc.assert(
      fc.property(payloadArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (payload, at, bit) => {
        const { verifier } = setup()
        const bytes = Result.getOrThrow(new Signer(alice, 3, 9).sign(payload))
        const i = at % bytes.length
        const bad = bytes.slice()
        bad[i] = bad[i]! ^ (1 << bit)
        const r = verifier.verify(bad)
        expect(Result.isFailure(r)).toBe(true)
        expect(["MalformedEnvelope", "UnknownKey", "BadSignature"]).toContain(errTag(r))
        expect(verifier.counters.accepted).toBe(0)
        // the forged bytes did not move the window: the genuine message still verifies
        expect(Result.isSuccess(verifier.verify(bytes))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it("a forged sender id carrying another identity's signature is rejected as BadSignature and counted", () => {
    const { verifier } = setup()
    // mallory signs, then claims to be alice: the envelope names alice, the signature is mallory's
    const forged = writeEnvelope(
      { sender: alice.record.id, keyRevision: 0, term: 0, sequence: 0, payload: new Uint8Array([1, 2, 3]) },
      (signed) => crypto.sign(null, signed, mallory.privateKey),
    )
    const r = verifier.verify(forged)
    expect(errTag(r)).toBe("BadSignature")
    expect(verifier.counters.badSignature).toBe(1)
    // and a genuine envelope of mallory's with the sender bytes rewritten to another id of the same length
    const real = Result.getOrThrow(new Signer(coord).sign(new Uint8Array([7])))
    const renamed = real.slice()
    renamed.set(Buffer.from("coord-2-8"), 5)
    expect(errTag(setup([coord, generateIdentity("coord-2-8", "coordinator", 0)]).verifier.verify(renamed))).toBe("BadSignature")
  })

  it("an unknown sender or key revision is UnknownKey, counted", () => {
    const { verifier } = setup([alice])
    expect(errTag(verifier.verify(Result.getOrThrow(new Signer(mallory).sign(new Uint8Array()))))).toBe("UnknownKey")
    expect(verifier.counters.unknownKey).toBe(1)
  })

  it("malformed bytes are MalformedEnvelope naming the field, never an exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        const { verifier } = setup()
        const r = verifier.verify(junk)
        expect(errTag(r)).toBe("MalformedEnvelope")
      }),
    )
    const good = Result.getOrThrow(new Signer(alice).sign(new Uint8Array([1])))
    const r = decodeEnvelope(good.subarray(0, good.length - 1))
    expect(Result.isFailure(r) && r.failure._tag === "Truncated" && r.failure.field).toBe("signature")
    const long = new Uint8Array(good.length + 1)
    long.set(good)
    expect(errTag(decodeEnvelope(long))).toBe("TrailingBytes")
  })
})

describe("replay protection", () => {
  it("a replayed sequence is rejected as a replay and counted; the aggregate of accepted payloads is exact", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 80 }), (order) => {
        // alice sends sequences 0..40; the bus delivers `order` (duplicates and reorderings)
        const { verifier } = setup()
        const signer = new Signer(alice)
        const sent = Array.from({ length: 41 }, (_, s) => Result.getOrThrow(signer.sign(new Uint8Array([s]))))
        const accepted = new Set<number>()
        let sum = 0
        for (const s of order) {
          const r = verifier.verify(sent[s]!)
          if (Result.isSuccess(r)) {
            sum += r.success.payload[0]!
            expect(accepted.has(s)).toBe(false)
            accepted.add(s)
          } else expect(errTag(r)).toBe("Replayed")
        }
        // within a window of 64 nothing is out of window: each distinct sequence counts once
        const distinct = new Set(order)
        expect(accepted).toEqual(distinct)
        expect(sum).toBe([...distinct].reduce((a, b) => a + b, 0))
        expect(verifier.counters.replay).toBe(order.length - distinct.size)
      }),
    )
  })

  it("window edges: highest − 63 is still accepted once, highest − 64 is out of window", () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: U32_MAX }), (h) => {
        const w = new ReplayWindow(64)
        w.accept(0, h)
        expect(w.check(0, h - 63)).toBeUndefined()
        w.accept(0, h - 63)
        expect(w.check(0, h - 63)).toBe("replay")
        expect(w.check(0, h - 64)).toBe("outOfWindow")
        expect(w.check(0, h)).toBe("replay")
        expect(w.check(0, h + 1 <= U32_MAX ? h + 1 : h)).toBe(h + 1 <= U32_MAX ? undefined : "replay")
      }),
    )
  })

  it("the window slides: after a jump, slots of old sequences do not mark new ones as seen", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 200 }), (h, jump) => {
        const w = new ReplayWindow(64)
        for (let s = Math.max(0, h - 63); s <= h; s++) w.accept(0, s)
        w.accept(0, h + jump)
        // every sequence in (h, h + jump) inside the new window is fresh
        for (let s = Math.max(h + 1, h + jump - 63); s < h + jump; s++) expect(w.check(0, s)).toBeUndefined()
      }),
    )
  })

  it("an older term is refused (staleTerm), a newer one starts a fresh window", () => {
    const { verifier } = setup()
    const old = Result.getOrThrow(new Signer(coord, 4, 100).sign(new Uint8Array()))
    expect(Result.isSuccess(verifier.verify(Result.getOrThrow(new Signer(coord, 5, 0).sign(new Uint8Array()))))).toBe(true)
    expect(Result.isFailure(verifier.verify(old)) && verifier.counters.staleTerm).toBe(1)
  })

  it("maximal fields 2^32 − 1 do not wedge the window: the signer moves to the next term, the verifier follows", () => {
    const { verifier } = setup()
    const signer = new Signer(coord, U32_MAX - 1, U32_MAX - 1)
    const a = Result.getOrThrow(signer.sign(new Uint8Array([1])))
    const b = Result.getOrThrow(signer.sign(new Uint8Array([2])))
    const c = Result.getOrThrow(signer.sign(new Uint8Array([3])))
    expect(Result.getOrThrow(decodeEnvelope(b)).sequence).toBe(U32_MAX)
    expect([Result.getOrThrow(decodeEnvelope(c)).term, Result.getOrThrow(decodeEnvelope(c)).sequence]).toEqual([U32_MAX, 0])
    for (const m of [a, b, c]) expect(Result.isSuccess(verifier.verify(m))).toBe(true)
    expect(errTag(verifier.verify(b))).toBe("Replayed")
    // the last term runs up to its last sequence, then the signer stops with a typed error instead of wrapping
    const last = new Signer(coord, U32_MAX, U32_MAX)
    const l = Result.getOrThrow(last.sign(new Uint8Array()))
    expect(Result.isSuccess(verifier.verify(l))).toBe(true)
    expect(errTag(verifier.verify(l))).toBe("Replayed")
    expect(errTag(last.sign(new Uint8Array()))).toBe("SequenceExhausted")
    const w = new ReplayWindow(64)
    w.accept(U32_MAX, U32_MAX)
    expect(w.check(U32_MAX, U32_MAX - 1)).toBeUndefined()
    expect(w.check(U32_MAX, U32_MAX - 64)).toBe("outOfWindow")
  })
})

describe("rotation", () => {
  it("the old key verifies until notAfter, then KeyNotValid; the new key goes on with the same numbering", () => {
    let now = 1_000
    const id = generateIdentity("coord-9", "coordinator", 0)
    const { registry, verifier } = setup([id], () => now)
    const signer = new Signer(id)
    const { next, retired } = rotateIdentity(id, 1_000, 500)
    registry.put(retired)
    registry.put(next.record)
    const oldSigned = Result.getOrThrow(signer.sign(new Uint8Array([1])))
    signer.rekey(next)
    const newSigned = Result.getOrThrow(signer.sign(new Uint8Array([2])))
    const lateOld = Result.getOrThrow(new Signer(id, 0, 10).sign(new Uint8Array([3])))
    now = 1_499
    expect(Result.isSuccess(verifier.verify(oldSigned))).toBe(true)
    expect(Result.isSuccess(verifier.verify(newSigned))).toBe(true)
    now = 1_500
    expect(errTag(verifier.verify(lateOld))).toBe("KeyNotValid")
    expect(verifier.counters.keyNotValid).toBe(1)
  })
})

describe("UpBatch signing", () => {
  const batchOf = (b: number): UpBatch => ({
    _tag: "UpBatch",
    from: { level: 1, index: 0 },
    ups: Array.from({ length: b }, (_, i) => ({
      index: i,
      epoch: 7,
      seq: 3,
      summary: { count: i + 1, sum: 2 * i, min: 0, max: 2 * i },
    })),
  })

  it("one signature per bus message whatever b; the verified batch is the batch that was signed", () => {
    for (const b of [1, 100, 1000]) {
      const { verifier } = setup()
      const batch = batchOf(b)
      const bytes = Result.getOrThrow(signUpBatch(new Signer(coord), batch))
      expect(bytes.length).toBe(envelopeBytes(coord.record.id.length, encodeMessage(batch).length))
      expect(bytes.length - encodeMessage(batch).length - SIGNATURE_BYTES).toBe(5 + coord.record.id.length + 16)
      const v = Result.getOrThrow(verifyUpBatch(verifier, bytes))
      expect(v.batch).toEqual(batch)
      expect(v.batch.ups.reduce((a, u) => a + u.summary.count, 0)).toBe((b * (b + 1)) / 2)
      expect(verifier.counters.accepted).toBe(1)
    }
  })

  it("a signed payload that is not an UpBatch is BadPayload, counted", () => {
    const { verifier } = setup()
    const r = verifyUpBatch(verifier, Result.getOrThrow(new Signer(coord).sign(new Uint8Array([0x48, 0x54, 9]))))
    expect(errTag(r)).toBe("BadPayload")
    expect(verifier.counters.badPayload).toBe(1)
  })
})
