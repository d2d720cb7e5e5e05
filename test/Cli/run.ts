// Runs the `hydrogen` command line in-process with a capturing Io.
import { type Io, main } from "../../src/Cli/Main.ts"

export const runMain = async (argv: ReadonlyArray<string>): Promise<{ code: number; out: string; err: string }> => {
  let out = ""
  let err = ""
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t) }
  const code = await main(argv, io)
  return { code, out, err }
}
