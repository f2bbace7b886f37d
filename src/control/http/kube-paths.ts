// What a path under `/v2/kube` names, and whether a tenant may read it. The allowlist is the
// tenant kinds (src/k8s/resources.ts) in a namespace, their allowed subresources, the
// discovery and schema documents, and the two self-reviews behind `kubectl auth can-i`.

import { type ResourceType, TENANT_RESOURCES } from "../../k8s/index.ts";

/** Subresources a tenant reads or streams through the gateway, by the kind's plural. */
export const TENANT_SUBRESOURCES: ReadonlyMap<string, readonly string[]> = new Map([
  ["pods", ["log", "exec", "attach", "portforward"]],
  ["deployments", ["scale"]],
  ["replicasets", ["scale"]],
  ["statefulsets", ["scale"]],
]);

/** The API group of the self-reviews, which every authenticated user may create. */
export const REVIEW_GROUP = "authorization.k8s.io";
export const REVIEW_VERSION = "v1";
export const REVIEW_RESOURCES = ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] as const;
export type ReviewResource = (typeof REVIEW_RESOURCES)[number];

export type KubePath =
  | { kind: "version" }
  /** `/api`, `/apis`: the group lists (or aggregated discovery). */
  | { kind: "root"; core: boolean }
  /** `/apis/<group>`. */
  | { kind: "group"; group: string }
  /** `/api/v1`, `/apis/<group>/<version>`: a group-version's resource list. */
  | { kind: "resources"; group: string; version: string }
  | { kind: "openapi-v2" }
  | { kind: "openapi-v3-root" }
  /** `/openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>`. */
  | { kind: "openapi-v3"; group: string; version: string }
  | {
      kind: "object";
      namespace: string;
      type: ResourceType;
      name?: string;
      subresource?: string;
    }
  | { kind: "review"; resource: ReviewResource }
  | { kind: "refused"; code: KubePathRefusal; statusCode: number; message: string };

export type KubePathRefusal =
  | "KUBE_CLUSTER_SCOPED"
  | "KUBE_RESOURCE_FORBIDDEN"
  | "KUBE_PATH_FORBIDDEN";

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9.\-_]{0,252}$/;

/** Group-versions tenants use: `""/v1`, `apps/v1`… (and the reviews' group). */
export function tenantGroupVersions(): Map<string, string> {
  const versions = new Map<string, string>();
  for (const type of TENANT_RESOURCES) versions.set(type.group, type.version);
  versions.set(REVIEW_GROUP, REVIEW_VERSION);
  return versions;
}

function refused(code: KubePathRefusal, message: string): KubePath {
  return { kind: "refused", code, statusCode: 403, message };
}

/** Classifies a Kubernetes path (what follows `/v2/kube`), already percent-decoded per segment. */
export function classifyKubePath(path: string): KubePath {
  const parts = path.split("/").slice(1);
  if (parts.some((part) => part === "" || part === "." || part === "..")) {
    return refused("KUBE_PATH_FORBIDDEN", `${path} is not a Kubernetes API path`);
  }
  if (path === "/version") return { kind: "version" };
  if (path === "/api") return { kind: "root", core: true };
  if (path === "/apis") return { kind: "root", core: false };
  if (path === "/openapi/v2") return { kind: "openapi-v2" };
  if (path === "/openapi/v3") return { kind: "openapi-v3-root" };
  if (parts[0] === "openapi" && parts[1] === "v3") {
    const gv = groupVersionOf(parts.slice(2));
    if (gv && gv.rest.length === 0) return { kind: "openapi-v3", ...gv };
    return refused("KUBE_PATH_FORBIDDEN", `${path} is not a schema tenants read`);
  }
  if (parts[0] === "apis" && parts.length === 2 && SEGMENT.test(parts[1] ?? "")) {
    return { kind: "group", group: parts[1] ?? "" };
  }
  const gv = groupVersionOf(parts);
  if (!gv?.rest.every((part) => SEGMENT.test(part))) {
    return refused("KUBE_PATH_FORBIDDEN", `${path} is not a Kubernetes API path tenants use`);
  }
  const { group, version, rest } = gv;
  if (rest.length === 0) return { kind: "resources", group, version };
  if (rest[0] !== "namespaces") {
    if (
      group === REVIEW_GROUP &&
      version === REVIEW_VERSION &&
      rest.length === 1 &&
      (REVIEW_RESOURCES as readonly string[]).includes(rest[0] ?? "")
    ) {
      return { kind: "review", resource: rest[0] as ReviewResource };
    }
    return refused(
      "KUBE_CLUSTER_SCOPED",
      `${path} is not inside a namespace: tenants read only their namespaces`,
    );
  }
  const [, namespace = "", plural, name, subresource, ...more] = rest;
  if (plural === undefined) {
    return refused("KUBE_CLUSTER_SCOPED", `the Namespace object ${namespace} is cluster-scoped`);
  }
  const type = TENANT_RESOURCES.find(
    (candidate) =>
      candidate.group === group && candidate.version === version && candidate.plural === plural,
  );
  if (!type || more.length > 0) {
    return refused(
      "KUBE_RESOURCE_FORBIDDEN",
      `${group ? `${plural}.${group}/${version}` : `${plural}/${version}`} is not a kind tenants use`,
    );
  }
  if (subresource !== undefined && !TENANT_SUBRESOURCES.get(plural)?.includes(subresource)) {
    return refused("KUBE_RESOURCE_FORBIDDEN", `${plural}/${subresource} is not offered to tenants`);
  }
  return {
    kind: "object",
    namespace,
    type,
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}

function groupVersionOf(
  parts: string[],
): { group: string; version: string; rest: string[] } | undefined {
  if (parts[0] === "api" && parts[1] !== undefined) {
    return { group: "", version: parts[1], rest: parts.slice(2) };
  }
  if (parts[0] === "apis" && parts[1] !== undefined && parts[2] !== undefined) {
    return { group: parts[1], version: parts[2], rest: parts.slice(3) };
  }
  return undefined;
}
