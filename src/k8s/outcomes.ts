import { isK8sError } from "./errors.ts";
import type { RequestOutcome } from "./operations.ts";
import type { ResourceType } from "./resources.ts";

// How executor results read: kubectl's words, one line, plus the API's own objects.

/** `pod/web`, `deployment.apps/api` (kubectl's `kind.group/name`). */
export function objectLabel(type: ResourceType, name: string): string {
  const kind = type.kind.toLowerCase();
  return `${type.group ? `${kind}.${type.group}` : kind}/${name}`;
}

/** `1 pod`, `3 pods`, `0 deployments`. */
export function countLabel(type: ResourceType, count: number): string {
  return `${count} ${count === 1 ? type.kind.toLowerCase() : type.plural}`;
}

/**
 * The object without `metadata.managedFields`: bookkeeping of the API server that can be
 * larger than the object itself (kubectl hides it too).
 */
export function withoutManagedFields(object: unknown): unknown {
  if (typeof object !== "object" || object === null) return object;
  const { metadata, ...rest } = object as { metadata?: unknown };
  if (typeof metadata !== "object" || metadata === null) return object;
  const { managedFields: _dropped, ...kept } = metadata as Record<string, unknown>;
  return { ...rest, metadata: kept };
}

export function success(statusCode: number, summary: string, output: unknown): RequestOutcome {
  return { statusCode, summary, output };
}

/**
 * A failure as the tenant sees it: the API server's status code and message when it
 * answered; 503 `K8S_UNAVAILABLE` when it could not be reached before the deadline; 500
 * `K8S_INTERNAL` for anything unexpected (a bug of ours, never the tenant's input).
 */
export function failure(error: unknown): RequestOutcome {
  if (isK8sError(error)) {
    if (error.statusCode !== undefined) {
      return {
        statusCode: error.statusCode,
        errorCode: error.code,
        summary: oneLine(error.message),
        output: error.status ?? { message: error.message },
      };
    }
    if (error.code === "K8S_TRANSPORT") {
      return {
        statusCode: 503,
        errorCode: "K8S_UNAVAILABLE",
        summary: oneLine(`Kubernetes API unreachable: ${error.message}`),
        output: { message: error.message },
      };
    }
    return {
      statusCode: 502,
      errorCode: error.code,
      summary: oneLine(error.message),
      output: { message: error.message },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    statusCode: 500,
    errorCode: "K8S_INTERNAL",
    summary: oneLine(`internal error: ${message}`),
    output: { message },
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
