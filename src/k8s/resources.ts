/**
 * The Kubernetes resources tenants may name in a request, and how to reach them. Anything
 * not listed is refused at admission: cluster-scoped kinds, RBAC, namespaces, nodes, CRDs.
 * `writable: false` kinds can be read (GET) but only the control plane changes them.
 */
export interface ResourceType {
  /** The plural name used on chain (`resource` of `K8sAPIRequestEvent`). */
  plural: string;
  group: string;
  version: string;
  kind: string;
  writable: boolean;
}

const resource = (
  plural: string,
  group: string,
  version: string,
  kind: string,
  writable = true,
): ResourceType => ({ plural, group, version, kind, writable });

export const TENANT_RESOURCES: readonly ResourceType[] = [
  resource("pods", "", "v1", "Pod"),
  resource("services", "", "v1", "Service"),
  resource("configmaps", "", "v1", "ConfigMap"),
  resource("secrets", "", "v1", "Secret"),
  resource("persistentvolumeclaims", "", "v1", "PersistentVolumeClaim"),
  resource("deployments", "apps", "v1", "Deployment"),
  resource("replicasets", "apps", "v1", "ReplicaSet"),
  resource("statefulsets", "apps", "v1", "StatefulSet"),
  resource("jobs", "batch", "v1", "Job"),
  resource("cronjobs", "batch", "v1", "CronJob"),
  resource("horizontalpodautoscalers", "autoscaling", "v2", "HorizontalPodAutoscaler"),
  resource("poddisruptionbudgets", "policy", "v1", "PodDisruptionBudget"),
  resource("ingresses", "networking.k8s.io", "v1", "Ingress"),
  resource("events", "", "v1", "Event", false),
  resource("resourcequotas", "", "v1", "ResourceQuota", false),
  resource("limitranges", "", "v1", "LimitRange", false),
  resource("networkpolicies", "networking.k8s.io", "v1", "NetworkPolicy", false),
];

const byName = new Map<string, ResourceType>();
for (const type of TENANT_RESOURCES) {
  byName.set(type.plural, type);
  byName.set(qualifiedResourceName(type), type);
}

/** `pods`, `deployments.apps`: the plural, qualified by its group outside the core group. */
export function qualifiedResourceName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** Looks up `pods`, `deployments` or the group-qualified `deployments.apps`. */
export function tenantResource(name: string): ResourceType | undefined {
  return byName.get(name);
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/**
 * Most objects one tenant list request returns unless admission's policy says otherwise:
 * one page of the API server, so a namespace with many objects cannot make one request
 * produce an unbounded output (the rest is reached with the page's `continue` token).
 */
export const DEFAULT_LIST_LIMIT = 500;
