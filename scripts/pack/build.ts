// `npm pack`'s prepack step: compiles src/ and bin/ to JavaScript in dist/ (Node strips no
// types under node_modules, so an installed package must not need them), bakes in the commit,
// compiles the Move package for `package publish`, and checks that the compiled tree is
// whole. The repository itself keeps running from its .ts sources; dist/ is only packed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { BUILD_INFO_FILE, type PackedBuildInfo } from "../../src/install/index.ts";
import { checkCompiledImports } from "./check-dist.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const DIST = join(ROOT, "dist");
const started = performance.now();
const say = (line: string) => process.stderr.write(`pack: ${line}\n`);

function fail(message: string): never {
  say(`FAILED: ${message}`);
  process.exit(1);
}

function run(what: string, command: string, args: string[]): ReturnType<typeof spawnSync> {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
  if (result.error) fail(`${what}: ${result.error.message}`);
  return result;
}

rmSync(DIST, { recursive: true, force: true });
const tsc = run("tsc", process.execPath, [
  join(ROOT, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  join(ROOT, "tsconfig.build.json"),
]);
if (tsc.status !== 0) fail(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);

const info: PackedBuildInfo = { commit: commit(), packedAt: new Date().toISOString() };
writeFileSync(join(DIST, "src", "install", BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);

const problems = checkCompiledImports(DIST);
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
};
for (const [name, launcher] of Object.entries(manifest.bin)) {
  // Each launcher imports dist/bin/<name>.js once it finds no sources beside it.
  const target = join(DIST, "bin", `${name}.js`);
  if (!existsSync(join(ROOT, launcher))) problems.push(`bin ${name}: ${launcher} is missing`);
  if (!existsSync(target)) problems.push(`bin ${name}: ${relative(ROOT, target)} was not built`);
}
if (problems.length > 0) fail(`the compiled tree is not whole:\n  ${problems.join("\n  ")}`);

say(`compiled src/ and bin/ into dist/ (commit ${info.commit})`);
say(movePackage());
say(`done in ${((performance.now() - started) / 1000).toFixed(1)}s`);

/** `<HEAD, 12 hex>` plus `-dirty` when tracked files differ from it; `unknown` outside git. */
function commit(): string {
  const head = run("git", "git", ["rev-parse", "--short=12", "HEAD"]);
  if (head.status !== 0) return "unknown";
  const status = run("git", "git", ["status", "--porcelain", "--untracked-files=no"]);
  const dirty = status.status === 0 && String(status.stdout).trim() !== "";
  return `${String(head.stdout).trim()}${dirty ? "-dirty" : ""}`;
}

/**
 * `package publish` sends move/build/k8s_daas/publish.json (from `npm run move:build`). The
 * build needs the Sui framework sources; without them the package ships without it and says
 * so here, and the installed CLI names the missing file when asked to publish.
 */
function movePackage(): string {
  const build = run("move:build", process.execPath, [join(ROOT, "scripts", "move", "build.ts")]);
  const payload = join(ROOT, "move", "build", "k8s_daas", "publish.json");
  if (build.status === 2) {
    return `WARNING: the Move package is not compiled (no Sui framework: ${String(build.stderr).trim()}); the package ships without ${relative(ROOT, payload)}`;
  }
  if (build.status !== 0) fail(`move:build failed:\n${build.stdout}${build.stderr}`);
  if (!existsSync(payload)) fail(`move:build wrote no ${relative(ROOT, payload)}`);
  return `compiled the Move package: ${relative(ROOT, payload)} (${statSync(payload).size} bytes)`;
}
