/**
 * Child process of the setup-failure test, run under `ulimit -n 600`: a tree
 * with one client per coordinator (338) on the server at argv[2]. It passes
 * admission control; then, at the first connect, something else in the
 * process takes 400 descriptors, so the connects hit EMFILE. Prints what
 * runTree rejected with as one JSON line; must then exit by itself.
 */
import { openSync } from "node:fs"
import { connectNats } from "../../src/Net/Nats.ts"
import { runTree } from "../../src/Tree/Runner.ts"

const url = process.argv[2]!
let taken = false
try {
  const r = await runTree({
    agents: 3000,
    branching: 10,
    rounds: 1,
    connect: (name) => {
      if (!taken) {
        taken = true
        for (let i = 0; i < 400; i++) openSync("/dev/null", "r")
      }
      return connectNats({ servers: url, name, connectAttempts: 2 })
    },
  })
  process.stdout.write(`${JSON.stringify({ ok: true, exact: r.allExact })}\n`)
} catch (e) {
  const t = e as { _tag?: unknown; reason?: unknown; detail?: unknown }
  process.stdout.write(`${JSON.stringify({ ok: false, tag: t._tag, reason: t.reason, detail: t.detail })}\n`)
}
