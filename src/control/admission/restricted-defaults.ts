// Mutations that make a pod template satisfy Pod Security "restricted" (which tenant
// namespaces enforce) where the tenant left a field unset. Runs after the checks, so every
// value already present is known safe and is never overridden. Without this the seed's
// `create_pod` manifest (name and image only) would be refused by the API server.
import type { ContainerAt } from "./pod-templates.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { isMapping, isUnset, type Mapping } from "./values.ts";

/** Pod-level defaults: non-root, RuntimeDefault seccomp. Only for whole pod specs. */
export function defaultPodSecurity(spec: Mapping): void {
  const context = mappingAt(spec, "securityContext");
  setIfUnset(context, "runAsNonRoot", true);
  setIfUnset(context, "seccompProfile", { type: "RuntimeDefault" });
}

/**
 * Container defaults: no privilege escalation, all capabilities dropped, and requests and
 * limits (from the policy) for each of cpu and memory the container names neither for.
 */
export function defaultContainer({ container }: ContainerAt, policy: AdmissionPolicy): void {
  const context = mappingAt(container, "securityContext");
  setIfUnset(context, "allowPrivilegeEscalation", false);
  setIfUnset(mappingAt(context, "capabilities"), "drop", ["ALL"]);

  const resources = mappingAt(container, "resources");
  for (const quantity of ["cpu", "memory"] as const) {
    // A tenant-set request or limit alone is kept as is: Kubernetes derives the other one,
    // and a default could contradict it (a request above the limit).
    const requests = resources.requests;
    const limits = resources.limits;
    const named =
      (isMapping(requests) && !isUnset(requests[quantity])) ||
      (isMapping(limits) && !isUnset(limits[quantity]));
    if (named) continue;
    mappingAt(resources, "requests")[quantity] = policy.defaultRequests[quantity];
    mappingAt(resources, "limits")[quantity] = policy.defaultLimits[quantity];
  }
}

/** The mapping at `parent[key]`, created when unset (checks guarantee it is not a scalar). */
function mappingAt(parent: Mapping, key: string): Mapping {
  const existing = parent[key];
  if (isMapping(existing)) return existing;
  const created: Mapping = {};
  parent[key] = created;
  return created;
}

function setIfUnset(parent: Mapping, key: string, value: unknown): void {
  if (isUnset(parent[key])) parent[key] = value;
}
