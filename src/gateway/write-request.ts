import { parse as parseYaml } from "yaml";
import {
  KUBE_WRITE_API_VERSION,
  KUBE_WRITE_KIND,
  KUBE_WRITE_METHOD,
  type KubeWrite,
  type KubeWriteVerb,
  PATCH_CONTENT_TYPES,
  type PatchType,
} from "../protocol/kube-write.ts";
import type { KubePath } from "./kube-path.ts";
import { KubeRefusal } from "./kube-status.ts";
import { objectFromProtobuf } from "./protobuf-objects.ts";

/** A write as it goes on chain: the request's fields and the KubeWrite payload. */
export interface PlannedWrite {
  namespace: string;
  /** `requests::submit` fields. */
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  resource: string;
  name: string;
  envelope: KubeWrite;
  /** `?dryRun=All`: the control plane's dry-run endpoint, never a transaction. */
  dryRun: boolean;
  /** `deployment/web`, for logs and messages. */
  label: string;
}

/** Subresources a tenant may write, per resource plural (the Scale subresource). */
const SCALABLE = new Set(["deployments", "replicasets", "statefulsets"]);

const PATCH_TYPE_OF = new Map<string, PatchType>(
  Object.entries(PATCH_CONTENT_TYPES).map(([type, contentType]) => [
    contentType,
    type as PatchType,
  ]),
);

/**
 * Turns an HTTP write on a tenant resource path into the KubeWrite that goes on chain, or a
 * KubeRefusal naming why it cannot (a 4xx `Status`, answered at once).
 */
export function planWrite(
  method: string,
  path: Extract<KubePath, { kind: "namespaced" }>,
  query: URLSearchParams,
  contentType: string,
  body: Buffer,
): PlannedWrite {
  const { resource, namespace } = path;
  if (!resource.writable) {
    throw new KubeRefusal(
      403,
      "KUBE_RESOURCE_READ_ONLY",
      `tenants may read ${resource.plural} but only the control plane writes them`,
    );
  }
  if (
    path.subresource !== undefined &&
    !(path.subresource === "scale" && SCALABLE.has(resource.plural))
  ) {
    throw new KubeRefusal(
      403,
      "KUBE_RESOURCE_FORBIDDEN",
      `writing ${resource.plural}/${path.subresource} is not allowed to tenants`,
    );
  }
  const verb = verbOf(method, path.name);
  if (path.subresource === "scale" && verb !== "update" && verb !== "patch") {
    throw new KubeRefusal(405, "KUBE_METHOD_NOT_ALLOWED", `${method} on the scale subresource`);
  }
  const fieldManager = query.get("fieldManager") ?? undefined;
  const envelope: KubeWrite = {
    apiVersion: KUBE_WRITE_API_VERSION,
    kind: KUBE_WRITE_KIND,
    verb,
    ...(path.subresource === "scale" ? { subresource: "scale" as const } : {}),
    ...(fieldManager && verb !== "delete" && verb !== "deletecollection" ? { fieldManager } : {}),
  };
  const document = body.length > 0 ? decodeBody(body, contentType) : undefined;
  let name = path.name ?? "";
  if (verb === "create") {
    const object = requireMapping(document, "the object to create");
    const metadata = (object.metadata ?? {}) as { name?: unknown; generateName?: unknown };
    if (typeof metadata.name === "string") name = metadata.name;
    else if (typeof metadata.generateName === "string") {
      throw new KubeRefusal(
        400,
        "KUBE_GENERATE_NAME_UNSUPPORTED",
        "metadata.generateName needs the name on chain before the API server picks it; give the object a name",
      );
    } else throw new KubeRefusal(400, "KUBE_WRITE_INVALID", "the object has no metadata.name");
    envelope.body = object;
  } else if (verb === "update") {
    envelope.body = requireMapping(document, "the object to update");
  } else if (verb === "patch") {
    const patchType = PATCH_TYPE_OF.get(contentType.split(";")[0]?.trim().toLowerCase() ?? "");
    if (!patchType) {
      throw new KubeRefusal(
        415,
        "KUBE_PATCH_TYPE_UNSUPPORTED",
        `unsupported patch Content-Type "${contentType}"`,
      );
    }
    envelope.patchType = patchType;
    if (document === undefined) throw new KubeRefusal(400, "KUBE_WRITE_INVALID", "an empty patch");
    envelope.body = document;
    if (query.get("force") === "true") envelope.force = true;
    if (patchType === "apply" && !fieldManager) {
      throw new KubeRefusal(400, "KUBE_WRITE_INVALID", "an apply patch needs ?fieldManager=");
    }
  } else {
    const options = document === undefined ? {} : requireMapping(document, "DeleteOptions");
    const propagationPolicy = query.get("propagationPolicy");
    if (propagationPolicy && options.propagationPolicy === undefined)
      options.propagationPolicy = propagationPolicy;
    const grace = query.get("gracePeriodSeconds");
    if (grace !== null && /^\d+$/.test(grace) && options.gracePeriodSeconds === undefined)
      options.gracePeriodSeconds = Number(grace);
    if (Object.keys(options).length > 0) envelope.body = options;
    if (verb === "deletecollection") {
      const labelSelector = query.get("labelSelector");
      const fieldSelector = query.get("fieldSelector");
      if (labelSelector) envelope.labelSelector = labelSelector;
      if (fieldSelector) envelope.fieldSelector = fieldSelector;
    }
  }
  const resourceName = path.subresource === "scale" ? `${resource.plural}/scale` : resource.plural;
  return {
    namespace,
    method: KUBE_WRITE_METHOD[verb],
    resource: resourceName,
    name,
    envelope,
    dryRun: query.getAll("dryRun").includes("All"),
    label: `${verb} ${resourceName}${name ? `/${name}` : ""}`,
  };
}

function verbOf(method: string, name: string | undefined): KubeWriteVerb {
  switch (method) {
    case "POST":
      if (name !== undefined) {
        throw new KubeRefusal(
          405,
          "KUBE_METHOD_NOT_ALLOWED",
          "POST names a collection, not an object",
        );
      }
      return "create";
    case "PUT":
    case "PATCH":
      if (name === undefined) {
        throw new KubeRefusal(405, "KUBE_METHOD_NOT_ALLOWED", `${method} needs an object name`);
      }
      return method === "PUT" ? "update" : "patch";
    case "DELETE":
      return name === undefined ? "deletecollection" : "delete";
    default:
      throw new KubeRefusal(405, "KUBE_METHOD_NOT_ALLOWED", `${method} is not a Kubernetes write`);
  }
}

/** JSON, or YAML for apply patches (`application/apply-patch+yaml`). */
function decodeBody(body: Buffer, contentType: string): unknown {
  const text = body.toString("utf8");
  if (contentType.includes("protobuf")) return objectFromProtobuf(body);
  try {
    return contentType.includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new KubeRefusal(
      400,
      "KUBE_WRITE_INVALID",
      `the body is not valid: ${(error as Error).message}`,
    );
  }
}

function requireMapping(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KubeRefusal(400, "KUBE_WRITE_INVALID", `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
