// LWWColumns: keys and writes are checked on every path into the columns,
// including setInPlace (OutOfDomain naming the map and the field; RangeError
// for a replica id that does not fit the Uint32 column).
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { LWWColumns } from "../../src/State/Register.ts"

const w = { timestamp: 1, replica: 0, value: 2 }
const outOfDomain = (f: () => unknown, where: string, field: string, value: number) => {
  let e: unknown
  try {
    f()
  } catch (x) {
    e = x
  }
  expect(e).toBeInstanceOf(OutOfDomain)
  expect(e).toMatchObject({ where, field, value, domain: "Nat" })
}

describe("LWWColumns checks", () => {
  it("get names the map and the key", () => {
    outOfDomain(() => LWWColumns.get(LWWColumns.alloc(2), -1), "LWWMap", "key", -1)
    outOfDomain(() => LWWColumns.get(LWWColumns.alloc(2), 0.5), "LWWMap", "key", 0.5)
  })

  it("setInPlace checks the key and the write, and leaves the columns unchanged when it refuses", () => {
    const m = LWWColumns.alloc(2)
    outOfDomain(() => LWWColumns.setInPlace(0.5, w, m), "LWWMap", "key", 0.5)
    outOfDomain(() => LWWColumns.setInPlace(0, { ...w, timestamp: -1 }, m), "LWWColumns", "w.timestamp", -1)
    outOfDomain(() => LWWColumns.setInPlace(1, { ...w, value: 1.5 }, m), "LWWColumns", "w.value", 1.5)
    expect(() => LWWColumns.setInPlace(0, { ...w, replica: 2 ** 32 }, m)).toThrow(new RangeError("LWWColumns: replica must be < 2^32, got 4294967296"))
    expect(LWWColumns.equals(m, LWWColumns.alloc(2))).toBe(true)
    LWWColumns.setInPlace(1, { ...w, replica: 2 ** 32 - 1 }, m)
    expect(LWWColumns.get(m, 1)).toEqual({ ...w, replica: 2 ** 32 - 1 })
  })
})
