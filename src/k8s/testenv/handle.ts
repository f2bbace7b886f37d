import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterState, TestenvVersions } from "./state.ts";
import { type StopResult, stopCluster } from "./stop.ts";

/** A running kube-testenv cluster, as returned by `startCluster`. */
export interface ClusterHandle {
  readonly dataDir: string;
  /** Admin kubeconfig (client certificate in group system:masters). */
  readonly kubeconfigPath: string;
  /** API server URL, https://127.0.0.1:<port>. */
  readonly server: string;
  readonly versions: TestenvVersions;
  readonly nodes: readonly string[];
  readonly logDir: string;
  /** True when an already running healthy cluster in the data dir was reused. */
  readonly reused: boolean;
  /** Seconds this start took (0 when reused); excludes building the binary. */
  readonly startSeconds: number;
  /** Seconds spent compiling the binary during this start (0 on a cache hit). */
  readonly buildSeconds: number;
  /** A fresh client configuration for the admin user. */
  kubeConfig(): KubeConfig;
  stop(): Promise<StopResult>;
}

export function clusterHandle(
  state: ClusterState,
  logDir: string,
  timing: { reused: boolean; startSeconds: number; buildSeconds: number },
): ClusterHandle {
  return {
    dataDir: state.dataDir,
    kubeconfigPath: state.kubeconfigPath,
    server: state.server,
    versions: state.versions,
    nodes: state.nodes,
    logDir,
    ...timing,
    kubeConfig: () => {
      const config = new KubeConfig();
      config.loadFromFile(state.kubeconfigPath);
      return config;
    },
    stop: () => stopCluster(state.dataDir),
  };
}
