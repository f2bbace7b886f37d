import { isK8sError, kubeStatus } from "../../k8s/index.ts";
import type { RequestOutcome } from "../../k8s/operations.ts";
import { LIMITS } from "../../protocol/index.ts";

/**
 * The one line that goes on chain with a result: `201 pod/web created`, or for failures
 * `403 ADMISSION_HOST_PATH: hostPath volumes are not allowed (spec.volumes[0])`. Cut to the
 * package's 256-byte limit on a UTF-8 boundary.
 */
export function chainSummary(outcome: RequestOutcome): string {
  const text = outcome.errorCode
    ? `${outcome.statusCode} ${outcome.errorCode}: ${outcome.summary}`
    : `${outcome.statusCode} ${outcome.summary}`;
  return truncateUtf8(text, LIMITS.maxResultSummaryBytes);
}

export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes - 3; // room for "..."
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString("utf8")}...`;
}

/** The exact bytes served as a request's full output; their sha256 goes on chain. */
export function outputJson(outcome: RequestOutcome): string {
  return JSON.stringify({
    statusCode: outcome.statusCode,
    ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
    summary: outcome.summary,
    output: outcome.output ?? null,
  });
}

export function refusal(statusCode: number, errorCode: string, message: string): RequestOutcome {
  return { statusCode, errorCode, summary: message, output: { error: errorCode, message } };
}

/**
 * A refusal of a KubeWrite request (the kubectl gateway's): the output is a Kubernetes
 * `Status` whose message starts with the code, as the gateway hands it to kubectl.
 */
export function kubeRefusal(
  statusCode: number,
  errorCode: string,
  message: string,
): RequestOutcome {
  return {
    statusCode,
    errorCode,
    summary: message,
    output: kubeStatus(statusCode, errorCode, message),
  };
}

const PROVISIONING_REFUSALS: Record<string, number> = {
  K8S_NAMESPACE_NOT_MANAGED: 409,
  K8S_NAMESPACE_OTHER_CLUSTER: 409,
  K8S_NAMESPACE_TERMINATING: 409,
  K8S_RBAC_NOT_EFFECTIVE: 503,
  K8S_QUOTA_NOT_EFFECTIVE: 503,
};

/**
 * The namespace cannot be made the tenant's: it exists and is not ours, belongs to another
 * cluster object, or is still being deleted. Each is a failed result with its own code, not
 * an internal error; anything else (API unreachable past retries) stays an error.
 */
export function provisioningRefusal(error: unknown): RequestOutcome | undefined {
  if (!isK8sError(error) || !(error.code in PROVISIONING_REFUSALS)) return undefined;
  return refusal(PROVISIONING_REFUSALS[error.code] ?? 409, error.code, error.message);
}
