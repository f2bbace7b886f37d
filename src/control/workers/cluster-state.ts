import { clusterLabelValue, LABEL_CLUSTER } from "../../k8s/index.ts";
import { LIMITS } from "../../protocol/index.ts";
import type { KubeRequests } from "./kube-requests.ts";
import { LABEL_WORKER, LABEL_WORKER_ACTIVE } from "./node-labels.ts";
import type { WorkerEntry } from "./registry.ts";

/** The fields of `report_cluster_state`. */
export interface ClusterStateReport {
  node_count: bigint;
  ready_node_count: bigint;
  pod_count: bigint;
  running_pod_count: bigint;
  usage_summary: string;
}

interface NodeItem {
  metadata?: { labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: { type?: string; status?: string }[];
    allocatable?: Record<string, string>;
  };
}

interface PodItem {
  status?: { phase?: string };
}

/**
 * Counts nodes and pods and summarizes usage for the on-chain `ClusterStateEvent`. The
 * summary is compact JSON (at most 1024 bytes): worker nodes by state, workers by on-chain
 * status, pods by phase, allocatable CPU and memory of the active worker nodes.
 */
export async function measureClusterState(
  kube: KubeRequests,
  clusterId: string,
  workers: readonly WorkerEntry[],
): Promise<ClusterStateReport> {
  const nodes =
    ((await kube.request("GET", "/api/v1/nodes")).body as { items?: NodeItem[] }).items ?? [];
  const pods =
    ((await kube.request("GET", "/api/v1/pods")).body as { items?: PodItem[] }).items ?? [];
  const ready = nodes.filter((node) =>
    (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  );
  const phases: Record<string, number> = {};
  for (const pod of pods) {
    const phase = pod.status?.phase ?? "Unknown";
    phases[phase] = (phases[phase] ?? 0) + 1;
  }
  const ours = clusterLabelValue(clusterId);
  const workerNodes = nodes.filter(
    (node) => node.metadata?.labels?.[LABEL_WORKER] && node.metadata.labels[LABEL_CLUSTER] === ours,
  );
  const activeNodes = workerNodes.filter(
    (node) => node.metadata?.labels?.[LABEL_WORKER_ACTIVE] === "true" && !node.spec?.unschedulable,
  );
  const byStatus: Record<string, number> = {};
  for (const worker of workers) byStatus[worker.status] = (byStatus[worker.status] ?? 0) + 1;
  const summary = {
    v: 1,
    workerNodes: { total: workerNodes.length, active: activeNodes.length },
    workers: byStatus,
    pods: phases,
    allocatable: {
      cpuMillis: sum(activeNodes, (n) => cpuMillis(n.status?.allocatable?.cpu)),
      memoryMiB: sum(activeNodes, (n) => memoryMiB(n.status?.allocatable?.memory)),
    },
  };
  return {
    node_count: BigInt(nodes.length),
    ready_node_count: BigInt(ready.length),
    pod_count: BigInt(pods.length),
    running_pod_count: BigInt(phases.Running ?? 0),
    usage_summary: fit(JSON.stringify(summary)),
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function cpuMillis(quantity: string | undefined): number {
  if (!quantity) return 0;
  return quantity.endsWith("m") ? Number.parseInt(quantity, 10) : Number(quantity) * 1000 || 0;
}

const MEMORY_UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

function memoryMiB(quantity: string | undefined): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity ?? "");
  if (!match) return 0;
  const unit = match[2];
  return Math.floor(Number(match[1]) * (unit ? (MEMORY_UNITS[unit] ?? 0) : 1 / (1024 * 1024)));
}

/** The chain refuses summaries over 1024 bytes; the counts above still go on chain in full. */
function fit(summary: string): string {
  if (Buffer.byteLength(summary) <= LIMITS.maxUsageSummaryBytes) return summary;
  return JSON.stringify({ v: 1, truncated: true });
}
