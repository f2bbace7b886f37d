import { join } from "node:path";
import { componentNames } from "./components.ts";
import { clusterLayout } from "./paths.ts";
import { loadProbeCredentials, probe } from "./probes.ts";
import { isOurProcess } from "./processes.ts";
import { type ClusterState, type ComponentName, readState } from "./state.ts";

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly pid: number;
  readonly alive: boolean;
  readonly healthy: boolean;
  readonly logFile: string;
}

export interface ClusterStatus {
  readonly dataDir: string;
  /** No state file: nothing was started here (or it was stopped cleanly). */
  readonly exists: boolean;
  /** Every component process is alive and answers its health check. */
  readonly healthy: boolean;
  /** At least one component process is alive. */
  readonly anyAlive: boolean;
  readonly state?: ClusterState;
  readonly components: readonly ComponentStatus[];
}

/** Inspects the cluster recorded in `dataDir` without changing anything. */
export async function clusterStatus(dataDir: string): Promise<ClusterStatus> {
  const layout = clusterLayout(dataDir);
  const state = await readState(layout.stateFile);
  if (!state) {
    return {
      dataDir: layout.dataDir,
      exists: false,
      healthy: false,
      anyAlive: false,
      components: [],
    };
  }
  const credentials = await loadProbeCredentials(
    join(layout.pkiDir, "ca.crt"),
    join(layout.pkiDir, "admin.crt"),
    join(layout.pkiDir, "admin.key"),
  ).catch(() => undefined);
  const components = await Promise.all(
    state.components.map(async (component): Promise<ComponentStatus> => {
      const alive = await isOurProcess(component.pid, layout.dataDir);
      const healthy =
        alive && credentials !== undefined
          ? (await probe(component.healthUrl, credentials, component.name === "apiserver")).ok
          : false;
      return {
        name: component.name,
        pid: component.pid,
        alive,
        healthy,
        logFile: component.logFile,
      };
    }),
  );
  return {
    dataDir: layout.dataDir,
    exists: true,
    healthy:
      componentNames.every((name) => components.some((c) => c.name === name)) &&
      components.every((c) => c.healthy),
    anyAlive: components.some((c) => c.alive),
    state,
    components,
  };
}
