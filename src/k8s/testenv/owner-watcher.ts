import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { moduleBeside } from "../../install/index.ts";
import { TestenvError } from "./errors.ts";
import { type ClusterLayout, clusterLayout } from "./paths.ts";
import { isOurProcess, launchDetached } from "./processes.ts";
import { withDataDirLock } from "./start-lock.ts";
import { readState, writeState } from "./state.ts";

/** The watcher's entry module; its file name is how `testenvProcesses` recognises it. */
export const WATCHER_MAIN = moduleBeside(import.meta.url, "./owner-watcher-main");

/** Owner pids registered for the cluster in `ownersFile`. */
export async function readOwners(ownersFile: string): Promise<number[]> {
  const text = await readFile(ownersFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .map((line) => Number.parseInt(line, 10))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * Ties the cluster's lifetime to processes that do not start it themselves: `ownerPid` is
 * registered as an owner and a detached watcher stops the cluster once no owner is alive.
 * Tests use the `node --test` runner as owner, so every test file of a run shares one
 * cluster that disappears with the run; parallel runs on the same data dir each register,
 * and the last one to finish ends it. Idempotent. The caller holds the data dir lock
 * (startCluster calls this), so the watcher cannot stop the cluster in between.
 */
export async function registerOwner(layout: ClusterLayout, ownerPid: number): Promise<number> {
  const state = await readState(layout.stateFile);
  if (!state) {
    throw new TestenvError("TESTENV_NOT_RUNNING", `no cluster recorded in ${layout.dataDir}`);
  }
  if (!(await readOwners(layout.ownersFile)).includes(ownerPid)) {
    await appendFile(layout.ownersFile, `${ownerPid}\n`);
  }
  if (state.watcherPid !== undefined && (await isOurProcess(state.watcherPid, layout.dataDir))) {
    return state.watcherPid;
  }
  const watcher = launchDetached(
    process.execPath,
    [WATCHER_MAIN, layout.dataDir],
    join(layout.logDir, "owner-watcher.log"),
  );
  await writeState(layout.stateFile, { ...state, watcherPid: watcher.pid });
  return watcher.pid;
}

export interface OwnerWatcherOptions {
  readonly dataDir: string;
  /** The cluster is stopped once this process (and every other registered owner) has exited. */
  readonly ownerPid: number;
}

/**
 * registerOwner for a cluster that is already running (prefer StartOptions.ownerPid, which
 * registers atomically with the start). Waits for the data dir lock.
 */
export function watchOwner(options: OwnerWatcherOptions): Promise<number> {
  const layout = clusterLayout(options.dataDir);
  return withDataDirLock(
    layout.lockFile,
    () => {},
    () => registerOwner(layout, options.ownerPid),
  );
}
