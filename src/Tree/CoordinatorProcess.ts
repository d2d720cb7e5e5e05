/**
 * Entry file of one coordinator process of the multi-process tree
 * (src/Tree/Process.ts): `node src/Tree/CoordinatorProcess.ts --servers URL
 * --agents N --branching K --seed S --prefix P --name NAME --coordinators
 * LEVEL:LO-HI,…` (`HYDROGEN_NATS_URL` may stand in for `--servers`).
 *
 * Exit codes: 0 stopped by the parent, 1 a runtime failure (reported on the
 * bus when possible), 2 a bad configuration (`ProcessConfigError`). The
 * process also exits when its stdin closes (the parent is gone).
 */
import * as Result from "effect/Result"
import { runCoordinatorProcess } from "./ProcessChild.ts"
import { decodeProcessConfig } from "./ProcessPlan.ts"

const decoded = decodeProcessConfig(process.argv.slice(2), process.env)
if (Result.isFailure(decoded)) {
  process.stderr.write(`coordinator process: ${decoded.failure.message}\n`)
  process.exit(2)
}
// The parent holds our stdin open; its end means the parent died.
process.stdin.on("end", () => process.exit(1))
process.stdin.on("error", () => process.exit(1))
process.stdin.resume()
try {
  const code = await runCoordinatorProcess(decoded.success)
  process.exit(code)
} catch (e) {
  process.stderr.write(`coordinator process ${decoded.success.name}: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
}
