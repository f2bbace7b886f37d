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
  | { kind: "delete"; resource: ResourceType; namespace: string; name: string };

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
