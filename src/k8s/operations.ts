import type { ResourceType } from "./resources.ts";

export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [key: string]: unknown };
  [key: string]: unknown;
};

/**
 * What admission hands the executor: one Kubernetes operation, already validated and
 * normalized, in the tenant's own namespace. Nothing downstream re-parses tenant input.
 */
export type AdmittedOperation =
  | { kind: "get"; resource: ResourceType; namespace: string; name: string }
  /** One page of at most `query.limit` objects (admission always sets it). */
  | { kind: "list"; resource: ResourceType; namespace: string; query?: ListQuery }
  /** POST (create or update) and PUT (replace, `force`) become server-side apply. */
  | {
      kind: "apply";
      resource: ResourceType;
      namespace: string;
      name: string;
      object: KubernetesObject;
      force: boolean;
    }
  /** JSON merge patch (RFC 7386). */
  | {
      kind: "patch";
      resource: ResourceType;
      namespace: string;
      name: string;
      patch: Record<string, unknown>;
    }
  | { kind: "delete"; resource: ResourceType; namespace: string; name: string }
  // The kubectl gateway's verbs (a KubeWrite payload, src/protocol/kube-write.ts): their
  // outcome's output is the API server's response body verbatim and its status the HTTP one.
  /** A real create: 409 AlreadyExists when the name is taken. */
  | {
      kind: "create";
      resource: ResourceType;
      namespace: string;
      name: string;
      object: KubernetesObject;
      fieldManager?: string;
    }
  /** PUT: the whole object (or the Scale), conditioned on `metadata.resourceVersion` if set. */
  | {
      kind: "update";
      resource: ResourceType;
      namespace: string;
      name: string;
      subresource?: "scale";
      object: KubernetesObject;
      fieldManager?: string;
    }
  /**
   * A patch of any type, never sent as such: the executor resolves it with the API
   * server's dry run, has the result checked by the `ResolvedObjectPolicy`, then writes
   * exactly the checked object conditioned on the resourceVersion it was resolved against.
   */
  | {
      kind: "typed-patch";
      resource: ResourceType;
      namespace: string;
      name: string;
      subresource?: "scale";
      patchType: "json" | "merge" | "strategic" | "apply";
      patch: unknown;
      fieldManager?: string;
      force?: boolean;
    }
  /** DELETE with the tenant's DeleteOptions (validated: no dryRun). */
  | {
      kind: "delete-with-options";
      resource: ResourceType;
      namespace: string;
      name: string;
      options: DeleteOptions;
    }
  | {
      kind: "delete-collection";
      resource: ResourceType;
      namespace: string;
      options: DeleteOptions;
      labelSelector?: string;
      fieldSelector?: string;
    };

/** The AdmittedOperation kinds whose outcome is the API server's answer verbatim. */
export const KUBE_WRITE_OPERATIONS: ReadonlySet<AdmittedOperation["kind"]> = new Set([
  "create",
  "update",
  "typed-patch",
  "delete-with-options",
  "delete-collection",
]);

/** The DeleteOptions a tenant may send (admission checked every field). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** What a patch resolved to, as the policy judges it (the object to write, or a refusal). */
export type ResolvedCheck =
  | { ok: true; object: Record<string, unknown> }
  | { ok: false; code: string; statusCode: number; message: string };

/**
 * Admission's judgement of a patch's result, given to the executor by the control plane
 * (admission lives above src/k8s): `object` is the API server's dry-run result with its
 * server-set fields; the answer is the object to write (policy defaults added) or a refusal.
 */
export type ResolvedObjectPolicy = (
  target: {
    resource: ResourceType;
    namespace: string;
    name: string;
    subresource?: "scale";
  },
  resolved: Record<string, unknown>,
  live: Record<string, unknown> | undefined,
) => ResolvedCheck | Promise<ResolvedCheck>;

/** A list request's options, validated by admission (`limit` at most its `maxListItems`). */
export interface ListQuery {
  limit: number;
  labelSelector?: string;
  /** The `metadata.continue` token of the previous page. */
  continue?: string;
}

/**
 * The answer a request gets on chain. `statusCode` follows HTTP (2xx success, 4xx the
 * tenant's fault, 5xx ours); `errorCode` is stable and documented, for failures only.
 */
export interface RequestOutcome {
  statusCode: number;
  errorCode?: string;
  /** One line for the on-chain summary (truncated to 256 bytes when posted). */
  summary: string;
  /** The full output (API object, list or error details), served by the HTTP API. */
  output: unknown;
}
