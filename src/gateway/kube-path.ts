import { type ResourceType, TENANT_RESOURCES } from "../k8s/index.ts";

/** A Kubernetes API path the gateway understood, before it decides where it goes. */
export type KubePath =
  | {
      kind: "namespaced";
      namespace: string;
      resource: ResourceType;
      name?: string;
      subresource?: string;
    }
  | {
      /** Namespaced but of a kind tenants may not use (`roles`, `serviceaccounts`, …). */
      kind: "forbidden-resource";
      namespace: string;
      plural: string;
      group: string;
    }
  | { kind: "cluster-scoped"; plural: string; group: string }
  | { kind: "review"; review: "selfsubjectaccessreviews" | "selfsubjectrulesreviews" }
  | { kind: "other" };

const REVIEWS = new Set(["selfsubjectaccessreviews", "selfsubjectrulesreviews"]);

/**
 * Reads `/api/v1/…` and `/apis/<group>/<version>/…` paths. Everything that is not a
 * resource path (discovery, `/openapi`, `/version`) is `other`: reads of those go to the
 * control plane, which filters them.
 */
export function parseKubePath(pathname: string): KubePath {
  const parts = pathname
    .split("/")
    .filter((part) => part !== "")
    .map(decodeURIComponent);
  let group: string;

  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) {
    group = "";

    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1] ?? "";

    rest = parts.slice(3);
  } else {
    return { kind: "other" };
  }
  if (rest.length === 0) return { kind: "other" };
  if (group === "authorization.k8s.io" && rest.length === 1 && REVIEWS.has(rest[0] ?? "")) {
    return { kind: "review", review: rest[0] as "selfsubjectaccessreviews" };
  }
  if (rest[0] !== "namespaces" || rest.length < 3) {
    // `/api/v1/namespaces`, `/api/v1/namespaces/x` (the namespace object), `/api/v1/nodes`…
    return { kind: "cluster-scoped", plural: rest[0] ?? "", group };
  }
  const namespace = rest[1] ?? "";
  const plural = rest[2] ?? "";
  const resource = TENANT_RESOURCES.find((type) => type.plural === plural && type.group === group);
  if (!resource) return { kind: "forbidden-resource", namespace, plural, group };
  const name = rest[3];
  const subresource = rest[4];
  if (rest.length > 5) return { kind: "forbidden-resource", namespace, plural, group };
  return {
    kind: "namespaced",
    namespace,
    resource,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
