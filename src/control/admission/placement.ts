import { clusterLabelValue, LABEL_CLUSTER } from "../../k8s/index.ts";
import type { AdmittedOperation } from "../../k8s/operations.ts";
import { LABEL_WORKER_ACTIVE } from "../workers/node-labels.ts";
import { findPodTemplate } from "./pod-templates.ts";
import { isMapping, type Mapping } from "./values.ts";

/**
 * Keeps tenant pods on active workers' nodes: every pod template a tenant writes gets
 * `nodeSelector[k8s-daas.io/worker-active] = "true"` and `[k8s-daas.io/cluster] = <this
 * cluster>` (ANDed with whatever the tenant selects, and overriding any value the tenant gave
 * those keys; the cluster key keeps two k8s_daas clusters sharing one Kubernetes cluster
 * apart). The control plane puts that
 * label on a worker's Node when it joins and removes it when the node is cordoned, so the
 * scheduler places new pods only on live, staked workers. The policy checks run before this
 * and already refuse `nodeName` and blanket tolerations, so a tenant cannot step around it.
 */
export function withWorkerPlacement(
  operation: AdmittedOperation,
  clusterId: string,
): AdmittedOperation {
  const selector = (current: unknown): Mapping => ({
    ...(isMapping(current) ? current : {}),
    [LABEL_WORKER_ACTIVE]: "true",
    [LABEL_CLUSTER]: clusterLabelValue(clusterId),
  });
  if (
    operation.kind === "apply" ||
    operation.kind === "create" ||
    (operation.kind === "update" && operation.subresource === undefined)
  ) {
    const object = structuredClone(operation.object);
    const found = findPodTemplate(object.kind, object, "absent");
    if (!found.ok || !found.value) return operation;
    found.value.spec.nodeSelector = selector(found.value.spec.nodeSelector);
    return { ...operation, object };
  }
  if (
    operation.kind === "typed-patch" &&
    operation.patchType === "apply" &&
    !operation.subresource
  ) {
    const object = structuredClone(operation.patch) as Mapping;
    const found = findPodTemplate(operation.resource.kind, object, "absent");
    if (!found.ok || !found.value) return operation;
    found.value.spec.nodeSelector = selector(found.value.spec.nodeSelector);
    return { ...operation, patch: object };
  }
  if (operation.kind === "patch") {
    const patch = structuredClone(operation.patch);
    const found = findPodTemplate(operation.resource.kind, patch, "deletion");
    // A patch that leaves nodeSelector alone keeps the selector the object already has.
    if (!found.ok || !found.value || !("nodeSelector" in found.value.spec)) return operation;
    found.value.spec.nodeSelector = selector(found.value.spec.nodeSelector);
    return { ...operation, patch };
  }
  return operation;
}
