import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageFile, packageRoot, runsFromSource } from "./package-root.ts";

/** What `k8s-daas --version` reports about this copy of the program. */
export interface BuildInfo {
  version: string;
  /** The commit it was packed from, or `dev+<HEAD>` when it runs from a clone. */
  commit: string;
  /** `clone`: running the TypeScript sources; `package`: the compiled npm package. */
  installedAs: "clone" | "package";
  packageRoot: string;
}

/**
 * The file `npm pack` writes beside this module's compiled copy (scripts/pack/build.ts):
 * the commit cannot be asked of git once installed, so it is baked in at pack time.
 */
export const BUILD_INFO_FILE = "build-info.json";

/** The commit a packed build records; read here, written by scripts/pack/build.ts. */
export interface PackedBuildInfo {
  commit: string;
  packedAt: string;
}

export function buildInfo(): BuildInfo {
  const version = (
    JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as {
      version?: string;
    }
  ).version;
  const packed = fileURLToPath(new URL(`./${BUILD_INFO_FILE}`, import.meta.url));
  const commit =
    !runsFromSource && existsSync(packed)
      ? (JSON.parse(readFileSync(packed, "utf8")) as PackedBuildInfo).commit
      : `dev+${gitHead() ?? "unknown"}`;
  return {
    version: version ?? "unknown",
    commit,
    installedAs: runsFromSource ? "clone" : "package",
    packageRoot,
  };
}

/** The clone's HEAD, abbreviated; undefined outside a git checkout or without git. */
function gitHead(): string | undefined {
  const result = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], {
    cwd: packageRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
