// Where the Sui framework sources (move-stdlib, sui-framework) live on this machine.
// Order: SUI_FRAMEWORK_DIR (explicit), then the per-user cache that `npm run move:framework`
// fills, so a CI run on the same machine finds it without any environment variable.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The two framework packages the compiler needs, as folder names under `packages/`. */
export const FRAMEWORK_PACKAGES = ["move-stdlib", "sui-framework"] as const;

/** Path of those packages inside a Sui git checkout. */
export const FRAMEWORK_SUBDIR = "crates/sui-framework/packages";

/** `${K8S_DAAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-daas}/sui-framework` */
export function defaultFrameworkCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot =
    env.K8S_DAAS_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "k8s-daas");
  return join(cacheRoot, "sui-framework");
}

/** True when `dir` holds both framework packages (each with a Move.toml). */
export function isFrameworkDir(dir: string): boolean {
  return FRAMEWORK_PACKAGES.every((name) => existsSync(join(dir, name, "Move.toml")));
}

export type FrameworkLookup =
  | { found: true; dir: string; source: "SUI_FRAMEWORK_DIR" | "cache" }
  | { found: false; reason: string };

/**
 * Finds the framework folder. `SUI_FRAMEWORK_DIR` may point at the `packages` folder itself
 * or at a Sui checkout root (then `crates/sui-framework/packages` is appended).
 */
export function locateFramework(env: NodeJS.ProcessEnv = process.env): FrameworkLookup {
  const explicit = env.SUI_FRAMEWORK_DIR;
  if (explicit) {
    for (const dir of [explicit, join(explicit, FRAMEWORK_SUBDIR)]) {
      if (isFrameworkDir(dir)) return { found: true, dir, source: "SUI_FRAMEWORK_DIR" };
    }
    return {
      found: false,
      reason: `SUI_FRAMEWORK_DIR=${explicit} holds no move-stdlib/ and sui-framework/ packages`,
    };
  }
  const cached = defaultFrameworkCacheDir(env);
  if (isFrameworkDir(cached)) return { found: true, dir: cached, source: "cache" };
  return {
    found: false,
    reason: `no Sui framework sources: SUI_FRAMEWORK_DIR is unset and ${cached} is empty`,
  };
}

/** One line telling a human how to provide the framework. */
export const HOW_TO_PROVIDE_FRAMEWORK =
  "run `npm run move:framework -- <Sui git checkout or git dir>` once, or set SUI_FRAMEWORK_DIR to crates/sui-framework/packages of a Sui checkout";
