import { setTimeout as sleep } from "node:timers/promises";
import { isK8sError, LABEL_JOIN_TOKEN_ID, LABEL_MANAGED } from "../../k8s/index.ts";
import { KWOK_NODE_ANNOTATION } from "../../k8s/testenv/components.ts";
import type { KubeRequests } from "./kube-requests.ts";
import { bindingMetadata, guardNode, type NodeBinding, type NodeObject } from "./node-binding.ts";
import {
  ANNOTATION_WORKER_OWNER,
  LABEL_STAKE_TIER,
  LABEL_WORKER_ACTIVE,
  LABEL_WORKER_OWNER,
  ownerLabelValue,
  type StakeTier,
} from "./node-labels.ts";

const NODES = "/api/v1/nodes";

/** Changes of a guarded Node that lose a race with another writer are retried this often. */
const CONFLICT_ATTEMPTS = 5;

export interface WorkerNodeSpec {
  /** The registration the Node is created or adopted for (and which cluster it serves). */
  binding: NodeBinding;
  owner: string;
  tier: StakeTier;
  resources: { cpu: string; memory: string; pods: string };
  /** The bootstrap token the worker joined with. */
  joinTokenId: string;
}

/** Labels and annotations of a worker's Node: its binding, owner, tier, and active mark. */
function workerMetadata(spec: WorkerNodeSpec) {
  const binding = bindingMetadata(spec.binding);
  return {
    annotations: { ...binding.annotations, [ANNOTATION_WORKER_OWNER]: spec.owner },
    labels: {
      ...binding.labels,
      [LABEL_MANAGED]: "true",
      [LABEL_WORKER_OWNER]: ownerLabelValue(spec.owner),
      [LABEL_STAKE_TIER]: spec.tier,
      [LABEL_WORKER_ACTIVE]: "true",
      [LABEL_JOIN_TOKEN_ID]: spec.joinTokenId,
    },
  };
}

/**
 * Creates a simulated worker's Node, managed by KWOK (which then keeps it Ready and runs
 * its pods), bound to the worker's registration, labelled with its owner and stake tier, and
 * marked active for tenant placement. Idempotent: an existing Node bound to the same
 * registration is kept; any other Node of that name is refused (WORKERS_NODE_NOT_BOUND).
 */
export async function createSimulatedWorkerNode(
  kube: KubeRequests,
  spec: WorkerNodeSpec,
): Promise<{ outcome: "created" | "exists"; uid: string }> {
  const quantities = { ...spec.resources };
  const metadata = workerMetadata(spec);
  for (let attempt = 1; ; attempt++) {
    try {
      const { body } = await kube.request("POST", NODES, {
        body: {
          apiVersion: "v1",
          kind: "Node",
          metadata: {
            name: spec.binding.nodeId,
            annotations: {
              [KWOK_NODE_ANNOTATION]: "fake",
              "node.alpha.kubernetes.io/ttl": "0",
              ...metadata.annotations,
            },
            labels: {
              "kubernetes.io/hostname": spec.binding.nodeId,
              "kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64",
              type: "kwok",
              ...metadata.labels,
            },
          },
          spec: {},
          status: { allocatable: quantities, capacity: quantities },
        },
      });
      return { outcome: "created", uid: (body as NodeObject).metadata?.uid ?? "" };
    } catch (error) {
      // Present again after every retry (deleted and re-created in between): give up.
      if (!isK8sError(error, "K8S_ALREADY_EXISTS") || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
    const existing = await guardNode(kube, { ...spec.binding, nodeUid: undefined });
    if (existing) return { outcome: "exists", uid: existing.metadata?.uid ?? "" };
    // Deleted between the two calls: create it again.
  }
}

/**
 * Binds a real worker's Node (its `k3s agent` registered it) to the worker's registration
 * and marks it active. `node` is the object the adoption check read: the patch carries its
 * resourceVersion, so a Node changed since is not adopted (undefined; the next pass looks
 * again). Returns the adopted Node's uid.
 */
export async function adoptAgentNode(
  kube: KubeRequests,
  node: NodeObject,
  spec: WorkerNodeSpec,
): Promise<string | undefined> {
  const metadata = workerMetadata(spec);
  try {
    await kube.request("PATCH", `${NODES}/${encodeURIComponent(spec.binding.nodeId)}`, {
      contentType: "application/merge-patch+json",
      body: { metadata: { ...metadata, resourceVersion: node.metadata?.resourceVersion } },
    });
    return node.metadata?.uid;
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND") || isK8sError(error, "K8S_CONFLICT")) return undefined;
    throw error;
  }
}

/**
 * Cordons: no new pods (unschedulable, and no longer marked active for tenant placement).
 * False when there is no such Node; WORKERS_NODE_NOT_BOUND when it is not the worker's.
 */
export async function cordonWorkerNode(kube: KubeRequests, binding: NodeBinding): Promise<boolean> {
  return patchBoundNode(kube, binding, {
    metadata: { labels: { [LABEL_WORKER_ACTIVE]: null } },
    spec: { unschedulable: true },
  });
}

/** Undoes a cordon (a worker that came back before its verdict was posted). */
export async function uncordonWorkerNode(
  kube: KubeRequests,
  binding: NodeBinding,
): Promise<boolean> {
  return patchBoundNode(kube, binding, {
    metadata: { labels: { [LABEL_WORKER_ACTIVE]: "true" } },
    spec: { unschedulable: null },
  });
}

/**
 * A merge patch of the worker's Node, after the guard, with the resourceVersion it checked
 * as a precondition: a Node replaced or changed in between is checked again.
 */
async function patchBoundNode(
  kube: KubeRequests,
  binding: NodeBinding,
  patch: { metadata: Record<string, unknown>; spec?: Record<string, unknown> },
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const node = await guardNode(kube, binding);
    if (!node) return false;
    try {
      await kube.request("PATCH", `${NODES}/${encodeURIComponent(binding.nodeId)}`, {
        contentType: "application/merge-patch+json",
        body: {
          ...patch,
          metadata: { ...patch.metadata, resourceVersion: node.metadata?.resourceVersion },
        },
      });
      return true;
    } catch (error) {
      if (isK8sError(error, "K8S_NOT_FOUND")) return false;
      if (!isK8sError(error, "K8S_CONFLICT") || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
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
  binding: NodeBinding,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<number> {
  const { nodeId } = binding;
  const before = await guardNode(kube, binding);
  if (!before) return 0;
  const pods = await podsOn(kube, nodeId);
  // The pods listed ran on the Node checked, not on one put in its place meanwhile.
  const after = await guardNode(kube, binding);
  if (after?.metadata?.uid !== before.metadata?.uid) return 0;
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

/**
 * Removes the worker's Node object, with the uid and resourceVersion the guard checked as
 * preconditions; a missing one is fine.
 */
export async function deleteWorkerNode(kube: KubeRequests, binding: NodeBinding): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const node = await guardNode(kube, binding);
    if (!node) return;
    try {
      await kube.request("DELETE", `${NODES}/${encodeURIComponent(binding.nodeId)}`, {
        body: {
          apiVersion: "v1",
          kind: "DeleteOptions",
          preconditions: {
            uid: node.metadata?.uid,
            resourceVersion: node.metadata?.resourceVersion,
          },
        },
      });
      return;
    } catch (error) {
      if (isK8sError(error, "K8S_NOT_FOUND")) return;
      if (!isK8sError(error, "K8S_CONFLICT") || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
  }
}
