// Every way admission can refuse a request, in one table. The codes are part of the public
// contract (they are posted on chain as a result's `errorCode`): never rename one, only add.

/** A refused request: a stable code, an HTTP-like status and a message naming the field. */
export interface Rejection {
  code: AdmissionErrorCode;
  statusCode: number;
  message: string;
}

// 400: the request cannot be decoded. 403: understood, but forbidden by policy. 404: the
// resource does not exist for tenants. 413: too large. 422: decoded, but not a valid object.
const TABLE = {
  ADMISSION_METHOD_UNKNOWN: { statusCode: 400, message: "unknown request method" },
  ADMISSION_NAME_REQUIRED: { statusCode: 400, message: "the request must name an object" },
  ADMISSION_NAME_INVALID: { statusCode: 422, message: "invalid object name" },
  ADMISSION_NAME_MISMATCH: {
    statusCode: 422,
    message: "metadata.name differs from the name in the request",
  },
  ADMISSION_NAMESPACE_INVALID: { statusCode: 422, message: "invalid namespace" },
  ADMISSION_NAMESPACE_RESERVED: { statusCode: 403, message: "reserved namespace" },
  ADMISSION_NAMESPACE_MISMATCH: {
    statusCode: 422,
    message: "metadata.namespace differs from the namespace of the request",
  },
  ADMISSION_PAYLOAD_MISSING: { statusCode: 400, message: "this method needs a payload" },
  ADMISSION_PAYLOAD_UNEXPECTED: { statusCode: 400, message: "this method takes no payload" },
  ADMISSION_PAYLOAD_TOO_LARGE: { statusCode: 413, message: "payload too large" },
  ADMISSION_PAYLOAD_ENCODING: { statusCode: 400, message: "payload is not valid UTF-8" },
  ADMISSION_RESOURCE_UNKNOWN: { statusCode: 404, message: "unknown resource" },
  ADMISSION_RESOURCE_FORBIDDEN: {
    statusCode: 403,
    message: "tenants may not use this resource",
  },
  ADMISSION_RESOURCE_CLUSTER_SCOPED: {
    statusCode: 403,
    message: "cluster-scoped resources are not available to tenants",
  },
  ADMISSION_RESOURCE_RBAC: {
    statusCode: 403,
    message: "RBAC objects are managed by the control plane only",
  },
  ADMISSION_RESOURCE_READ_ONLY: {
    statusCode: 403,
    message: "tenants may only read this resource",
  },
  ADMISSION_YAML_SYNTAX: { statusCode: 400, message: "payload is not valid YAML or JSON" },
  ADMISSION_YAML_DUPLICATE_KEY: { statusCode: 400, message: "duplicate mapping key" },
  ADMISSION_YAML_MULTIPLE_DOCUMENTS: {
    statusCode: 400,
    message: "payload must hold exactly one document",
  },
  ADMISSION_YAML_ALIAS: { statusCode: 400, message: "too many YAML aliases" },
  ADMISSION_YAML_TAG: { statusCode: 400, message: "YAML tags other than core tags" },
  ADMISSION_YAML_VERSION: { statusCode: 400, message: "only YAML 1.2 is accepted" },
  ADMISSION_YAML_TOO_DEEP: { statusCode: 400, message: "payload nested too deeply" },
  ADMISSION_YAML_KEY: { statusCode: 400, message: "mapping keys must be plain strings" },
  ADMISSION_YAML_NUMBER: {
    statusCode: 400,
    message: "numbers must be finite and integers exactly representable",
  },
  ADMISSION_MANIFEST_NOT_MAPPING: {
    statusCode: 400,
    message: "the payload must be a mapping (a Kubernetes object)",
  },
  ADMISSION_API_VERSION_MISMATCH: {
    statusCode: 422,
    message: "apiVersion does not match the resource",
  },
  ADMISSION_KIND_MISMATCH: { statusCode: 422, message: "kind does not match the resource" },
  ADMISSION_METADATA_FIELD: {
    statusCode: 422,
    message:
      "metadata field not allowed (name, namespace, labels, annotations; templates: labels, annotations)",
  },
  ADMISSION_LABEL_INVALID: { statusCode: 422, message: "invalid label" },
  ADMISSION_ANNOTATION_INVALID: { statusCode: 422, message: "invalid annotation" },
  ADMISSION_RESERVED_KEY: {
    statusCode: 403,
    message: "the k8s-daas.io/ prefix is reserved for the control plane",
  },
  ADMISSION_FIELD_INVALID: { statusCode: 422, message: "invalid field" },
  ADMISSION_PATCH_IMMUTABLE_FIELD: {
    statusCode: 422,
    message: "a patch may not change the object's name or namespace",
  },
  ADMISSION_PATCH_CLEARS_GUARDED_FIELD: {
    statusCode: 403,
    message: "a patch may not remove a security setting",
  },
  ADMISSION_HOST_PATH: { statusCode: 403, message: "hostPath volumes are forbidden" },
  ADMISSION_HOST_NETWORK: { statusCode: 403, message: "hostNetwork is forbidden" },
  ADMISSION_HOST_PID: { statusCode: 403, message: "hostPID is forbidden" },
  ADMISSION_HOST_IPC: { statusCode: 403, message: "hostIPC is forbidden" },
  ADMISSION_HOST_PORT: { statusCode: 403, message: "hostPort is forbidden" },
  ADMISSION_HOST_PROCESS: { statusCode: 403, message: "Windows hostProcess is forbidden" },
  ADMISSION_PRIVILEGED: { statusCode: 403, message: "privileged containers are forbidden" },
  ADMISSION_PRIVILEGE_ESCALATION: {
    statusCode: 403,
    message: "allowPrivilegeEscalation must be false",
  },
  ADMISSION_CAPABILITIES_ADD: { statusCode: 403, message: "adding capabilities is forbidden" },
  ADMISSION_CAPABILITIES_DROP: { statusCode: 403, message: 'capabilities.drop must include "ALL"' },
  ADMISSION_RUN_AS_ROOT: { statusCode: 403, message: "containers must not run as root" },
  ADMISSION_SECCOMP_PROFILE: {
    statusCode: 403,
    message: "seccompProfile must be RuntimeDefault or Localhost",
  },
  ADMISSION_APPARMOR_PROFILE: {
    statusCode: 403,
    message: "appArmorProfile must be RuntimeDefault or Localhost",
  },
  ADMISSION_SELINUX_OPTIONS: {
    statusCode: 403,
    message: "seLinuxOptions may not set user or role, nor a custom type",
  },
  ADMISSION_PROC_MOUNT: { statusCode: 403, message: "procMount must be Default" },
  ADMISSION_SYSCTL: { statusCode: 403, message: "only namespaced safe sysctls are allowed" },
  ADMISSION_VOLUME_TYPE: {
    statusCode: 403,
    message:
      "volume type not allowed (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)",
  },
  ADMISSION_NODE_NAME: { statusCode: 403, message: "pinning a pod to a node is forbidden" },
  ADMISSION_RUNTIME_CLASS: { statusCode: 403, message: "runtimeClassName is forbidden" },
  ADMISSION_EPHEMERAL_CONTAINERS: {
    statusCode: 403,
    message: "ephemeral containers are forbidden",
  },
  ADMISSION_SERVICE_ACCOUNT: {
    statusCode: 403,
    message: 'pods may only run as the "default" service account',
  },
  ADMISSION_PRIORITY_CLASS: {
    statusCode: 403,
    message: "priority class not on the cluster's allowlist (system-* classes never are)",
  },
  ADMISSION_TOLERATION: {
    statusCode: 403,
    message:
      "tolerating control-plane, cordon, node-condition or add-on taints, or every taint, is forbidden",
  },
  ADMISSION_SCHEDULER_NAME: {
    statusCode: 403,
    message: 'schedulerName must be unset or "default-scheduler"',
  },
  ADMISSION_NODE_SELECTOR: {
    statusCode: 403,
    message:
      "selecting nodes by hostname, node role, node name or k8s-daas.io/ labels is forbidden",
  },
  ADMISSION_POD_AFFINITY_NAMESPACE: {
    statusCode: 403,
    message: "pod affinity may only consider pods of the request's own namespace",
  },
  ADMISSION_PROBE_HOST: {
    statusCode: 403,
    message:
      "probes and lifecycle hooks may not name a host (they would make the node connect to it)",
  },
  ADMISSION_SERVICE_TYPE: { statusCode: 403, message: "Service type must be ClusterIP" },
  ADMISSION_SERVICE_EXTERNAL_IPS: { statusCode: 403, message: "externalIPs are forbidden" },
  ADMISSION_INGRESS_HOST: {
    statusCode: 403,
    message:
      "Ingress hosts must be named, without wildcards, under the namespace's own apps domain",
  },
  ADMISSION_INGRESS_DEFAULT_BACKEND: {
    statusCode: 403,
    message: "an Ingress may not set a default backend (it would catch every host)",
  },
  ADMISSION_INGRESS_BACKEND: {
    statusCode: 403,
    message: "Ingress backends must be Services of the namespace (no resource backends)",
  },
  ADMISSION_INGRESS_PATH: {
    statusCode: 403,
    message: "Ingress paths must be plain URL paths: '/' then letters, digits, '/._~%-'",
  },
  ADMISSION_INGRESS_ANNOTATION: {
    statusCode: 403,
    message: "Ingress controller annotation not on the allowlist, or its value is not allowed",
  },
  ADMISSION_LIST_LIMIT_INVALID: {
    statusCode: 422,
    message: "a list limit must be an integer from 1 to the cluster's maximum",
  },
  ADMISSION_LIST_OPTION_INVALID: {
    statusCode: 422,
    message: "list options may hold only limit, labelSelector and continue, each well formed",
  },
  ADMISSION_SECRET_TYPE: {
    statusCode: 403,
    message: "service-account token secrets are forbidden",
  },
  ADMISSION_KUBE_WRITE_INVALID: {
    statusCode: 400,
    message: "the KubeWrite payload is malformed (src/protocol/kube-write.ts)",
  },
  ADMISSION_KUBE_WRITE_MISMATCH: {
    statusCode: 400,
    message: "the request's method, resource or name disagree with its KubeWrite payload",
  },
  ADMISSION_DELETE_OPTIONS_INVALID: {
    statusCode: 422,
    message:
      "DeleteOptions may hold only gracePeriodSeconds, propagationPolicy, orphanDependents and preconditions (no dryRun on chain)",
  },
  ADMISSION_SCALE_INVALID: {
    statusCode: 422,
    message: "a Scale names its object and sets spec.replicas to a whole number",
  },
  ADMISSION_RESOURCE_VERSION_INVALID: {
    statusCode: 422,
    message: "metadata.resourceVersion must be a short printable string",
  },
  ADMISSION_INTERNAL: { statusCode: 500, message: "internal admission error" },
} as const satisfies Record<string, { statusCode: number; message: string }>;

export type AdmissionErrorCode = keyof typeof TABLE;

/** The full table, for documentation, clients and tests. */
export const ADMISSION_ERRORS: readonly {
  code: AdmissionErrorCode;
  statusCode: number;
  message: string;
}[] = Object.entries(TABLE).map(([code, entry]) => ({
  code: code as AdmissionErrorCode,
  ...entry,
}));

/** A rejection whose message is the table's, followed by what exactly was wrong. */
export function rejection(code: AdmissionErrorCode, detail: string): Rejection {
  const entry = TABLE[code];
  return { code, statusCode: entry.statusCode, message: `${entry.message}: ${detail}` };
}

/** Either a decoded value or the reason it could not be decoded. */
export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export const accept = <T>(value: T): Checked<T> => ({ ok: true, value });
export const refuse = (rejected: Rejection): { ok: false; rejection: Rejection } => ({
  ok: false,
  rejection: rejected,
});
