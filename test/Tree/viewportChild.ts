/**
 * Child process of the viewport SIGKILL test: a tree of argv[4] agents
 * (branching 10) on the nats-server at argv[2] with the viewport feed (3
 * replicas, file stores under argv[3]), running until killed. After each
 * round whose replicas converged and equal the agents' Elements it prints
 * `acked <round>`: everything up to that round is in every replica's store.
 */
import { join } from "node:path"
import { connectNats } from "../../src/Net/Nats.ts"
import { ViewportStateCodec } from "../../src/State/Encoding.ts"
import { openFileStore } from "../../src/State/FileStore.ts"
import { runTree } from "../../src/Tree/Runner.ts"

const [url, dir, agents] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4])]
await runTree({
  agents,
  branching: 10,
  rounds: 100_000,
  connect: (name) => connectNats({ servers: url, name }),
  viewport: {
    replicas: 3,
    store: (i) => openFileStore(join(dir, `replica-${i}.log`), ViewportStateCodec),
    onRound: (r) => {
      if (r.converged && r.matchesAgents) process.stdout.write(`acked ${r.round}\n`)
    },
  },
})
