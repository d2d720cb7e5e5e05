/**
 * The simulation's event queue (SimEngine.ts): a binary heap ordered by time,
 * then by insertion, so events at the same instant run in the order they were
 * scheduled and a run is deterministic.
 */
/** A tiny binary heap of (time, seq) events. */
export class EventQueue<E> {
  private readonly heap: Array<{ t: number; seq: number; e: E }> = []
  private seq = 0
  get size(): number { return this.heap.length }
  push(t: number, e: E): void {
    const h = this.heap
    h.push({ t, seq: this.seq++, e })
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.less(h[p]!, h[i]!)) break
      ;[h[p], h[i]] = [h[i]!, h[p]!]
      i = p
    }
  }
  pop(): { t: number; e: E } | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined) return undefined
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[m], h[i]] = [h[i]!, h[m]!]
        i = m
      }
    }
    return top
  }
  private less(a: { t: number; seq: number }, b: { t: number; seq: number }): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq)
  }
}
