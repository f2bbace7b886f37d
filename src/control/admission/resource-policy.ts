// Which resources a tenant may name, and with which methods. The allowlist itself lives in
// src/k8s/resources.ts; this file explains refusals, so a tenant asking for `roles` learns
// why, not just that `roles` is not on a list.
import { apiVersionOf, type ResourceType, tenantResource } from "../../k8s/resources.ts";
import { accept, type Checked, refuse, rejection } from "./errors.ts";

type Refusal =
  | "ADMISSION_RESOURCE_RBAC"
  | "ADMISSION_RESOURCE_CLUSTER_SCOPED"
  | "ADMISSION_RESOURCE_FORBIDDEN";

/** Well-known Kubernetes resources tenants may not use, by plural, with the reason. */
const REFUSED: ReadonlyMap<string, { kind: string; code: Refusal; why: string }> = new Map([
  ...rbac(
    ["roles", "Role"],
    ["rolebindings", "RoleBinding"],
    ["clusterroles", "ClusterRole"],
    ["clusterrolebindings", "ClusterRoleBinding"],
  ),
  ...clusterScoped(
    ["namespaces", "Namespace"],
    ["nodes", "Node"],
    ["persistentvolumes", "PersistentVolume"],
    ["storageclasses", "StorageClass"],
    ["customresourcedefinitions", "CustomResourceDefinition"],
    ["mutatingwebhookconfigurations", "MutatingWebhookConfiguration"],
    ["validatingwebhookconfigurations", "ValidatingWebhookConfiguration"],
    ["validatingadmissionpolicies", "ValidatingAdmissionPolicy"],
    ["validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding"],
    ["mutatingadmissionpolicies", "MutatingAdmissionPolicy"],
    ["mutatingadmissionpolicybindings", "MutatingAdmissionPolicyBinding"],
    ["priorityclasses", "PriorityClass"],
    ["runtimeclasses", "RuntimeClass"],
    ["ingressclasses", "IngressClass"],
    ["csidrivers", "CSIDriver"],
    ["csinodes", "CSINode"],
    ["volumeattachments", "VolumeAttachment"],
    ["certificatesigningrequests", "CertificateSigningRequest"],
    ["apiservices", "APIService"],
    ["flowschemas", "FlowSchema"],
    ["prioritylevelconfigurations", "PriorityLevelConfiguration"],
    ["componentstatuses", "ComponentStatus"],
    ["tokenreviews", "TokenReview"],
    ["subjectaccessreviews", "SubjectAccessReview"],
    ["selfsubjectaccessreviews", "SelfSubjectAccessReview"],
    ["selfsubjectrulesreviews", "SelfSubjectRulesReview"],
    ["ipaddresses", "IPAddress"],
    ["servicecidrs", "ServiceCIDR"],
    ["deviceclasses", "DeviceClass"],
    ["resourceslices", "ResourceSlice"],
  ),
  ...forbidden(
    ["serviceaccounts", "ServiceAccount", "the tenant's identity is managed by the control plane"],
    ["endpoints", "Endpoints", "endpoints are maintained by Kubernetes from Services"],
    ["endpointslices", "EndpointSlice", "endpoint slices are maintained by Kubernetes"],
    ["leases", "Lease", "leases are for controllers, not tenants"],
    ["podtemplates", "PodTemplate", "use a Deployment, Job or CronJob"],
    ["controllerrevisions", "ControllerRevision", "maintained by workload controllers"],
    ["replicationcontrollers", "ReplicationController", "legacy; use a Deployment"],
    ["bindings", "Binding", "scheduling is the cluster's job"],
    ["localsubjectaccessreviews", "LocalSubjectAccessReview", "RBAC queries are not offered"],
    ["resourceclaims", "ResourceClaim", "dynamic resource allocation is not offered"],
    ["csistoragecapacities", "CSIStorageCapacity", "maintained by storage drivers"],
  ),
]);

function rbac(...entries: [string, string][]) {
  return entries.map(
    ([plural, kind]) =>
      [
        plural,
        { kind, code: "ADMISSION_RESOURCE_RBAC" as Refusal, why: "RBAC is the control plane's" },
      ] as const,
  );
}

function clusterScoped(...entries: [string, string][]) {
  return entries.map(
    ([plural, kind]) =>
      [
        plural,
        { kind, code: "ADMISSION_RESOURCE_CLUSTER_SCOPED" as Refusal, why: "cluster-scoped" },
      ] as const,
  );
}

function forbidden(...entries: [string, string, string][]) {
  return entries.map(
    ([plural, kind, why]) =>
      [plural, { kind, code: "ADMISSION_RESOURCE_FORBIDDEN" as Refusal, why }] as const,
  );
}

/** Resolves the request's `resource` to an allowed type, or says why it is refused. */
export function resolveResource(name: string, write: boolean): Checked<ResourceType> {
  const type = tenantResource(name);
  if (type !== undefined) {
    if (write && !type.writable) {
      return refuse(
        rejection("ADMISSION_RESOURCE_READ_ONLY", `${type.kind} (${apiVersionOf(type)})`),
      );
    }
    return accept(type);
  }
  if (name.includes("/")) {
    return refuse(rejection("ADMISSION_RESOURCE_FORBIDDEN", `subresource ${JSON.stringify(name)}`));
  }
  // `roles.rbac.authorization.k8s.io` names the same thing as `roles`.
  const plural = name.split(".")[0] ?? name;
  const refused = REFUSED.get(plural);
  if (refused !== undefined) {
    return refuse(rejection(refused.code, `${refused.kind} (${refused.why})`));
  }
  return refuse(rejection("ADMISSION_RESOURCE_UNKNOWN", JSON.stringify(name)));
}
