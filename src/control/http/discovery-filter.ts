// Discovery and schema documents, cut down to what tenants may use: the tenant kinds at
// their tenant version, their allowed subresources, and the self-reviews. kubectl builds
// its idea of the cluster (short names, `kubectl api-resources`, `explain`) from these.

import { TENANT_RESOURCES } from "../../k8s/index.ts";
import {
  REVIEW_GROUP,
  REVIEW_RESOURCES,
  REVIEW_VERSION,
  TENANT_SUBRESOURCES,
  tenantGroupVersions,
} from "./kube-paths.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `name` (`pods`, `pods/log`) is offered in `group`/`version`. */
export function allowedResourceName(group: string, version: string, name: string): boolean {
  if (group === REVIEW_GROUP && version === REVIEW_VERSION)
    return (REVIEW_RESOURCES as readonly string[]).includes(name);
  const [plural = "", subresource] = name.split("/");
  const type = TENANT_RESOURCES.find(
    (t) => t.group === group && t.version === version && t.plural === plural,
  );
  if (!type) return false;
  return subresource === undefined || (TENANT_SUBRESOURCES.get(plural) ?? []).includes(subresource);
}

/** The group-version is one tenants use. */
export function allowedGroupVersion(group: string, version: string): boolean {
  return tenantGroupVersions().get(group) === version;
}

/** `APIGroupList` (`/apis`) or one `APIGroup` (`/apis/<g>`): tenant groups at their version. */
export function filterApiGroup(group: Json): Json | undefined {
  const name = typeof group.name === "string" ? group.name : "";
  const version = tenantGroupVersions().get(name);
  if (version === undefined || name === "") return undefined;
  const versions = Array.isArray(group.versions)
    ? group.versions.filter((v) => isObject(v) && v.version === version)
    : [];
  if (versions.length === 0) return undefined;
  return { ...group, versions, preferredVersion: versions[0] };
}

export function filterApiGroupList(list: Json): Json {
  const groups = Array.isArray(list.groups) ? list.groups : [];
  return {
    ...list,
    groups: groups.flatMap((group) => {
      const kept = isObject(group) ? filterApiGroup(group) : undefined;
      return kept ? [kept] : [];
    }),
  };
}

/** `APIResourceList` (`/api/v1`, `/apis/<g>/<v>`). */
export function filterApiResourceList(list: Json, group: string, version: string): Json {
  const resources = Array.isArray(list.resources) ? list.resources : [];
  return {
    ...list,
    resources: resources.filter(
      (r) =>
        isObject(r) && typeof r.name === "string" && allowedResourceName(group, version, r.name),
    ),
  };
}

/**
 * Aggregated discovery (`APIGroupDiscoveryList`, apidiscovery.k8s.io v2 or v2beta1: what
 * kubectl asks `/api` and `/apis` for first): groups, versions, resources and subresources.
 */
export function filterAggregatedDiscovery(list: Json): Json {
  const items = Array.isArray(list.items) ? list.items : [];
  const versions = tenantGroupVersions();
  return {
    ...list,
    items: items.flatMap((item) => {
      if (!isObject(item)) return [];
      const name =
        isObject(item.metadata) && typeof item.metadata.name === "string" ? item.metadata.name : "";
      const version = versions.get(name);
      if (version === undefined) return [];
      const kept = (Array.isArray(item.versions) ? item.versions : []).flatMap((entry) => {
        if (!isObject(entry) || entry.version !== version) return [];
        const resources = (Array.isArray(entry.resources) ? entry.resources : []).flatMap((r) => {
          if (!isObject(r) || typeof r.resource !== "string") return [];
          if (!allowedResourceName(name, version, r.resource)) return [];
          const plural = r.resource;
          const subresources = (Array.isArray(r.subresources) ? r.subresources : []).filter(
            (s) =>
              isObject(s) &&
              typeof s.subresource === "string" &&
              allowedResourceName(name, version, `${plural}/${s.subresource}`),
          );
          return [{ ...r, subresources }];
        });
        return resources.length > 0 ? [{ ...entry, resources }] : [];
      });
      return kept.length > 0 ? [{ ...item, versions: kept }] : [];
    }),
  };
}

/** OpenAPI v3's index (`/openapi/v3`): only the tenant group-versions' documents. */
export function filterOpenApiV3Root(root: Json): Json {
  const paths = isObject(root.paths) ? root.paths : {};
  const kept: Json = {};
  for (const [key, value] of Object.entries(paths)) {
    const [prefix, group, version] = key.split("/");
    const gv =
      prefix === "api"
        ? { group: "", version: group ?? "" }
        : { group: group ?? "", version: version ?? "" };
    if ((prefix === "api" || prefix === "apis") && allowedGroupVersion(gv.group, gv.version)) {
      kept[key] = value;
    }
  }
  return { ...root, paths: kept };
}

/** OpenAPI v2: the operations on tenant kinds in a namespace; definitions stay whole. */
export function filterOpenApiV2(document: Json): Json {
  const paths = isObject(document.paths) ? document.paths : {};
  const prefixes = TENANT_RESOURCES.map((type) =>
    type.group
      ? `/apis/${type.group}/${type.version}/namespaces/{namespace}/${type.plural}`
      : `/api/${type.version}/namespaces/{namespace}/${type.plural}`,
  );
  const kept: Json = {};
  for (const [path, operations] of Object.entries(paths)) {
    const prefix = prefixes.find((p) => path === p || path.startsWith(`${p}/`));
    if (!prefix) continue;
    const rest = path.slice(prefix.length).split("/").filter(Boolean);
    const plural = prefix.split("/").at(-1) ?? "";
    const subresource = rest[1];
    if (subresource === undefined || (TENANT_SUBRESOURCES.get(plural) ?? []).includes(subresource))
      kept[path] = operations;
  }
  return { ...document, paths: kept };
}
