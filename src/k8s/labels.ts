import { createHash } from "node:crypto";

/** Labels and annotations the control plane puts on what it manages. */
export const ANNOTATION_REQUEST_ID = "k8s-daas.io/request-id";
export const LABEL_MANAGED = "k8s-daas.io/managed";
/** An annotation: a Sui address (66 characters) is longer than a label value may be. */
export const ANNOTATION_OWNER = "k8s-daas.io/owner";
export const LABEL_CLUSTER = "k8s-daas.io/cluster";
/** Server-side apply field manager of every tenant write. */
export const FIELD_MANAGER = "k8s-daas";
/** The ServiceAccount in each tenant namespace whose identity tenant operations use. */
export const TENANT_SERVICE_ACCOUNT = "k8s-daas-tenant";

export function tenantUser(namespace: string): string {
  return `system:serviceaccount:${namespace}:${TENANT_SERVICE_ACCOUNT}`;
}

/**
 * The full cluster id, as an annotation: a Sui object id (66 characters) does not fit a
 * label value (63), so the `LABEL_CLUSTER` label holds `clusterLabelValue(id)` for
 * selection and this annotation holds the id itself.
 */
export const ANNOTATION_CLUSTER = "k8s-daas.io/cluster";

/**
 * The NamespaceCap id of the claim a tenant namespace was provisioned for. A name can be
 * released and claimed again; a namespace whose claim is not the current one holds the
 * previous tenant's objects and is deleted before the name serves anyone else.
 */
export const ANNOTATION_CLAIM = "k8s-daas.io/claim";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** `clusterId` itself when it is a valid label value, else a 48-hex-digit SHA-256 prefix. */
export function clusterLabelValue(clusterId: string): string {
  if (LABEL_VALUE.test(clusterId)) return clusterId;
  return createHash("sha256").update(clusterId).digest("hex").slice(0, 48);
}

/**
 * The worker registration a Node was bound to, `<tx digest>:<event index>` of its
 * `WorkerNodeEvent{registered}`. Written only by nautilus-control, when it creates the Node
 * (simulated worker) or adopts it (real `k3s agent`); with the cluster annotation and the
 * worker label it is the Node's binding, and no Node without a matching binding is ever
 * cordoned, drained, deleted or adopted.
 */
export const ANNOTATION_WORKER_REGISTRATION = "k8s-daas.io/worker-registration";

/**
 * The id (public half) of the bootstrap token a real worker's `k3s agent` joined with, set
 * by the agent's kubelet when it registers its Node (`--node-label`). nautilus-control
 * adopts a Node only if this names a token it issued for that worker's registration, so a
 * Node that existed before (the k3s server, another cluster's worker) is never adopted.
 */
export const LABEL_JOIN_TOKEN_ID = "k8s-daas.io/join-token-id";
