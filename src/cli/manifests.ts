import { isMap, isScalar, parseAllDocuments } from "yaml";
import { type ResourceType, TENANT_RESOURCES } from "../k8s/resources.ts";
import { isDnsLabel, isDnsSubdomain, isImage, LIMITS } from "../protocol/index.ts";
import { CliError, EXIT } from "./errors.ts";

// Client-side checks, so a request that is bound to fail is refused before paying gas. The
// chain and the control plane check again; these only give the earlier, clearer message.

function invalid(code: string, message: string, hint?: string): CliError {
  return new CliError(code, message, { exitCode: EXIT.usage, ...(hint ? { hint } : {}) });
}

/** kubectl's short names, for `get`/`delete` (`po`, `deploy`, `svc`, …). */
const SHORT_NAMES: Record<string, string> = {
  po: "pods",
  svc: "services",
  cm: "configmaps",
  pvc: "persistentvolumeclaims",
  deploy: "deployments",
  rs: "replicasets",
  sts: "statefulsets",
  cj: "cronjobs",
  hpa: "horizontalpodautoscalers",
  pdb: "poddisruptionbudgets",
  ing: "ingresses",
  ev: "events",
  quota: "resourcequotas",
  limits: "limitranges",
  netpol: "networkpolicies",
};

const KINDS_HINT = `tenants can use: ${TENANT_RESOURCES.map((type) => type.plural).join(", ")}`;

/** `pod`, `pods`, `Pod`, `po`, `deployments.apps` → the resource type, or UNKNOWN_KIND. */
export function resourceOf(kind: string): ResourceType {
  const wanted = kind.toLowerCase();
  const plural = SHORT_NAMES[wanted] ?? wanted.split(".")[0] ?? wanted;
  const type = TENANT_RESOURCES.find(
    (candidate) =>
      candidate.plural === plural ||
      candidate.kind.toLowerCase() === plural ||
      `${candidate.kind.toLowerCase()}s` === plural,
  );
  if (!type) throw invalid("UNKNOWN_KIND", `unknown kind "${kind}"`, KINDS_HINT);
  return type;
}

export function checkNamespace(namespace: string): void {
  if (!isDnsLabel(namespace)) {
    throw invalid(
      "INVALID_NAMESPACE",
      `namespace "${namespace}" is not a DNS label`,
      "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63",
    );
  }
}

export function checkObjectName(name: string, what = "name"): void {
  if (!isDnsSubdomain(name)) {
    throw invalid(
      "INVALID_NAME",
      `${what} "${name}" is not a DNS subdomain`,
      "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    );
  }
}

export function checkImage(image: string): void {
  if (!isImage(image)) {
    throw invalid(
      "INVALID_IMAGE",
      `image "${image}" is not a valid image reference`,
      "1-255 characters of [A-Za-z0-9._/:@-], e.g. nginxinc/nginx-unprivileged:1.27",
    );
  }
}

/** The payload limit: the cluster's own, never above what a Sui pure argument can carry. */
export function checkPayloadSize(payload: Uint8Array, label: string, clusterMax: bigint): void {
  const max = Math.min(Number(clusterMax), LIMITS.maxPayloadBytes);
  if (payload.length > max) {
    throw invalid(
      "PAYLOAD_TOO_LARGE",
      `${label} is ${payload.length} bytes; the cluster accepts at most ${max} bytes per request`,
      "split it into smaller objects, or move bulky data into a ConfigMap of its own",
    );
  }
}

/** One Kubernetes object from a manifest file, with what the request needs to name it. */
export interface ManifestObject {
  resource: ResourceType;
  name: string;
  /** `metadata.namespace`, if the document sets one. */
  namespace: string | undefined;
  object: Record<string, unknown>;
  /** `deployment/web`, for messages. */
  label: string;
}

/** Parses multi-document YAML (or JSON); every problem names the source and line. */
export function parseManifests(text: string, source: string): ManifestObject[] {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(documents)) {
    throw invalid("MANIFEST_EMPTY", `${source} holds no documents`);
  }
  const objects: ManifestObject[] = [];
  for (const [index, document] of documents.entries()) {
    const where = documents.length > 1 ? `${source} (document ${index + 1})` : source;
    const problem = document.errors[0];
    if (problem) {
      const line = problem.linePos?.[0]?.line;
      const message = problem.message.split("\n")[0] ?? problem.message;
      throw invalid(
        "MANIFEST_YAML",
        `${where}${line ? ` line ${line}` : ""}: ${message.replace(/ at line \d+, column \d+:?$/, "")}`,
        "fix the YAML; 'k8s-daas apply --help' shows an example",
      );
    }
    const contents = document.contents;
    // An empty document between separators (`---` twice) parses as a null scalar.
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    if (!isMap(document.contents)) {
      throw invalid("MANIFEST_NOT_OBJECT", `${where} is not a Kubernetes object (a mapping)`);
    }
    let object: Record<string, unknown>;
    try {
      // The control plane refuses aliases; refusing them here says so before paying.
      object = document.toJS({ maxAliasCount: 0 }) as Record<string, unknown>;
    } catch {
      throw invalid(
        "MANIFEST_YAML",
        `${where}: YAML aliases (*name) are not accepted`,
        "write the values out",
      );
    }
    objects.push(manifestObject(object, where));
  }
  if (objects.length === 0) throw invalid("MANIFEST_EMPTY", `${source} holds no objects`);
  return objects;
}

function manifestObject(object: Record<string, unknown>, where: string): ManifestObject {
  const kind = object.kind;
  if (typeof kind !== "string" || kind === "") {
    throw invalid("MANIFEST_KIND_MISSING", `${where} has no kind`, "add e.g. 'kind: Pod'");
  }
  const resource = resourceOf(kind);
  if (resource.kind !== kind) {
    throw invalid(
      "UNKNOWN_KIND",
      `${where}: unknown kind "${kind}" (did you mean ${resource.kind}?)`,
    );
  }
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = metadata.name;
  if (typeof name !== "string" || name === "") {
    throw invalid("MANIFEST_NAME_MISSING", `${where}: ${kind} has no metadata.name`);
  }
  checkObjectName(name, `${where}: metadata.name`);
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  if (namespace !== undefined) checkNamespace(namespace);
  return { resource, name, namespace, object, label: `${resource.kind.toLowerCase()}/${name}` };
}
