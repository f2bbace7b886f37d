import { resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { findK3s, K3sServer } from "../../k8s/k3s.ts";
import { clusterStatus, startCluster, stopCluster, watchOwner } from "../../k8s/testenv/index.ts";

/** The cluster the local stack runs on, and how to stop it (if the stack started it). */
export interface StackCluster {
  /** What it is, for people: "KUBECONFIG /…", "k3s", "kube-testenv". */
  description: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Undefined when the stack did not start it (KUBECONFIG, or a reused kube-testenv). */
  stop: (() => Promise<string>) | undefined;
}

export type ClusterChoice = "auto" | "kubeconfig" | "k3s" | "testenv";

/**
 * The design's order: KUBECONFIG if set, else `k3s` on PATH, else kube-testenv (built from
 * Go on first use; that can take minutes, with progress on `log`).
 */
export async function openStackCluster(options: {
  choice: ClusterChoice;
  kubeconfig: string | undefined;
  dataDir: string;
  log: (line: string) => void;
  /**
   * Told how to stop a cluster this call is about to start, before it starts: a forced stop
   * in the middle of a long start must not leave its processes behind.
   */
  onStarting?: (stop: () => Promise<string>) => void;
}): Promise<StackCluster> {
  const { choice, log } = options;
  const kubeconfig = options.kubeconfig === undefined ? undefined : resolve(options.kubeconfig);
  if (choice === "kubeconfig" || (choice === "auto" && kubeconfig)) {
    if (!kubeconfig) throw new Error("--cluster kubeconfig needs KUBECONFIG or --kubeconfig");
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
    return {
      description: `KUBECONFIG ${kubeconfig}`,
      kubeconfigPath: kubeconfig,
      kubeConfig,
      stop: undefined,
    };
  }
  if (choice === "k3s" || (choice === "auto" && findK3s())) {
    const k3s = new K3sServer({
      dataDir: `${options.dataDir}/k3s`,
      log: (line) => log(`k3s: ${line}`),
    });
    log("starting k3s server (needs root or rootless setup)...");
    const kubeConfig = await k3s.start();
    return {
      description: "k3s server",
      kubeconfigPath: k3s.kubeconfigPath,
      kubeConfig,
      stop: async () => {
        await k3s.stop();
        return "k3s server";
      },
    };
  }
  const dataDir = `${options.dataDir}/cluster`;
  const stop = async () => {
    const result = await stopCluster(dataDir);
    return `kube-testenv: ${result.stopped.join(", ") || "nothing left"}`;
  };
  // A healthy cluster already in the data dir is reused, and is not ours to stop.
  if (!(await clusterStatus(dataDir)).healthy) options.onStarting?.(stop);
  const cluster = await startCluster({ dataDir, nodes: 3, log: (line) => log(line) });
  // Should this process die without cleaning up, the watcher stops the cluster anyway.
  if (!cluster.reused) await watchOwner({ dataDir, ownerPid: process.pid });
  return {
    description: `kube-testenv (Kubernetes ${cluster.versions.kubernetes}, ${cluster.nodes.length} KWOK nodes${cluster.reused ? ", already running" : ""})`,
    kubeconfigPath: cluster.kubeconfigPath,
    kubeConfig: cluster.kubeConfig(),
    stop: cluster.reused ? undefined : stop,
  };
}
