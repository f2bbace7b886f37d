// Shared setup of `move:build` and `move:test`: the package snapshot, where the Sui
// framework comes from, and the WASM compiler initialisation.
//
// Framework source, in order: SUI_FRAMEWORK_DIR, the per-user cache (filled by
// `npm run move:framework`), then GitHub through the builder's own fetcher when GitHub
// answers. A local copy wins because it works offline and gives the same result every run.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initMovePackageBuilder, type MovePackageInput } from "@zktx.io/sui-move-builder/full";
import { locateFramework } from "./framework-location.ts";
import { LocalFrameworkFetcher, readPackageFiles } from "./local-framework-fetcher.ts";

/** The Move package folder of this repository. */
export const MOVE_PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "move");

/** Entry points of the seed that the compiled package must keep. */
export const SEED_ENTRY_POINTS = [
  "create_pod",
  "execute_k8s_api",
  "deploy_pods_batch",
  "register_worker_node",
  "worker_heartbeat",
] as const;

const GITHUB_PROBE_URL = "https://api.github.com/repos/MystenLabs/sui";
const GITHUB_PROBE_TIMEOUT_MS = 5_000;

export type PreparedInput =
  | { ok: true; input: MovePackageInput; frameworkFrom: string }
  | { ok: false; reason: string };

async function githubReachable(): Promise<boolean> {
  if (process.env.K8S_DAAS_MOVE_OFFLINE === "1") return false;
  try {
    const response = await fetch(GITHUB_PROBE_URL, {
      method: "HEAD",
      signal: AbortSignal.timeout(GITHUB_PROBE_TIMEOUT_MS),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** Reads the package and picks the framework source; `ok: false` says why none is usable. */
export async function prepareMoveInput(): Promise<PreparedInput> {
  const files = readPackageFiles(MOVE_PACKAGE_DIR);
  const framework = locateFramework();
  if (framework.found) {
    await initMovePackageBuilder();
    return {
      ok: true,
      input: { files, ansiColor: false, fetcher: new LocalFrameworkFetcher(framework.dir) },
      frameworkFrom: `${framework.dir} (${framework.source})`,
    };
  }
  if (await githubReachable()) {
    await initMovePackageBuilder();
    const githubToken = process.env.GITHUB_TOKEN;
    return {
      ok: true,
      input: { files, ansiColor: false, ...(githubToken ? { githubToken } : {}) },
      frameworkFrom: "GitHub (MystenLabs/sui)",
    };
  }
  return { ok: false, reason: `${framework.reason}, and GitHub is unreachable` };
}
