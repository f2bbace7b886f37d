import { setTimeout as sleep } from "node:timers/promises";
import { clusterLabelValue, isK8sError, LABEL_CLUSTER, LABEL_MANAGED } from "../../k8s/index.ts";
import { KWOK_NODE_ANNOTATION } from "../../k8s/testenv/components.ts";
import type { KubeRequests } from "./kube-requests.ts";
import {
  ANNOTATION_WORKER_OWNER,
  LABEL_STAKE_TIER,
  LABEL_WORKER,
  LABEL_WORKER_ACTIVE,
  LABEL_WORKER_OWNER,
  ownerLabelValue,
  type StakeTier,
} from "./node-labels.ts";

const NODES = "/api/v1/nodes";

export interface WorkerNodeSpec {
  /** The k8s_daas cluster the worker serves (several may share one Kubernetes cluster). */
  clusterId: string;
  nodeId: string;
  owner: string;
  tier: StakeTier;
  resources: { cpu: string; memory: string; pods: string };
}

/**
 * Creates a simulated worker's Node, managed by KWOK (which then keeps it Ready and runs
 * its pods), labelled with the worker id, owner and stake tier, and marked active for
 * tenant placement. Idempotent: an existing Node of the same worker is kept.
 */
export async function createSimulatedWorkerNode(
  kube: KubeRequests,
  spec: WorkerNodeSpec,
): Promise<"created" | "exists"> {
  const quantities = { ...spec.resources };
  try {
    await kube.request("POST", NODES, {
      body: {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: spec.nodeId,
          annotations: {
            [KWOK_NODE_ANNOTATION]: "fake",
            "node.alpha.kubernetes.io/ttl": "0",
            [ANNOTATION_WORKER_OWNER]: spec.owner,
          },
          labels: {
            "kubernetes.io/hostname": spec.nodeId,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            type: "kwok",
            [LABEL_MANAGED]: "true",
            [LABEL_CLUSTER]: clusterLabelValue(spec.clusterId),
            [LABEL_WORKER]: spec.nodeId,
            [LABEL_WORKER_OWNER]: ownerLabelValue(spec.owner),
            [LABEL_STAKE_TIER]: spec.tier,
            [LABEL_WORKER_ACTIVE]: "true",
          },
        },
        spec: {},
        status: { allocatable: quantities, capacity: quantities },
      },
    });
    return "created";
  } catch (error) {
    if (isK8sError(error, "K8S_ALREADY_EXISTS")) return "exists";
    throw error;
  }
}

/**
 * Marks an already joined worker's Node (a real `k3s agent` registers its own) as this
 * worker's, and active. Missing node: false (not joined yet).
 */
export async function labelWorkerNode(kube: KubeRequests, spec: WorkerNodeSpec): Promise<boolean> {
  try {
    await kube.request("PATCH", `${NODES}/${encodeURIComponent(spec.nodeId)}`, {
      contentType: "application/merge-patch+json",
      body: {
        metadata: {
          annotations: { [ANNOTATION_WORKER_OWNER]: spec.owner },
          labels: {
            [LABEL_MANAGED]: "true",
            [LABEL_CLUSTER]: clusterLabelValue(spec.clusterId),
            [LABEL_WORKER]: spec.nodeId,
            [LABEL_WORKER_OWNER]: ownerLabelValue(spec.owner),
            [LABEL_STAKE_TIER]: spec.tier,
            [LABEL_WORKER_ACTIVE]: "true",
          },
        },
      },
    });
    return true;
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND")) return false;
    throw error;
  }
}

/** Cordons: no new pods (unschedulable, and no longer marked active for tenant placement). */
export async function cordonWorkerNode(kube: KubeRequests, nodeId: string): Promise<boolean> {
  return patchNode(kube, nodeId, {
    metadata: { labels: { [LABEL_WORKER_ACTIVE]: null } },
    spec: { unschedulable: true },
  });
}

/** Undoes a cordon (a worker that came back before its verdict was posted). */
export async function uncordonWorkerNode(kube: KubeRequests, nodeId: string): Promise<boolean> {
  return patchNode(kube, nodeId, {
    metadata: { labels: { [LABEL_WORKER_ACTIVE]: "true" } },
    spec: { unschedulable: null },
  });
}

async function patchNode(kube: KubeRequests, nodeId: string, patch: unknown): Promise<boolean> {
  try {
    await kube.request("PATCH", `${NODES}/${encodeURIComponent(nodeId)}`, {
      contentType: "application/merge-patch+json",
      body: patch,
    });
    return true;
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND")) return false;
    throw error;
  }
}

interface PodRef {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string };
}

async function podsOn(kube: KubeRequests, nodeId: string): Promise<PodRef[]> {
  const { body } = await kube.request("GET", "/api/v1/pods", {
    query: { fieldSelector: `spec.nodeName=${nodeId}` },
  });
  return (body as { items?: PodRef[] }).items ?? [];
}

/**
 * Evicts every pod of a cordoned node (policy/v1 Eviction, so controllers recreate them on
 * other nodes) and waits until they are gone. A pod an eviction cannot move (a disruption
 * budget says no: 429) is deleted: the node is leaving or lapsed, its pods cannot stay.
 * After `timeoutMs`, what is still terminating is deleted at once. Returns how many pods
 * were on the node.
 */
export async function drainWorkerNode(
  kube: KubeRequests,
  nodeId: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<number> {
  const pods = await podsOn(kube, nodeId);
  for (const pod of pods) {
    const { name = "", namespace = "" } = pod.metadata ?? {};
    if (pod.metadata?.deletionTimestamp) continue;
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
    try {
      await kube.request("POST", `${path}/eviction`, {
        body: {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name, namespace },
        },
      });
    } catch (error) {
      if (isK8sError(error, "K8S_NOT_FOUND")) continue;
      if (!isK8sError(error, "K8S_TOO_MANY_REQUESTS")) throw error;
      await deletePod(kube, path, undefined);
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const left = await podsOn(kube, nodeId);
    if (left.length === 0) return pods.length;
    if (Date.now() >= deadline) {
      for (const pod of left) {
        const { name = "", namespace = "" } = pod.metadata ?? {};
        await deletePod(
          kube,
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
          0,
        );
      }
      return pods.length;
    }
    await sleep(options.pollMs ?? 250);
  }
}

async function deletePod(kube: KubeRequests, path: string, gracePeriodSeconds: number | undefined) {
  try {
    await kube.request("DELETE", path, {
      ...(gracePeriodSeconds === undefined
        ? {}
        : { query: { gracePeriodSeconds: String(gracePeriodSeconds) } }),
    });
  } catch (error) {
    if (!isK8sError(error, "K8S_NOT_FOUND")) throw error;
  }
}

/** Removes the worker's Node object; a missing one is fine. */
export async function deleteWorkerNode(kube: KubeRequests, nodeId: string): Promise<void> {
  try {
    await kube.request("DELETE", `${NODES}/${encodeURIComponent(nodeId)}`);
  } catch (error) {
    if (!isK8sError(error, "K8S_NOT_FOUND")) throw error;
  }
}
