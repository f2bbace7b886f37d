// Kubernetes access for nautilus-control: tenant namespace provisioning, the impersonating
// executor of admitted operations, and the request ids found in the cluster for
// reconciliation. kube-testenv (the local control plane) lives in `./testenv/`.

export {
  type ApiResource,
  type ApiResponse,
  CONTENT_TYPE,
  HttpMethod,
  KubeApiClient,
  type RequestOptions,
  resourcePath,
} from "./api-client.ts";
export { type ApiExchange, openApiExchange } from "./api-exchange.ts";
export {
  type AppliedObject,
  type FindAppliedOptions,
  findAppliedObjects,
  findAppliedRequestIds,
} from "./applied.ts";
export {
  type ApiStatus,
  errorCodeForStatus,
  isK8sError,
  K8sError,
  type K8sErrorCode,
} from "./errors.ts";
export {
  type ExecuteOptions,
  type ExecutorRetryEvent,
  TenantExecutor,
  type TenantExecutorOptions,
} from "./executor.ts";
export { impersonatingConfig } from "./impersonation.ts";
export { type KubeStatus, kubeReason, kubeStatus } from "./kube-status.ts";
export * from "./labels.ts";
export { tenantApiResource } from "./objects.ts";
export { countLabel, objectLabel, withoutManagedFields } from "./outcomes.ts";
export {
  EXEC_PROTOCOLS,
  openPodExec,
  openPodPortForward,
  PORT_FORWARD_PROTOCOLS,
  type PodExecOptions,
  type UpgradedStream,
} from "./pod-exec.ts";
export { openPodLog, type PodLogOptions } from "./pod-logs.ts";
export { requestIdOf, requestIdWrittenByUs, withRequestId } from "./request-id.ts";
export * from "./resources.ts";
export {
  DEFAULT_RETRY_POLICY,
  isTransient,
  type RetryEvent,
  type RetryOptions,
  type RetryPolicy,
  withRetry,
} from "./retry.ts";
export { openApiStream } from "./stream-client.ts";
export {
  ensureTenantNamespace,
  listManagedNamespaces,
  type ManagedNamespace,
  type ProvisionResult,
  type RemoveOptions,
  removeTenantNamespace,
  type TenancyCallOptions,
} from "./tenancy.ts";
export {
  type ContainerLimits,
  DEFAULT_CONTAINER_LIMITS,
  DEFAULT_OBJECT_COUNTS,
  DEFAULT_TENANT_QUOTA,
  type PolicyRule,
  TENANT_OBJECT_NAMES,
  TENANT_SCALE_RULES,
  TENANT_STREAM_RULES,
  type TenantNamespaceSpec,
  type TenantQuota,
  tenantNamespaceManifests,
  tenantRoleRules,
} from "./tenancy-manifests.ts";
