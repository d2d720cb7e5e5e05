/** Child process of the hygiene test: starts a nats-server, prints its pid and port, then waits to be killed. */
import { startNatsServer } from "../../src/Net/NatsServer.ts"

const server = await startNatsServer({ jetstream: false })
process.stdout.write(`${JSON.stringify({ pid: server.pid, port: server.port })}\n`)
setInterval(() => undefined, 60_000)
