import type { KubeConfig } from "@kubernetes/client-node";
import { sleep } from "../shared/backoff.ts";
import { KubeApiClient } from "./api-client.ts";
import { isK8sError, K8sError } from "./errors.ts";
import {
  ANNOTATION_CLAIM,
  ANNOTATION_CLUSTER,
  ANNOTATION_OWNER,
  clusterLabelValue,
  LABEL_CLUSTER,
  LABEL_MANAGED,
  tenantUser,
} from "./labels.ts";
import { applyObject, deleteObject, getObject, listObjects } from "./objects.ts";
import { type RetryEvent, type RetryPolicy, withRetry } from "./retry.ts";
import {
  type Manifest,
  NAMESPACES,
  NETWORK_POLICIES,
  RESOURCE_QUOTAS,
  ROLE_BINDINGS,
  TENANT_CLUSTER_ROLE,
  TENANT_OBJECT_NAMES,
  type TenantNamespaceSpec,
  tenantNamespaceManifests,
} from "./tenancy-manifests.ts";
import { ensureTenantClusterRole } from "./tenant-cluster-role.ts";

// Tenant namespaces, as the admin sees them: provisioning (idempotent server-side apply of
// everything `tenantNamespaceManifests` lists), removal, and the inventory reconciliation
// compares with the chain. Only namespaces labelled `LABEL_MANAGED` are ever changed: an
// existing namespace we did not create (kube-system, default, a user's) is refused.

export interface TenancyCallOptions {
  readonly signal?: AbortSignal;
  /** How long to wait for a previous claim's namespace to be deleted (default 120 s). */
  readonly staleNamespaceTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface ProvisionResult {
  readonly namespace: string;
  /** True when the namespace did not exist before this call. */
  readonly created: boolean;
  /** `kind/name` of every object applied, namespace first. */
  readonly objects: readonly string[];
}

export async function ensureTenantNamespace(
  kc: KubeConfig,
  spec: TenantNamespaceSpec,
  options: TenancyCallOptions = {},
): Promise<ProvisionResult> {
  const client = new KubeApiClient(kc);
  const existing = await readNamespace(client, spec.namespace, options);
  let created = existing === undefined;
  if (existing) {
    const found = describeNamespace(existing);
    if (!found.managed) {
      throw new K8sError(
        "K8S_NAMESPACE_NOT_MANAGED",
        `namespace ${spec.namespace} exists and is not managed by k8s-daas; refusing to take it over`,
      );
    }
    if (found.clusterLabel !== clusterLabelValue(spec.clusterId)) {
      throw new K8sError(
        "K8S_NAMESPACE_OTHER_CLUSTER",
        `namespace ${spec.namespace} belongs to another k8s-daas cluster (${found.clusterId ?? found.clusterLabel})`,
      );
    }
    if (found.terminating || found.claimId !== spec.claimId) {
      // A previous claim's namespace (released, maybe claimed again since): its objects
      // are the previous tenant's. The new claim starts only once they are gone.
      await removeStaleNamespace(kc, spec.namespace, options);
      created = true;
    }
  }
  await ensureTenantClusterRole(client, spec.tenantClusterRole ?? TENANT_CLUSTER_ROLE, options);
  const objects: string[] = [];
  for (const manifest of tenantNamespaceManifests(spec)) {
    await applyTenantObject(client, manifest, options);
    objects.push(`${String(manifest.object.kind).toLowerCase()}/${manifest.object.metadata.name}`);
  }
  if (!spec.ingressControllerNamespace) await removeIngressControllerPolicy(client, spec, options);
  await waitForTenantAccess(client, spec.namespace, options);
  await waitForQuotaTracked(client, spec.namespace, options);
  return { namespace: spec.namespace, created, objects };
}

/**
 * Server-side apply, forced: these objects are the control plane's; it re-takes any field
 * someone changed. A RoleBinding's `roleRef` cannot change, so one that grants another role
 * (a namespace provisioned when the tenant rules were a namespaced Role) is replaced.
 */
async function applyTenantObject(
  client: KubeApiClient,
  manifest: Manifest,
  options: TenancyCallOptions,
): Promise<void> {
  const apply = () =>
    withRetry(
      (signal) => applyObject(client, manifest.resource, manifest.object, { force: true, signal }),
      retryOptions(options),
    );
  try {
    await apply();
  } catch (error) {
    if (manifest.resource !== ROLE_BINDINGS || !isK8sError(error, "K8S_INVALID")) throw error;
    const { namespace, name } = manifest.object.metadata as { namespace: string; name: string };
    await withRetry(
      (signal) => deleteObject(client, ROLE_BINDINGS, { namespace, name }, { signal }),
      retryOptions(options),
    );
    await apply();
  }
}

/**
 * With no ingress controller named (any more), no policy may still let one in: one written
 * while the cluster named a controller is deleted.
 */
async function removeIngressControllerPolicy(
  client: KubeApiClient,
  spec: TenantNamespaceSpec,
  options: TenancyCallOptions,
): Promise<void> {
  try {
    await withRetry(
      (signal) =>
        deleteObject(
          client,
          NETWORK_POLICIES,
          { namespace: spec.namespace, name: TENANT_OBJECT_NAMES.ingressController },
          { signal },
        ),
      retryOptions(options),
    );
  } catch (error) {
    if (!isK8sError(error, "K8S_NOT_FOUND")) throw error;
  }
}

async function removeStaleNamespace(
  kc: KubeConfig,
  namespace: string,
  options: TenancyCallOptions,
): Promise<void> {
  try {
    await removeTenantNamespace(kc, namespace, {
      ...options,
      timeoutMs: options.staleNamespaceTimeoutMs ?? 120_000,
    });
  } catch (error) {
    if (!isK8sError(error, "K8S_NAMESPACE_DELETE_TIMEOUT")) throw error;
    throw new K8sError(
      "K8S_NAMESPACE_TERMINATING",
      `namespace ${namespace} still holds a previous claim's objects and is being deleted; submit again once it is gone`,
    );
  }
}

/**
 * RBAC objects take effect when the API server's authorizer cache has seen them, a moment
 * after they are written; a tenant request sent in that moment would get 403. So a namespace
 * counts as provisioned only once the authorizer itself (a SubjectAccessReview) says the
 * tenant's identity may write in it.
 */
async function waitForTenantAccess(
  client: KubeApiClient,
  namespace: string,
  options: TenancyCallOptions,
  timeoutMs = 30_000,
): Promise<void> {
  const review = {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: tenantUser(namespace),
      groups: [
        "system:serviceaccounts",
        `system:serviceaccounts:${namespace}`,
        "system:authenticated",
      ],
      resourceAttributes: { namespace, verb: "create", resource: "configmaps" },
    },
  };
  const started = performance.now();
  for (;;) {
    const { body } = await withRetry(
      (signal) =>
        client.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
          body: review,
          signal,
        }),
      retryOptions(options),
    );
    if ((body as { status?: { allowed?: boolean } }).status?.allowed === true) return;
    if (performance.now() - started > timeoutMs) {
      throw new K8sError(
        "K8S_RBAC_NOT_EFFECTIVE",
        `the tenant's RoleBinding in ${namespace} is not in effect ${timeoutMs} ms after it was written`,
      );
    }
    await sleep(50, options.signal);
  }
}

/**
 * The API server refuses every write a ResourceQuota limits ("status unknown for quota")
 * until the quota controller has written the quota's status: counted what the namespace
 * holds for each limit. So a namespace counts as provisioned only once the quota's
 * `status.hard` matches its `spec.hard` and every limit has a `status.used`.
 */
async function waitForQuotaTracked(
  client: KubeApiClient,
  namespace: string,
  options: TenancyCallOptions,
  timeoutMs = 30_000,
): Promise<void> {
  const started = performance.now();
  for (;;) {
    const { body } = await withRetry(
      (signal) =>
        getObject(client, RESOURCE_QUOTAS, { namespace, name: TENANT_OBJECT_NAMES.quota }, signal),
      retryOptions(options),
    );
    const untracked = untrackedQuotaLimits(body);
    if (untracked.length === 0) return;
    if (performance.now() - started > timeoutMs) {
      throw new K8sError(
        "K8S_QUOTA_NOT_EFFECTIVE",
        `the quota of ${namespace} does not track ${untracked.join(", ")} ${timeoutMs} ms after it was written`,
      );
    }
    await sleep(50, options.signal);
  }
}

/** The limits of a ResourceQuota its status does not (yet) reflect. */
function untrackedQuotaLimits(quota: unknown): string[] {
  const { spec, status } = quota as {
    spec?: { hard?: Record<string, string> };
    status?: { hard?: Record<string, string>; used?: Record<string, string> };
  };
  return Object.entries(spec?.hard ?? {})
    .filter(([key, limit]) => status?.hard?.[key] !== limit || status?.used?.[key] === undefined)
    .map(([key]) => key);
}

export interface RemoveOptions extends TenancyCallOptions {
  /** Delete only if the namespace still carries this claim (`ANNOTATION_CLAIM`). */
  readonly onlyForClaim?: string | undefined;
  /** How long to wait for the namespace to disappear (default 120 s). */
  readonly timeoutMs?: number;
  /** Pause between checks while it terminates (default 250 ms). */
  readonly pollIntervalMs?: number;
}

/**
 * Deletes a managed namespace and waits until the API server no longer has it (its
 * contents are finalized first). Resolves `false` when it did not exist.
 */
export async function removeTenantNamespace(
  kc: KubeConfig,
  namespace: string,
  options: RemoveOptions = {},
): Promise<boolean> {
  const client = new KubeApiClient(kc);
  const existing = await readNamespace(client, namespace, options);
  if (!existing) return false;
  const found = describeNamespace(existing);
  if (!found.managed) {
    throw new K8sError(
      "K8S_NAMESPACE_NOT_MANAGED",
      `namespace ${namespace} is not managed by k8s-daas; refusing to delete it`,
    );
  }
  if ("onlyForClaim" in options && found.claimId !== options.onlyForClaim) return false;
  if (!found.terminating) {
    try {
      await withRetry(
        (signal) => deleteObject(client, NAMESPACES, { name: namespace }, { signal }),
        retryOptions(options),
      );
    } catch (error) {
      if (!isK8sError(error, "K8S_NOT_FOUND")) throw error;
    }
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = performance.now();
  while (await readNamespace(client, namespace, options)) {
    if (performance.now() - started > timeoutMs) {
      throw new K8sError(
        "K8S_NAMESPACE_DELETE_TIMEOUT",
        `namespace ${namespace} still exists ${timeoutMs} ms after its deletion`,
      );
    }
    await sleep(options.pollIntervalMs ?? 250, options.signal);
  }
  return true;
}

export interface ManagedNamespace {
  readonly namespace: string;
  /** From `ANNOTATION_OWNER`; undefined if someone removed it. */
  readonly owner: string | undefined;
  /** From `ANNOTATION_CLUSTER`, else the `LABEL_CLUSTER` label value. */
  readonly clusterId: string | undefined;
  /** From `ANNOTATION_CLAIM`: the NamespaceCap id it was provisioned for. */
  readonly claimId: string | undefined;
  readonly terminating: boolean;
}

/** Every namespace labelled `LABEL_MANAGED=true`, optionally only those of one cluster. */
export async function listManagedNamespaces(
  kc: KubeConfig,
  options: TenancyCallOptions & { clusterId?: string } = {},
): Promise<ManagedNamespace[]> {
  const client = new KubeApiClient(kc);
  const selector = [`${LABEL_MANAGED}=true`];
  if (options.clusterId !== undefined) {
    selector.push(`${LABEL_CLUSTER}=${clusterLabelValue(options.clusterId)}`);
  }
  const { items } = await withRetry(
    (signal) =>
      listObjects(client, NAMESPACES, undefined, { labelSelector: selector.join(","), signal }),
    retryOptions(options),
  );
  return items.map((item) => {
    const found = describeNamespace(item);
    return {
      namespace: found.name,
      owner: found.owner,
      clusterId: found.clusterId ?? found.clusterLabel,
      claimId: found.claimId,
      terminating: found.terminating,
    };
  });
}

function retryOptions(options: TenancyCallOptions) {
  return { policy: options.retry, signal: options.signal, onRetry: options.onRetry };
}

async function readNamespace(
  client: KubeApiClient,
  namespace: string,
  options: TenancyCallOptions,
): Promise<unknown> {
  try {
    const { body } = await withRetry(
      (signal) => getObject(client, NAMESPACES, { name: namespace }, signal),
      retryOptions(options),
    );
    return body;
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND")) return undefined;
    throw error;
  }
}

interface NamespaceFacts {
  name: string;
  managed: boolean;
  clusterLabel: string | undefined;
  clusterId: string | undefined;
  owner: string | undefined;
  claimId: string | undefined;
  terminating: boolean;
}

function describeNamespace(object: unknown): NamespaceFacts {
  const metadata = ((object as { metadata?: unknown }).metadata ?? {}) as {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  const phase = (object as { status?: { phase?: string } }).status?.phase;
  return {
    name: metadata.name ?? "",
    managed: metadata.labels?.[LABEL_MANAGED] === "true",
    clusterLabel: metadata.labels?.[LABEL_CLUSTER],
    clusterId: metadata.annotations?.[ANNOTATION_CLUSTER],
    owner: metadata.annotations?.[ANNOTATION_OWNER],
    claimId: metadata.annotations?.[ANNOTATION_CLAIM],
    terminating: metadata.deletionTimestamp !== undefined || phase === "Terminating",
  };
}
