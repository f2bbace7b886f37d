import { join } from "node:path";
import { TestenvError } from "./errors.ts";
import { clusterLayout } from "./paths.ts";
import { isOurProcess, launchDetached } from "./processes.ts";
import { readState, writeState } from "./state.ts";

export interface OwnerWatcherOptions {
  readonly dataDir: string;
  /** The cluster is stopped as soon as this process has exited. */
  readonly ownerPid: number;
}

const WATCHER_MAIN = join(import.meta.dirname, "owner-watcher-main.ts");

/**
 * Ties the cluster's lifetime to a process that does not start it itself: a detached
 * watcher stops the cluster once `ownerPid` is gone. Tests use the `node --test` runner as
 * owner, so every test file of one run shares a cluster that disappears with the run.
 * Idempotent: a live watcher already recorded for the cluster is kept.
 */
export async function watchOwner(options: OwnerWatcherOptions): Promise<number> {
  const layout = clusterLayout(options.dataDir);
  const state = await readState(layout.stateFile);
  if (!state) {
    throw new TestenvError("TESTENV_NOT_RUNNING", `no cluster recorded in ${layout.dataDir}`);
  }
  if (state.watcherPid !== undefined && (await isOurProcess(state.watcherPid, layout.dataDir))) {
    return state.watcherPid;
  }
  const watcher = launchDetached(
    process.execPath,
    [WATCHER_MAIN, layout.dataDir, String(options.ownerPid)],
    join(layout.logDir, "owner-watcher.log"),
  );
  await writeState(layout.stateFile, { ...state, watcherPid: watcher.pid });
  return watcher.pid;
}
