// The payload of a Kubernetes write as the kubectl gateway puts it on chain. A plain manifest
// payload keeps its meaning (POST and PUT are server-side applies, PATCH a JSON merge patch);
// kubectl and Helm need the API server's own verbs instead: a create that fails when the
// object exists, an update conditioned on resourceVersion, the four patch types, delete
// options, deletecollection, the scale subresource. This envelope carries them.
//
// How it maps onto `requests::submit` (the on-chain fields stay what a reader of the chain
// expects; the envelope only adds what they cannot say):
//
// | verb             | method | resource                              | name        |
// | ---------------- | ------ | ------------------------------------- | ----------- |
// | create           | POST   | plural (`deployments` or `.apps`)     | object name |
// | update           | PUT    | plural, `/scale` for the subresource  | object name |
// | patch            | PATCH  | plural, `/scale` for the subresource  | object name |
// | delete           | DELETE | plural                                | object name |
// | deletecollection | DELETE | plural                                | "" (empty)  |
//
// The result's output is the API server's own response body (the object, or a `Status`), and
// its status code the API server's HTTP status, so the gateway can answer kubectl verbatim.
// Dry runs (`?dryRun=All`) never go on chain: they use the control plane's signed API.

/** `apiVersion` and `kind` that mark a payload as a KubeWrite rather than a manifest. */
export const KUBE_WRITE_API_VERSION = "k8s-daas.io/v1";
export const KUBE_WRITE_KIND = "KubeWrite";

export const KUBE_WRITE_VERBS = [
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
] as const;
export type KubeWriteVerb = (typeof KUBE_WRITE_VERBS)[number];

/** The on-chain method each verb is submitted with. */
export const KUBE_WRITE_METHOD: Readonly<
  Record<KubeWriteVerb, "POST" | "PUT" | "PATCH" | "DELETE">
> = {
  create: "POST",
  update: "PUT",
  patch: "PATCH",
  delete: "DELETE",
  deletecollection: "DELETE",
};

export const PATCH_TYPES = ["json", "merge", "strategic", "apply"] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

/** The Content-Type the API server expects for each patch type. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

/** Subresources a tenant may write through the gateway. */
export const KUBE_WRITE_SUBRESOURCES = ["scale"] as const;
export type KubeWriteSubresource = (typeof KUBE_WRITE_SUBRESOURCES)[number];

export interface KubeWrite {
  apiVersion: typeof KUBE_WRITE_API_VERSION;
  kind: typeof KUBE_WRITE_KIND;
  verb: KubeWriteVerb;
  subresource?: KubeWriteSubresource;
  /** Required for `patch`, absent otherwise. */
  patchType?: PatchType;
  /** `?fieldManager=` (creates, updates, patches; required by apply patches). */
  fieldManager?: string;
  /** `?force=true` of an apply patch. */
  force?: boolean;
  /**
   * create/update: the object; patch: the patch document (a JSON Patch array, or a mapping;
   * an apply patch as the parsed mapping); delete/deletecollection: `DeleteOptions` or absent.
   */
  body?: unknown;
  /** deletecollection only. */
  labelSelector?: string;
  fieldSelector?: string;
}

/** True when a decoded payload mapping claims to be a KubeWrite (then it must decode as one). */
export function isKubeWriteEnvelope(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { apiVersion?: unknown }).apiVersion === KUBE_WRITE_API_VERSION &&
    (value as { kind?: unknown }).kind === KUBE_WRITE_KIND
  );
}

export type KubeWriteErrorCode =
  /** The payload claims to be a KubeWrite but one of its fields is missing or wrong. */
  | "KUBE_WRITE_INVALID"
  /** The on-chain method, resource or name disagree with the envelope (table above). */
  | "KUBE_WRITE_MISMATCH";

/** A KubeWrite that cannot be decoded or does not fit its request; `code` is stable. */
export class KubeWriteError extends Error {
  readonly code: KubeWriteErrorCode;
  constructor(code: KubeWriteErrorCode, message: string) {
    super(message);
    this.name = "KubeWriteError";
    this.code = code;
  }
}

const ENVELOPE_KEYS = new Set([
  "apiVersion",
  "kind",
  "verb",
  "subresource",
  "patchType",
  "fieldManager",
  "force",
  "body",
  "labelSelector",
  "fieldSelector",
]);
/** The API server's own bound on a field manager's name. */
const MAX_FIELD_MANAGER = 128;
const MAX_SELECTOR = 1024;
const PRINTABLE = /^[\x20-\x7e]*$/;

function invalid(message: string): KubeWriteError {
  return new KubeWriteError("KUBE_WRITE_INVALID", message);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > max ||
    !PRINTABLE.test(value)
  )
    throw invalid(`${field} must be 1..${max} printable ASCII characters`);
  return value;
}

/**
 * Validates a decoded payload mapping as a KubeWrite, once, at the boundary: the verb, the
 * fields each verb may carry (a `patchType` only on patches, `force` only on apply patches,
 * selectors only on deletecollection, the scale subresource only on update and patch), and
 * the body's shape (an object for create/update, a JSON Patch array or a mapping for
 * patches, DeleteOptions or nothing for deletes). What the body holds is admission's
 * business. Throws `KubeWriteError` (`KUBE_WRITE_INVALID`).
 */
export function decodeKubeWrite(value: unknown): KubeWrite {
  if (!isKubeWriteEnvelope(value)) {
    throw invalid(
      `a KubeWrite has apiVersion ${KUBE_WRITE_API_VERSION} and kind ${KUBE_WRITE_KIND}`,
    );
  }
  const envelope = value as Record<string, unknown>;
  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_KEYS.has(key)) throw invalid(`unknown field ${JSON.stringify(key)}`);
  }
  const verb = envelope.verb;
  if (typeof verb !== "string" || !(KUBE_WRITE_VERBS as readonly string[]).includes(verb)) {
    throw invalid(`verb must be one of ${KUBE_WRITE_VERBS.join(", ")}`);
  }
  const write: KubeWrite = {
    apiVersion: KUBE_WRITE_API_VERSION,
    kind: KUBE_WRITE_KIND,
    verb: verb as KubeWriteVerb,
  };
  const { subresource, patchType, force, body, labelSelector, fieldSelector } = envelope;
  if (subresource !== undefined) {
    if (!(KUBE_WRITE_SUBRESOURCES as readonly unknown[]).includes(subresource))
      throw invalid(`subresource must be one of ${KUBE_WRITE_SUBRESOURCES.join(", ")}`);
    if (verb !== "update" && verb !== "patch")
      throw invalid(`the ${String(subresource)} subresource is written by update or patch only`);
    write.subresource = subresource as KubeWriteSubresource;
  }
  if (verb === "patch") {
    if (!(PATCH_TYPES as readonly unknown[]).includes(patchType))
      throw invalid(`a patch needs patchType, one of ${PATCH_TYPES.join(", ")}`);
    write.patchType = patchType as PatchType;
  } else if (patchType !== undefined) {
    throw invalid("patchType belongs to patches only");
  }
  const fieldManager = optionalText(envelope.fieldManager, "fieldManager", MAX_FIELD_MANAGER);
  if (fieldManager !== undefined) {
    if (verb === "delete" || verb === "deletecollection")
      throw invalid("deletes take no fieldManager");
    write.fieldManager = fieldManager;
  }
  if (write.patchType === "apply" && fieldManager === undefined)
    throw invalid("an apply patch needs a fieldManager");
  if (force !== undefined) {
    if (write.patchType !== "apply") throw invalid("force belongs to apply patches only");
    if (typeof force !== "boolean") throw invalid("force must be true or false");
    write.force = force;
  }
  const selectors = {
    labelSelector: optionalText(labelSelector, "labelSelector", MAX_SELECTOR),
    fieldSelector: optionalText(fieldSelector, "fieldSelector", MAX_SELECTOR),
  };
  for (const [key, selector] of Object.entries(selectors)) {
    if (selector === undefined) continue;
    if (verb !== "deletecollection") throw invalid(`${key} belongs to deletecollection only`);
    write[key as "labelSelector" | "fieldSelector"] = selector;
  }
  switch (verb) {
    case "create":
    case "update":
      if (!isMapping(body)) throw invalid(`${verb} needs the object as body`);
      break;
    case "patch":
      if (write.patchType === "json" ? !Array.isArray(body) : !isMapping(body))
        throw invalid(
          write.patchType === "json"
            ? "a JSON patch body is an array of operations"
            : `a ${String(write.patchType)} patch body is a mapping`,
        );
      break;
    default:
      if (body !== undefined && body !== null && !isMapping(body))
        throw invalid(`${verb} takes DeleteOptions (a mapping) or no body`);
  }
  if (body !== undefined && body !== null) write.body = body;
  return write;
}

/** The exact payload bytes of a KubeWrite (JSON, which admission reads as YAML 1.2). */
export function encodeKubeWrite(write: KubeWrite): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(decodeKubeWrite(write)));
}

/** The on-chain request fields a KubeWrite travels in. */
export interface KubeWriteTarget {
  method: string;
  /** The plural, possibly group-qualified, with `/scale` for the subresource. */
  resource: string;
  name: string;
}

/**
 * Checks the table at the top of this file: the method is the verb's, the resource names
 * the subresource exactly when the envelope does, and the name is given except for
 * deletecollection (which names none). Throws `KubeWriteError` (`KUBE_WRITE_MISMATCH`).
 * Returns the resource without its subresource.
 */
export function checkKubeWriteTarget(write: KubeWrite, target: KubeWriteTarget): string {
  const mismatch = (message: string) => new KubeWriteError("KUBE_WRITE_MISMATCH", message);
  const method = KUBE_WRITE_METHOD[write.verb];
  if (target.method !== method)
    throw mismatch(`a ${write.verb} is submitted as ${method}, not ${target.method}`);
  const [plural = "", subresource, ...rest] = target.resource.split("/");
  if (rest.length > 0) throw mismatch(`resource ${JSON.stringify(target.resource)}`);
  if (subresource !== write.subresource)
    throw mismatch(
      write.subresource
        ? `a ${write.subresource} write names resource <plural>/${write.subresource}`
        : `resource ${JSON.stringify(target.resource)} names a subresource the envelope does not`,
    );
  if (write.verb === "deletecollection" ? target.name !== "" : target.name === "")
    throw mismatch(
      write.verb === "deletecollection"
        ? "a deletecollection names no object"
        : `a ${write.verb} names its object`,
    );
  return plural;
}
