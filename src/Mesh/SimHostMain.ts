/**
 * Entry of a live-mesh host process (SimLive.ts spawns it): argv[2] is the
 * host's JSON config, decoded by schema before anything starts. The host
 * says `ready` once subscribed, runs until the orchestrator's `stop`, then
 * reports its counters on `<run>.stats` and exits. It also exits when its
 * stdin closes (the parent is gone).
 */
import * as Result from "effect/Result"
import { connectNats } from "../Net/Nats.ts"
import { decodeHostConfig, json, pairBytes, startHost } from "./SimHost.ts"

const fail = (message: string): never => {
  process.stderr.write(`mesh host: ${message}\n`)
  process.exit(2)
}

const cfg = decodeHostConfig(process.argv[2] ?? "")
if (Result.isFailure(cfg)) fail(`bad config: ${String(cfg.failure)}`)
const config = Result.getOrThrow(cfg)
const t = await connectNats({ servers: config.url, name: `mesh-host-${config.host}` })
const host = startHost(t, config)
let stopping = false
const stop = async (code: number) => {
  if (stopping) return
  stopping = true
  host.stop()
  await t.flush().catch(() => undefined)
  await t.close().catch(() => undefined)
  process.exit(code)
}
t.subscribe(`${config.run}.stop`, () => {
  host.stop()
  t.publish(`${config.run}.stats`, json({ host: config.host, received: host.received, malformed: host.malformed, rssBytes: process.memoryUsage().rss }))
  void stop(0)
})
process.stdin.on("end", () => void stop(1))
process.stdin.resume()
await t.flush()
t.publish(`${config.run}.ready`, pairBytes(config.host))
