// Serves the Sui framework packages to the WASM compiler from a local folder instead of
// GitHub, so builds and tests work offline. The compiler asks for the framework as git
// dependencies (`https://github.com/MystenLabs/sui.git`, subdir
// `crates/sui-framework/packages/<name>`); any other git dependency is refused loudly.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { MovePackageFetcher } from "@zktx.io/sui-move-builder/full";
import { FRAMEWORK_SUBDIR } from "./framework-location.ts";
import { bridgeTestUtilsDestroy } from "./test-utils-bridge.ts";

/** Thrown when the compiler asks for a package this fetcher cannot serve. */
export class FrameworkFetchError extends Error {
  readonly code = "MOVE_FRAMEWORK_FETCH";
  constructor(message: string) {
    super(message);
    this.name = "FrameworkFetchError";
  }
}

function isPackageFile(path: string): boolean {
  return path.endsWith(".move") || path === "Move.toml" || path === "Move.lock";
}

/** Reads every Move package file under `dir` as `relative path -> text` (POSIX separators). */
export function readPackageFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "build" && !entry.name.startsWith(".")) walk(full);
        continue;
      }
      const rel = relative(dir, full).split(sep).join("/");
      if (isPackageFile(entry.name) || rel.endsWith(".move"))
        files[rel] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return files;
}

export class LocalFrameworkFetcher extends MovePackageFetcher {
  readonly #frameworkDir: string;
  readonly #cache = new Map<string, Record<string, string>>();

  constructor(frameworkDir: string) {
    super();
    this.#frameworkDir = frameworkDir;
  }

  override async fetch(
    gitUrl: string,
    _rev: string,
    subdir?: string,
  ): Promise<Record<string, string>> {
    const prefix = `${FRAMEWORK_SUBDIR}/`;
    if (!subdir?.startsWith(prefix)) {
      throw new FrameworkFetchError(
        `offline build: cannot fetch ${gitUrl} ${subdir ?? ""} (only the Sui framework is served locally)`,
      );
    }
    const name = subdir.slice(prefix.length).replace(/\/+$/, "");
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const files = bridgeTestUtilsDestroy(name, readPackageFiles(join(this.#frameworkDir, name)));
    this.#cache.set(name, files);
    return files;
  }

  override async fetchFile(_gitUrl: string, _rev: string, path: string): Promise<string | null> {
    const prefix = `${FRAMEWORK_SUBDIR}/`;
    if (!path.startsWith(prefix)) return null;
    try {
      return readFileSync(join(this.#frameworkDir, path.slice(prefix.length)), "utf8");
    } catch {
      return null;
    }
  }

  override getResolvedSha(): string | undefined {
    return undefined;
  }
}
