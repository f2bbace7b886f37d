import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { binaryVersions } from "./binary-versions.ts";
import { ensureBuilt } from "./build.ts";
import { type ClusterPorts, componentSpecs, serviceClusterIp } from "./components.ts";
import { TestenvError } from "./errors.ts";
import { type ClusterHandle, clusterHandle } from "./handle.ts";
import { clientCertFiles, writeKubeconfig } from "./kubeconfig.ts";
import { prepareKwokDebugging } from "./kwok-debugging.ts";
import {
  createSimulatedNodes,
  defaultNodeResources,
  type NodeResources,
  simulatedNodeNames,
} from "./nodes.ts";
import { registerOwner } from "./owner-watcher.ts";
import { type ClusterLayout, clusterLayout } from "./paths.ts";
import { freeLoopbackPorts } from "./ports.ts";
import { loadProbeCredentials } from "./probes.ts";
import { launchDetached } from "./processes.ts";
import { waitHealthy, waitNodesReady } from "./readiness.ts";
import { runCommand } from "./run-command.ts";
import { withDataDirLock } from "./start-lock.ts";
import { type ClusterState, type ComponentState, writeState } from "./state.ts";
import { clusterStatus } from "./status.ts";
import { stopProcesses } from "./stop.ts";

export interface StartOptions {
  /** Directory for state, PKI, etcd data, kubeconfigs and logs. */
  readonly dataDir: string;
  /** Number of KWOK nodes (default 3). */
  readonly nodes?: number;
  readonly nodeResources?: NodeResources;
  /** Budget for the whole startup after the binary is built (default 180 s). */
  readonly readyTimeoutMs?: number;
  /** Use this binary instead of `ensureBuilt()`. */
  readonly binary?: string;
  readonly log?: (line: string) => void;
  /**
   * Stop the cluster automatically once this process (and every other owner registered
   * the same way) has exited; for clusters shared by test processes. Without it the
   * cluster runs until stopCluster.
   */
  readonly ownerPid?: number;
}

/** Clients of the API server that get their own certificate and kubeconfig. */
const CLIENTS = ["admin", "controller-manager", "scheduler", "kwok"] as const;

/**
 * Starts a control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
 * KWOK) in `dataDir` as detached processes and waits until it serves and N nodes are Ready.
 * If a healthy cluster already runs there it is reused; a half-alive one is refused.
 */
export async function startCluster(options: StartOptions): Promise<ClusterHandle> {
  const layout = clusterLayout(options.dataDir);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await mkdir(layout.dataDir, { recursive: true });

  // Another process may be starting or stopping a cluster here right now (parallel test
  // runs share the test data dir): wait for it, then reuse what it started.
  return withDataDirLock(layout.lockFile, log, async () => {
    const handle = await reuseOrLaunch(layout, options, log);
    if (options.ownerPid !== undefined) await registerOwner(layout, options.ownerPid);
    return handle;
  });
}

async function reuseOrLaunch(
  layout: ClusterLayout,
  options: StartOptions,
  log: (line: string) => void,
): Promise<ClusterHandle> {
  const reusable = await reusableCluster(layout, options.nodes ?? 3);
  if (reusable) return reusable;
  const build = options.binary
    ? { path: options.binary, buildSeconds: 0 }
    : await ensureBuilt({ log });
  const started = performance.now();
  const state = await launch(layout, build.path, options, log);
  const startSeconds = (performance.now() - started) / 1000;
  log(`kube-testenv: cluster ready in ${startSeconds.toFixed(1)}s at ${state.server}`);
  return clusterHandle(state, layout.logDir, {
    reused: false,
    startSeconds,
    buildSeconds: build.buildSeconds,
  });
}

async function reusableCluster(
  layout: ClusterLayout,
  nodes: number,
): Promise<ClusterHandle | undefined> {
  const status = await clusterStatus(layout.dataDir);
  if (!status.exists || !status.state) return undefined;
  if (status.healthy && status.state.nodes.length === nodes) {
    return clusterHandle(status.state, layout.logDir, {
      reused: true,
      startSeconds: 0,
      buildSeconds: 0,
    });
  }
  if (status.anyAlive) {
    const summary = status.components
      .map(
        (c) => `${c.name} pid ${c.pid} ${c.healthy ? "healthy" : c.alive ? "unhealthy" : "dead"}`,
      )
      .join(", ");
    const why = status.healthy
      ? `it has ${status.state.nodes.length} nodes, ${nodes} were asked for`
      : "it is not healthy";
    throw new TestenvError(
      "TESTENV_ALREADY_RUNNING",
      `a cluster already runs in ${layout.dataDir} but ${why} (${summary}); ` +
        "stop it first (npm run cluster:down, or stopCluster(dataDir))",
    );
  }
  // Recorded but fully dead (machine rebooted, processes killed): start afresh.
  await stopProcesses(layout);
  return undefined;
}

async function allocatePorts(): Promise<ClusterPorts> {
  const ports = await freeLoopbackPorts(6);
  const port = (index: number): number => {
    const value = ports[index];
    if (value === undefined) throw new Error("port allocation returned too few ports");
    return value;
  };
  return {
    etcdClient: port(0),
    etcdPeer: port(1),
    apiserver: port(2),
    controllerManager: port(3),
    scheduler: port(4),
    kwok: port(5),
  };
}

async function preparePki(layout: ClusterLayout, binary: string): Promise<void> {
  const result = await runCommand(binary, [
    "certs",
    `--dir=${layout.pkiDir}`,
    `--service-ip=${serviceClusterIp}`,
  ]);
  if (result.code !== 0) {
    throw new TestenvError("TESTENV_CERTS_FAILED", `kube-testenv certs failed: ${result.stderr}`);
  }
}

async function writeKubeconfigs(layout: ClusterLayout, server: string): Promise<void> {
  const caFile = join(layout.pkiDir, "ca.crt");
  for (const client of CLIENTS) {
    const path = client === "admin" ? layout.adminKubeconfig : layout.kubeconfigFor(client);
    await writeKubeconfig(path, {
      server,
      caFile,
      user: client,
      ...clientCertFiles(layout.pkiDir, client),
    });
  }
}

/** Everything of a previous run except the state file, which stopCluster owns. */
async function wipePreviousRun(layout: ClusterLayout): Promise<void> {
  for (const dir of [
    layout.etcdDir,
    layout.pkiDir,
    layout.logDir,
    join(layout.dataDir, "serving"),
  ]) {
    await rm(dir, { recursive: true, force: true });
  }
  await rm(layout.ownersFile, { force: true });
  await mkdir(layout.logDir, { recursive: true });
}

async function launch(
  layout: ClusterLayout,
  binary: string,
  options: StartOptions,
  log: (line: string) => void,
): Promise<ClusterState> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  const nodeNames = simulatedNodeNames(options.nodes ?? 3);
  await wipePreviousRun(layout);
  const versions = await binaryVersions(binary);
  await preparePki(layout, binary);
  const ports = await allocatePorts();
  const server = `https://127.0.0.1:${ports.apiserver}`;
  await writeKubeconfigs(layout, server);
  const adminCert = clientCertFiles(layout.pkiDir, "admin");
  const credentials = await loadProbeCredentials(
    join(layout.pkiDir, "ca.crt"),
    adminCert.certFile,
    adminCert.keyFile,
  );

  const launched: ComponentState[] = [];
  const startedAt = new Date().toISOString();
  const stateNow = (): ClusterState => ({
    formatVersion: 1,
    dataDir: layout.dataDir,
    binary,
    server,
    kubeconfigPath: layout.adminKubeconfig,
    versions,
    nodes: nodeNames,
    startedAt,
    components: launched,
  });

  try {
    await prepareKwokDebugging(layout);
    for (const spec of componentSpecs(layout, ports)) {
      const logFile = layout.logFileFor(spec.name);
      const child = launchDetached(binary, spec.args, logFile);
      const component: ComponentState = {
        name: spec.name,
        pid: child.pid,
        logFile,
        healthUrl: spec.healthUrl,
      };
      launched.push(component);
      // Recorded before waiting, so a failed start can still be stopped by pid.
      await writeState(layout.stateFile, stateNow());
      log(`kube-testenv: started ${spec.name} (pid ${child.pid}), log ${logFile}`);
      await waitHealthy(component, child, credentials, deadline);
      if (spec.name === "kwok") {
        const core = adminCoreApi(layout.adminKubeconfig);
        await createSimulatedNodes(core, nodeNames, options.nodeResources ?? defaultNodeResources);
        await waitNodesReady(core, nodeNames, component, child, deadline);
      }
    }
  } catch (error) {
    await stopProcesses(layout).catch(() => undefined);
    throw error;
  }
  return stateNow();
}

function adminCoreApi(kubeconfigPath: string): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config.makeApiClient(CoreV1Api);
}
