/**
 * One wildcard subscription per subject kind for a row of coordinators of one
 * level (a process's group, or a level of the in-process tree).
 *
 * @module
 */
import type { Subscription, Transport } from "../Net/Transport.ts"
import type { Coordinator } from "./Coordinator.ts"
import { childRange, countAt, subjectIndex, type Topology } from "./Topology.ts"

/**
 * Receives for coordinators `row` = `(level, lo … lo + row.length − 1)` (all
 * built with `subscribe: false`) through one wildcard subscription per subject
 * kind on `rx`: `P.up.L.*`, `P.lat.L.*` and, below the root level, the
 * parents' `P.down.(L+1).*`, dispatched by the subject's last token. A Down
 * from parent `j` is handed to each of its children in the row, as separate
 * subscriptions would. Messages for indices outside the row are ignored (they
 * belong to another process).
 */
export const subscribeLevel = (rx: Transport, t: Topology, level: number, lo: number, row: ReadonlyArray<Coordinator>): Subscription[] => {
  const p = t.prefix
  const n = countAt(t, level)
  const hi = lo + row.length
  const at = (s: string): Coordinator | undefined => {
    const i = subjectIndex(s, n)
    return i >= lo && i < hi ? row[i - lo] : undefined
  }
  const subs: Subscription[] = [
    rx.subscribe(`${p}.up.${level}.*`, (d, s) => at(s)?.receive(d, s, "up")),
    rx.subscribe(`${p}.lat.${level}.*`, (d, s) => at(s)?.receive(d, s, "lateral")),
  ]
  if (level < t.levels) {
    const parents = countAt(t, level + 1)
    subs.push(
      rx.subscribe(`${p}.down.${level + 1}.*`, (d, s) => {
        const j = subjectIndex(s, parents)
        if (j < 0) return
        const r = childRange(t, { level: level + 1, index: j })
        for (let i = Math.max(r.lo, lo); i < Math.min(r.hi, hi); i++) row[i - lo]!.receive(d, s, "down")
      }),
    )
  }
  return subs
}
