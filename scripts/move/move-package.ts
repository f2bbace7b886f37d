// Shared setup of `move:build` and `move:test`: the package snapshot, the framework
// fetcher, and the WASM compiler initialisation.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initMovePackageBuilder, type MovePackageInput } from "@zktx.io/sui-move-builder/full";
import { type FrameworkLookup, locateFramework } from "./framework-location.ts";
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

export type PreparedInput =
  | { ok: true; input: MovePackageInput; framework: FrameworkLookup & { found: true } }
  | { ok: false; reason: string };

/**
 * Reads the package and wires the local framework. Online builds could fetch the framework
 * from GitHub, but the local copy keeps builds reproducible and offline-capable, so it is
 * required unless `K8S_DAAS_MOVE_ONLINE=1`.
 */
export async function prepareMoveInput(): Promise<PreparedInput> {
  const files = readPackageFiles(MOVE_PACKAGE_DIR);
  const framework = locateFramework();
  if (!framework.found) {
    if (process.env.K8S_DAAS_MOVE_ONLINE === "1") {
      await initMovePackageBuilder();
      return {
        ok: true,
        input: { files, ansiColor: false },
        framework: { found: true, dir: "github", source: "cache" },
      };
    }
    return { ok: false, reason: framework.reason };
  }
  await initMovePackageBuilder();
  return {
    ok: true,
    input: { files, ansiColor: false, fetcher: new LocalFrameworkFetcher(framework.dir) },
    framework,
  };
}
