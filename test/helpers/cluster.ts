// Shared kube-testenv cluster for tests.
//
//   import { testCluster } from "../helpers/cluster.ts";
//   const cluster = await testCluster();          // ClusterHandle (admin kubeconfig, server, versions)
//   const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
//
// One cluster serves a whole `node --test` run: the first test file that asks starts it in
// a fixed data dir (building the binary first if needed, with progress on stderr), later
// test files (separate processes) find it healthy through its state file and reuse it, and
// a watcher stops it when the test runner exits. Give every test its own namespace.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CoreV1Api } from "@kubernetes/client-node";
import type { ClusterHandle } from "../../src/k8s/testenv/index.ts";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";

/** Override with K8S_DAAS_TEST_CLUSTER_DIR to keep test clusters apart (e.g. parallel runs). */
export const testClusterDataDir: string =
  process.env.K8S_DAAS_TEST_CLUSTER_DIR ?? join(repoRoot, ".data", "test-cluster");

/** Nodes in the shared test cluster. */
export const TEST_CLUSTER_NODES = 3;

/**
 * The process whose exit ends the shared cluster: the `node --test` runner when this file
 * runs under it (it sets NODE_TEST_CONTEXT in each test process), else this process.
 */
function clusterOwnerPid(): number {
  return process.env.NODE_TEST_CONTEXT ? process.ppid : process.pid;
}

let shared: Promise<ClusterHandle> | undefined;

/** The shared test cluster, started on first use. */
export function testCluster(): Promise<ClusterHandle> {
  shared ??= (async () => {
    return startCluster({
      dataDir: testClusterDataDir,
      nodes: TEST_CLUSTER_NODES,
      ownerPid: clusterOwnerPid(),
      log: (line) => process.stderr.write(`# ${line}\n`),
    });
  })();
  return shared;
}

/** A namespace name unique to this test, valid as a DNS label. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * Creates a namespace and waits until the controller-manager has given it its "default"
 * ServiceAccount: until then the API server refuses every pod in it.
 */
export async function createTestNamespace(
  core: CoreV1Api,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await waitFor(`the default ServiceAccount of namespace ${name}`, async () => {
    const accounts = await core.listNamespacedServiceAccount({ namespace: name });
    return accounts.items.some((account) => account.metadata?.name === "default") || undefined;
  });
}

/**
 * Polls `check` until it returns a value other than undefined. The timeout is generous
 * and only turns a hang into a clear failure; it is not a performance assertion.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const detail = options.describe ? `; last seen: ${await options.describe()}` : "";
      throw new Error(`timed out waiting for ${what}${detail}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}
