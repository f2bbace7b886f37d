import type { KubeApiClient } from "./api-client.ts";
import { isK8sError, K8sError } from "./errors.ts";
import { applyObject, getObject } from "./objects.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";
import {
  CLUSTER_ROLES,
  type PolicyRule,
  tenantClusterRoleManifest,
  tenantRoleRules,
} from "./tenancy-manifests.ts";

// The ClusterRole every tenant RoleBinding grants. The Helm chart ships it (the control plane
// then holds only `get` and `bind` on it); with a cluster-admin credential (the local stack,
// k3s, kube-testenv) the control plane writes it itself the first time it is missing or
// lacks a rule. Without that right, a missing or outdated role is a clear error, not a
// tenant that silently cannot do what its Role promises.

export interface TenantRoleCallOptions {
  readonly signal?: AbortSignal | undefined;
  readonly retry?: RetryPolicy | undefined;
}

/**
 * Makes sure the ClusterRole `name` grants at least `tenantRoleRules()`: read it; when it is
 * missing or short of a rule, server-side apply it. Throws `K8S_TENANT_ROLE_MISSING` when it
 * is absent and this credential may not create it, `K8S_TENANT_ROLE_OUTDATED` when it lacks
 * rules and this credential may not update it.
 */
export async function ensureTenantClusterRole(
  client: KubeApiClient,
  name: string,
  options: TenantRoleCallOptions = {},
): Promise<"present" | "written"> {
  const retry = { policy: options.retry, signal: options.signal };
  let existing: { rules?: PolicyRule[] } | undefined;
  try {
    const { body } = await withRetry(
      (signal) => getObject(client, CLUSTER_ROLES, { name }, signal),
      retry,
    );
    existing = body as { rules?: PolicyRule[] };
  } catch (error) {
    // Forbidden: this credential may read only the role it was given; another name is as
    // good as missing to it.
    if (!isK8sError(error, "K8S_NOT_FOUND") && !isK8sError(error, "K8S_FORBIDDEN")) throw error;
  }
  const missing = existing ? missingRules(existing.rules ?? [], tenantRoleRules()) : [];
  if (existing && missing.length === 0) return "present";
  const manifest = tenantClusterRoleManifest(name);
  try {
    await withRetry(
      (signal) => applyObject(client, manifest.resource, manifest.object, { force: true, signal }),
      retry,
    );
    return "written";
  } catch (error) {
    if (!isK8sError(error, "K8S_FORBIDDEN")) throw error;
    throw existing
      ? new K8sError(
          "K8S_TENANT_ROLE_OUTDATED",
          `ClusterRole ${name} does not grant ${missing.join(", ")}, which tenants need; upgrade the Helm chart (it ships the role) or apply it with an admin credential`,
          { cause: error },
        )
      : new K8sError(
          "K8S_TENANT_ROLE_MISSING",
          `ClusterRole ${name} (the tenants' rules) is missing, or not readable, and this credential may not create it; install the Helm chart (it ships the role) or set tenantClusterRole to the role's name`,
          { cause: error },
        );
  }
}

/** `group/resource:verb` of every permission `wanted` grants that `held` does not. */
export function missingRules(held: readonly PolicyRule[], wanted: readonly PolicyRule[]): string[] {
  const grants = (group: string, resource: string, verb: string): boolean =>
    held.some(
      (rule) =>
        (rule.apiGroups.includes(group) || rule.apiGroups.includes("*")) &&
        (rule.resources.includes(resource) || rule.resources.includes("*")) &&
        (rule.verbs.includes(verb) || rule.verbs.includes("*")),
    );
  const missing: string[] = [];
  for (const rule of wanted) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          if (!grants(group, resource, verb))
            missing.push(`${group || "core"}/${resource}:${verb}`);
        }
      }
    }
  }
  return missing;
}
