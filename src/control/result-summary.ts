import type { RequestOutcome } from "../k8s/operations.ts";
import { LIMITS } from "../protocol/index.ts";

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
