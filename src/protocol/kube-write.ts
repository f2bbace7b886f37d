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
