import { RpcError } from "@mysten/sui/grpc";

/** gRPC status codes that say "try again": the request may not have reached a healthy server. */
const TRANSIENT_CODES = new Set(["UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"]);

/**
 * Codes a broken long-lived stream surfaces as (a proxy or load balancer reset, a server
 * restart): retryable for readers, which resume from a cursor, but not proof of anything for
 * a writer.
 */
const STREAM_RESET_CODES = new Set(["INTERNAL", "CANCELLED", "ABORTED", "UNKNOWN"]);

export function rpcErrorCode(error: unknown): string | undefined {
  if (error instanceof RpcError) return error.code;
  // A second copy of runtime-rpc fails `instanceof`; the shape is stable.
  if (error instanceof Error && error.name === "RpcError") {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** fetch() rejects with a TypeError when the connection cannot be made or is dropped. */
function isConnectionFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|network|socket|ECONN/i.test(error.message);
}

/**
 * The gRPC-web transport reports a connection that could not be made or was dropped as an
 * RpcError INTERNAL whose message is fetch()'s ("fetch failed"): a transport failure, not
 * the server's answer.
 */
function isWrappedConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: unknown }).cause;
  const text = `${error.message} ${cause instanceof Error ? cause.message : ""}`;
  return /fetch failed|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed/i.test(text);
}

/**
 * Safe to retry a write with the same signed bytes (the submitter looks the digest up
 * before sending again, so a transaction that did land is not sent twice).
 */
export function isTransientTransportError(error: unknown): boolean {
  const code = rpcErrorCode(error);
  if (code === "INTERNAL") return isWrappedConnectionFailure(error);
  if (code !== undefined) return TRANSIENT_CODES.has(code);
  return isConnectionFailure(error);
}

/** Safe for a cursor-based reader to reconnect and resume. */
export function isResumableReadError(error: unknown): boolean {
  const code = rpcErrorCode(error);
  if (code !== undefined) return TRANSIENT_CODES.has(code) || STREAM_RESET_CODES.has(code);
  return isConnectionFailure(error);
}
