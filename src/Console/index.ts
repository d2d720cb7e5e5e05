/**
 * The orchestrator's console (seed 002 Part 7): signed commands, the
 * conversational grammar, the simulated system it drives, and the web console.
 *
 * @module
 */
export * from "./Command.ts"
export * from "./Grammar.ts"
export * from "./System.ts"
export * from "./Status.ts"
export * from "./Actions.ts"
export * from "./Host.ts"
export { CommandFailed, ConsoleBusError, type ConsoleError, type ConsoleReply, type ConsoleSession, type ConsoleSessionOptions, ConsoleTimeout, makeConsoleSession } from "./Session.ts"
export * from "./Snapshot.ts"
export * from "./Words.ts"
export { startWebConsole, type WebBackend, type WebConsole, webConsole, type WebConsoleOptions, WebStartError, type WebStatus } from "./Web.ts"
export { sessionBackend } from "./WebBackend.ts"
