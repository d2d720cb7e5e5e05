/**
 * An authenticated, encrypted bus for loopback runs: a per-run certificate
 * authority, a server certificate for 127.0.0.1 and one client certificate
 * per tier (mutual TLS), an NKEY per tier (the server stores only public
 * keys) and a nats-server config that requires TLS, verifies client
 * certificates and scopes each tier's publish/subscribe permissions to its
 * subjects. Everything lives in a fresh directory (0700, files 0600) that is
 * removed when the scope closes.
 *
 * Certificates are made with the `openssl` binary (node:crypto cannot sign
 * X.509); a missing binary or a failed step is an `AuthSetupError` naming it.
 */
import { execFile } from "node:child_process"
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { nkeys } from "@nats-io/transport-node"
import { Data, Effect, type Scope } from "effect"
import type { NatsCredentials } from "./Nats.ts"
import { validatePattern } from "./Subjects.ts"

/** The tiers that connect to the bus, each with its own identity and permissions. */
export type Tier = "orchestrator" | "coordinator" | "agent"
export const tiers: ReadonlyArray<Tier> = ["orchestrator", "coordinator", "agent"]

/** Setting up the secure bus failed: which step, and why. */
export class AuthSetupError extends Data.TaggedError("AuthSetupError")<{
  readonly step: string
  readonly detail: string
}> {
  override get message(): string {
    return `secure bus setup failed at ${this.step}: ${this.detail}`
  }
}

export interface Permissions {
  readonly publish: ReadonlyArray<string>
  readonly subscribe: ReadonlyArray<string>
}

/**
 * What each tier may publish and subscribe to under subject prefix `prefix`
 * (the tree's `<prefix>.up|down|lat.<level>.<index>`, see Tree/Topology).
 * Agents talk only to their local (level-1) coordinator: they publish on its
 * up and lateral subjects and hear its down subjects. Coordinators run every
 * level above and the control plane (`<prefix>.ctl.>`, JetStream KV for
 * leases and keys). The orchestrator may do anything.
 */
export const tierPermissions = (prefix: string): Record<Tier, Permissions> => {
  const replies = "_INBOX.>"
  const js = ["$JS.API.>", "$KV.>", "$JS.ACK.>", "$JS.FC.>"]
  return {
    orchestrator: { publish: [">"], subscribe: [">"] },
    coordinator: {
      publish: [`${prefix}.>`, replies, ...js],
      subscribe: [`${prefix}.>`, replies, ...js],
    },
    agent: {
      publish: [`${prefix}.up.1.*`, `${prefix}.lat.1.*`],
      subscribe: [`${prefix}.down.1.*`, `${prefix}.lat.1.*`, replies],
    },
  }
}

/**
 * An agent of local cluster `cluster` only: it may publish on that cluster's
 * coordinator's up and lateral subjects and hear its down subject, so a
 * rogue agent cannot even reach another cluster's coordinator.
 */
export const clusterAgentPermissions = (prefix: string, cluster: number): Permissions => {
  if (!Number.isSafeInteger(cluster) || cluster < 0) throw new RangeError(`clusterAgentPermissions: cluster must be a non-negative integer, got ${cluster}`)
  return {
    publish: [`${prefix}.up.1.${cluster}`, `${prefix}.lat.1.${cluster}`],
    subscribe: [`${prefix}.down.1.${cluster}`, `${prefix}.lat.1.${cluster}`, "_INBOX.>"],
  }
}

/** One tier's secrets: its NKEY seed and client certificate (paths in the run's directory). */
export interface TierIdentity {
  readonly tier: Tier
  /** The NKEY user public key (what the server config holds). */
  readonly publicKey: string
  /** The NKEY seed (secret; never written to the server config). */
  readonly seed: Uint8Array
  readonly certFile: string
  readonly keyFile: string
}

export interface SecureBus {
  /** The run's directory (0700). */
  readonly dir: string
  readonly caFile: string
  /** The nats-server config (pass as `configFile` to natsServer). */
  readonly configFile: string
  readonly identities: Record<Tier, TierIdentity>
  /** Connection options for `tier`: its NKEY, its client certificate and the CA. */
  credentials(tier: Tier): NatsCredentials
  /** Connection options of an agent of cluster `cluster` (one of `agentClusters`): its own NKEY, the agent certificate. */
  clusterAgent(cluster: number): NatsCredentials
}

export interface SecureBusOptions {
  /** Subject prefix of the tree (default "h"). */
  readonly prefix?: string
  /** Path of openssl (default: `openssl` on PATH). */
  readonly openssl?: string
  /** Certificate lifetime in days (default 2: a loopback run never needs more). */
  readonly days?: number
  /** Local clusters whose agents get an NKEY of their own, scoped to that cluster (`clusterAgentPermissions`). */
  readonly agentClusters?: ReadonlyArray<number>
}

const run = (binary: string, args: ReadonlyArray<string>, cwd: string, step: string): Effect.Effect<void, AuthSetupError> =>
  Effect.callback<void, AuthSetupError>((resume) => {
    const child = execFile(binary, [...args], { cwd, timeout: 20_000 }, (error, _stdout, stderr) => {
      if (error === null) resume(Effect.void)
      else {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT"
        resume(Effect.fail(new AuthSetupError({ step, detail: missing ? `${binary} not found (install openssl)` : `${error.message}\n${String(stderr).trim()}` })))
      }
    })
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

const quote = (s: string): string => JSON.stringify(s)
const list = (xs: ReadonlyArray<string>): string => `[${xs.map(quote).join(", ")}]`

/** The nats-server config text: TLS required with client certificates verified, NKEY users with their permissions. */
export const serverConfig = (c: {
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
  readonly users: ReadonlyArray<{ readonly publicKey: string; readonly permissions: Permissions }>
}): string =>
  [
    "tls {",
    `  cert_file: ${quote(c.certFile)}`,
    `  key_file: ${quote(c.keyFile)}`,
    `  ca_file: ${quote(c.caFile)}`,
    "  verify: true",
    // The handshake deadline, s: many clients handshaking at once on a loaded machine missed 2 s.
    "  timeout: 10",
    "}",
    "authorization {",
    "  users: [",
    ...c.users.map(
      (u) => `    { nkey: ${quote(u.publicKey)}, permissions: { publish: { allow: ${list(u.permissions.publish)} }, subscribe: { allow: ${list(u.permissions.subscribe)} } } }`,
    ),
    "  ]",
    "}",
    "",
  ].join("\n")

const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

/**
 * Makes the secure bus material in a fresh directory, removed when the scope
 * closes: CA, server and per-tier client certificates, NKEYs, server config.
 */
export const secureBus = (options: SecureBusOptions = {}): Effect.Effect<SecureBus, AuthSetupError, Scope.Scope> =>
  Effect.gen(function* () {
    const prefix = options.prefix ?? "h"
    const openssl = options.openssl ?? "openssl"
    const days = String(options.days ?? 2)
    const permissions = tierPermissions(prefix)
    for (const t of tiers) {
      yield* Effect.try({
        try: () => [...permissions[t].publish, ...permissions[t].subscribe].forEach((p) => validatePattern(p)),
        catch: (e) => new AuthSetupError({ step: `permissions of ${t}`, detail: String(e) }),
      })
    }
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const d = await mkdtemp(join(tmpdir(), "hydrogen-auth-"))
          await chmod(d, 0o700)
          return d
        },
        catch: (e) => new AuthSetupError({ step: "directory", detail: String(e) }),
      }),
      (d) => Effect.promise(() => rm(d, { recursive: true, force: true })),
    )
    const at = (name: string): string => join(dir, name)
    const sh = (step: string, args: ReadonlyArray<string>) => run(openssl, args, dir, step)
    // umask-independent: every key is readable by the owner only
    const lock = (files: ReadonlyArray<string>) =>
      Effect.tryPromise({ try: () => Promise.all(files.map((f) => chmod(at(f), 0o600))), catch: (e) => new AuthSetupError({ step: "file modes", detail: String(e) }) })

    yield* sh("CA certificate", ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", days, "-subj", "/CN=hydrogen loopback CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    const leaf = (name: string, cn: string, usage: string, san: boolean) =>
      sh(`${name} certificate`, [
        "req", "-x509", ...ec, "-CA", "ca.pem", "-CAkey", "ca.key", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", days, "-subj", `/CN=${cn}`,
        "-addext", "basicConstraints=critical,CA:FALSE", "-addext", `extendedKeyUsage=${usage}`,
        ...(san ? ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"] : []),
      ])
    yield* leaf("server", "127.0.0.1", "serverAuth", true)
    for (const t of tiers) yield* leaf(t, `hydrogen-${t}`, "clientAuth", false)
    yield* lock(["ca.key", "ca.pem", "server.key", "server.pem", ...tiers.flatMap((t) => [`${t}.key`, `${t}.pem`])])

    const identities = {} as Record<Tier, TierIdentity>
    for (const t of tiers) {
      const kp = nkeys.createUser()
      identities[t] = { tier: t, publicKey: kp.getPublicKey(), seed: kp.getSeed(), certFile: at(`${t}.pem`), keyFile: at(`${t}.key`) }
    }
    const clusters = new Map<number, { readonly seed: Uint8Array; readonly publicKey: string; readonly permissions: Permissions }>()
    for (const c of options.agentClusters ?? []) {
      const perms = yield* Effect.try({ try: () => clusterAgentPermissions(prefix, c), catch: (e) => new AuthSetupError({ step: `agent cluster ${c}`, detail: String(e) }) })
      const kp = nkeys.createUser()
      clusters.set(c, { seed: kp.getSeed(), publicKey: kp.getPublicKey(), permissions: perms })
    }
    const configFile = at("nats-server.conf")
    const text = serverConfig({
      caFile: at("ca.pem"),
      certFile: at("server.pem"),
      keyFile: at("server.key"),
      users: [...tiers.map((t) => ({ publicKey: identities[t].publicKey, permissions: permissions[t] })), ...clusters.values()],
    })
    yield* Effect.tryPromise({ try: () => writeFile(configFile, text, { mode: 0o600 }), catch: (e) => new AuthSetupError({ step: "server config", detail: String(e) }) })

    const caFile = at("ca.pem")
    return {
      dir,
      caFile,
      configFile,
      identities,
      credentials: (tier) => ({ nkeySeed: identities[tier].seed, tls: { caFile, certFile: identities[tier].certFile, keyFile: identities[tier].keyFile } }),
      clusterAgent: (cluster) => {
        const c = clusters.get(cluster)
        if (c === undefined) throw new RangeError(`secureBus: no credentials for agent cluster ${cluster} (give it in agentClusters)`)
        return { nkeySeed: c.seed, tls: { caFile, certFile: identities.agent.certFile, keyFile: identities.agent.keyFile } }
      },
    } satisfies SecureBus
  })
