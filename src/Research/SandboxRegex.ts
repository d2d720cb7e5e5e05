/**
 * grep_search's regex runs in a worker thread: a pathological pattern
 * (catastrophic backtracking) cannot be interrupted on the main thread, but a
 * worker can be terminated when a scan runs over its time budget.
 *
 * @module
 */
import { Worker } from "node:worker_threads";

// Plain JavaScript, evaluated in the worker: compile once, scan texts line by line.
const source = `
const { parentPort, workerData } = require("node:worker_threads");
const re = new RegExp(workerData.pattern);
parentPort.postMessage("ready");
parentPort.on("message", ({ text, limit }) => {
  const out = [];
  const lines = text.split("\\n");
  for (let i = 0; i < lines.length && out.length < limit; i++) if (re.test(lines[i])) out.push([i + 1, lines[i]]);
  parentPort.postMessage(out);
});
`;

/** One worker per grep call; `scan` rejects when a text takes longer than `timeoutMs`. */
export class RegexRunner {
  #worker: Worker | undefined;
  private readonly pattern: string;
  private readonly timeoutMs: number;
  constructor(pattern: string, timeoutMs: number) {
    this.pattern = pattern;
    this.timeoutMs = timeoutMs;
  }

  /** Starts the worker and waits until it has compiled the pattern: start-up is not the regex's time. */
  #ready(signal: AbortSignal): Promise<Worker> {
    if (this.#worker) return Promise.resolve(this.#worker);
    const w = new Worker(source, { eval: true, workerData: { pattern: this.pattern } });
    return new Promise((done, fail) => {
      const onAbort = () => { void w.terminate(); fail(new Error("call deadline passed while starting the regex worker")); };
      signal.addEventListener("abort", onAbort, { once: true });
      w.once("error", (e) => { signal.removeEventListener("abort", onAbort); fail(e); });
      w.once("message", () => { signal.removeEventListener("abort", onAbort); this.#worker = w; done(w); });
    });
  }

  async scan(text: string, limit: number, signal: AbortSignal): Promise<Array<[number, string]>> {
    const w = await this.#ready(signal);
    return new Promise((done, fail) => {
      const finish = (f: () => void) => { clearTimeout(timer); w.off("message", onMsg); w.off("error", onErr); signal.removeEventListener("abort", onAbort); f(); };
      const onMsg = (m: Array<[number, string]>) => finish(() => done(m));
      const onErr = (e: Error) => finish(() => fail(e));
      const kill = (why: string) => finish(() => { this.close(); fail(new Error(why)); });
      const onAbort = () => kill("call deadline passed during the regex scan");
      const timer = setTimeout(() => kill(`regex ran over ${this.timeoutMs} ms`), this.timeoutMs);
      w.on("message", onMsg);
      w.on("error", onErr);
      signal.addEventListener("abort", onAbort);
      w.postMessage({ text, limit });
    });
  }

  close(): void {
    void this.#worker?.terminate();
    this.#worker = undefined;
  }
}
