/**
 * Child process of the setup-failure test, run under a low `ulimit -n`: a tree
 * with one client per coordinator on the server at argv[2]. Prints what
 * runTree rejected with as one JSON line; must then exit by itself.
 */
import { connectNats } from "../../src/Net/Nats.ts"
import { runTree } from "../../src/Tree/Runner.ts"

const url = process.argv[2]!
try {
  const r = await runTree({ agents: 3000, branching: 10, rounds: 1, connect: (name) => connectNats({ servers: url, name, connectAttempts: 2 }) })
  process.stdout.write(`${JSON.stringify({ ok: true, exact: r.allExact })}\n`)
} catch (e) {
  const t = e as { _tag?: unknown; reason?: unknown; detail?: unknown }
  process.stdout.write(`${JSON.stringify({ ok: false, tag: t._tag, reason: t.reason, detail: t.detail })}\n`)
}
