import {
  ANNOTATION_CLUSTER,
  ANNOTATION_WORKER_REGISTRATION,
  clusterLabelValue,
  isK8sError,
  LABEL_CLUSTER,
  LABEL_JOIN_TOKEN_ID,
} from "../../k8s/index.ts";
import { WorkerControlError } from "./errors.ts";
import type { KubeRequests } from "./kube-requests.ts";
import { LABEL_WORKER } from "./node-labels.ts";
import type { WorkerEntry } from "./registry.ts";

const NODES = "/api/v1/nodes";

/**
 * Which Node a worker registration may act on: the Node named after its node id that this
 * control plane created (simulated worker) or adopted (real `k3s agent`) for this very
 * registration of this cluster.
 */
export interface NodeBinding {
  clusterId: string;
  /** The worker's node id, which is also its Node's name. */
  nodeId: string;
  /** `<tx digest>:<event index>` of the worker's `registered` event. */
  registration: string;
  /** The uid recorded when the Node was created or adopted, once known. */
  nodeUid?: string | undefined;
}

/** The parts of a Node the binding checks read. */
export interface NodeObject {
  metadata?: {
    name?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { unschedulable?: boolean };
}

export function bindingOf(worker: WorkerEntry, clusterId: string): NodeBinding {
  return {
    clusterId,
    nodeId: worker.nodeId,
    registration: worker.registration,
    nodeUid: worker.nodeUid,
  };
}

/** The labels and annotations that bind a Node to `binding` (written at create or adopt). */
export function bindingMetadata(binding: NodeBinding): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: {
      [LABEL_CLUSTER]: clusterLabelValue(binding.clusterId),
      [LABEL_WORKER]: binding.nodeId,
    },
    annotations: {
      [ANNOTATION_CLUSTER]: binding.clusterId,
      [ANNOTATION_WORKER_REGISTRATION]: binding.registration,
    },
  };
}

/**
 * Why `node` is not the Node bound to `binding`, or undefined when it is. A recorded uid
 * decides alone (the object the control plane created or adopted, whatever its labels say
 * since); without one the binding labels and annotations must all match.
 */
export function bindingMismatch(node: NodeObject, binding: NodeBinding): string | undefined {
  const meta = node.metadata ?? {};
  const name = meta.name ?? binding.nodeId;
  if (name !== binding.nodeId) return `node ${name} is not named after worker ${binding.nodeId}`;
  if (binding.nodeUid !== undefined) {
    return meta.uid === binding.nodeUid
      ? undefined
      : `node ${name} (uid ${meta.uid ?? "?"}) is not the node bound to worker ${binding.nodeId}`;
  }
  const labels = meta.labels ?? {};
  const annotations = meta.annotations ?? {};
  const cluster = annotations[ANNOTATION_CLUSTER];
  const registration = annotations[ANNOTATION_WORKER_REGISTRATION];
  if (cluster === undefined || registration === undefined || labels[LABEL_WORKER] === undefined)
    return `node ${name} exists and was not created for a k8s_daas worker`;
  if (cluster !== binding.clusterId) return `node ${name} belongs to another k8s_daas cluster`;
  if (labels[LABEL_CLUSTER] !== clusterLabelValue(cluster))
    return `node ${name} has a cluster label that disagrees with its cluster annotation`;
  if (labels[LABEL_WORKER] !== binding.nodeId)
    return `node ${name} is bound to worker ${labels[LABEL_WORKER]}`;
  if (registration !== binding.registration)
    return `node ${name} is bound to an earlier registration of worker ${binding.nodeId}`;
  return undefined;
}

/**
 * The guard in front of every Node the control plane changes (cordon, uncordon, drain,
 * delete, label): the worker's Node when it is bound to `binding`, undefined when there is
 * no Node of that name, and WORKERS_NODE_NOT_BOUND when there is one that is not this
 * worker's — the k3s server, a kube-testenv node, another cluster's worker, or a Node that
 * existed before the worker registered. Callers then change it with its resourceVersion or
 * uid as a precondition, so the Node checked is the Node changed.
 */
export async function guardNode(
  kube: KubeRequests,
  binding: NodeBinding,
): Promise<NodeObject | undefined> {
  let node: NodeObject;
  try {
    node = (await kube.request("GET", `${NODES}/${encodeURIComponent(binding.nodeId)}`))
      .body as NodeObject;
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND")) return undefined;
    throw error;
  }
  const mismatch = bindingMismatch(node, binding);
  if (mismatch) throw new WorkerControlError("WORKERS_NODE_NOT_BOUND", mismatch);
  return node;
}

/**
 * Why a Node that a real worker's `k3s agent` registered may not be adopted for `binding`,
 * or undefined when it may: it carries no binding of anyone else and names, in
 * LABEL_JOIN_TOKEN_ID, a bootstrap token this control plane issued for this registration.
 * A Node that existed before the worker registered cannot name such a token.
 */
export function adoptionRefusal(
  node: NodeObject,
  binding: NodeBinding,
  issuedTokenIds: ReadonlySet<string>,
): string | undefined {
  const meta = node.metadata ?? {};
  const annotations = meta.annotations ?? {};
  const bound =
    annotations[ANNOTATION_CLUSTER] !== undefined ||
    annotations[ANNOTATION_WORKER_REGISTRATION] !== undefined;
  if (bound) return bindingMismatch(node, { ...binding, nodeUid: undefined });
  const tokenId = meta.labels?.[LABEL_JOIN_TOKEN_ID];
  if (tokenId === undefined || !issuedTokenIds.has(tokenId))
    return `node ${meta.name ?? binding.nodeId} did not join with a token issued for worker ${binding.nodeId}`;
  return undefined;
}

export function isNotBound(error: unknown): error is WorkerControlError {
  return error instanceof WorkerControlError && error.code === "WORKERS_NODE_NOT_BOUND";
}
