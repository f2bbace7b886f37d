import { isK8sError } from "../../k8s/index.ts";
import { StreamError } from "./errors.ts";

/**
 * The API server's refusal, as the tenant sees it: RBAC's 403 and a missing object keep
 * their meaning; anything else is the control plane's upstream failing (502).
 */
export function streamErrorFromUpstream(error: unknown, what: string): StreamError {
  if (error instanceof StreamError) return error;
  if (isK8sError(error)) {
    if (error.code === "K8S_FORBIDDEN")
      return new StreamError("STREAM_FORBIDDEN", 403, `${what}: ${error.message}`, {
        cause: error,
      });
    if (error.code === "K8S_NOT_FOUND")
      return new StreamError("STREAM_NOT_FOUND", 404, `${what}: ${error.message}`, {
        cause: error,
      });
    if (error.code === "K8S_BAD_REQUEST" || error.code === "K8S_INVALID")
      return new StreamError("STREAM_BAD_REQUEST", 400, `${what}: ${error.message}`, {
        cause: error,
      });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StreamError("STREAM_UPSTREAM_FAILED", 502, `${what}: ${message}`, { cause: error });
}
