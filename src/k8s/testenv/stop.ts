import { rm } from "node:fs/promises";
import { TestenvError } from "./errors.ts";
import { type ClusterLayout, clusterLayout } from "./paths.ts";
import { isAlive, isOurProcess, stopProcessGroup, testenvProcessesUsing } from "./processes.ts";
import { withDataDirLock } from "./start-lock.ts";
import { type ComponentState, readState } from "./state.ts";

export interface StopResult {
  readonly dataDir: string;
  /** False when no cluster was recorded in the data dir. */
  readonly wasRunning: boolean;
  readonly stopped: readonly string[];
}

/**
 * Stops every process of the cluster in `dataDir` (watcher first, then the components,
 * etcd last), each by its process group, and verifies none is left.
 * Data (etcd, logs, PKI) stays on disk for inspection; the next start wipes it.
 */
export function stopCluster(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<StopResult> {
  const layout = clusterLayout(dataDir);
  return withDataDirLock(layout.lockFile, log, () => stopProcesses(layout));
}

/** stopCluster for a caller that already holds the data directory lock. */
export async function stopProcesses(layout: ClusterLayout): Promise<StopResult> {
  const state = await readState(layout.stateFile);
  if (!state) return { dataDir: layout.dataDir, wasRunning: false, stopped: [] };

  if (state.watcherPid !== undefined && state.watcherPid !== process.pid) {
    if (await isOurProcess(state.watcherPid, layout.dataDir)) {
      await stopProcessGroup(state.watcherPid, 5_000);
    }
  }
  const stopped: string[] = [];
  const leftovers: string[] = [];
  const stopOne = async (component: ComponentState): Promise<void> => {
    // Only signal a recorded pid that still runs our command line: pids get reused.
    if (!(await isOurProcess(component.pid, layout.dataDir))) return;
    const gone = await stopProcessGroup(component.pid);
    if (gone && !isAlive(component.pid)) stopped.push(`${component.name} (pid ${component.pid})`);
    else leftovers.push(`${component.name} (pid ${component.pid})`);
  };
  // Each component takes a second or two to shut down gracefully, so the clients of etcd
  // stop together, and etcd last so none of them loses its storage mid-request.
  const isEtcd = (component: ComponentState): boolean => component.name === "etcd";
  await Promise.all(state.components.filter((c) => !isEtcd(c)).map(stopOne));
  await Promise.all(state.components.filter(isEtcd).map(stopOne));
  // Processes the state file does not name (a crash between launch and the state write).
  for (const pid of await testenvProcessesUsing(layout.dataDir)) {
    if (!(await stopProcessGroup(pid))) leftovers.push(`pid ${pid}`);
  }
  if (leftovers.length > 0) {
    throw new TestenvError(
      "TESTENV_STOP_FAILED",
      `could not stop ${leftovers.join(", ")} in ${layout.dataDir}`,
    );
  }
  await rm(layout.stateFile, { force: true });
  return { dataDir: layout.dataDir, wasRunning: true, stopped };
}
