import type { KubeApiClient } from "../../k8s/index.ts";

/** What worker management needs of the API server: one request at a time. */
export type KubeRequests = Pick<KubeApiClient, "request">;

/** Every request gets at most this long unless the caller brings its own signal. */
export const KUBE_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The admin client with a deadline on every request: worker management runs unattended
 * loops (activation, liveness, draining), and one exchange that never answers (a stuck
 * connection) must fail that step — retried on the next pass — not stall every later one.
 */
export function withDeadline(
  client: KubeApiClient,
  timeoutMs = KUBE_REQUEST_TIMEOUT_MS,
): KubeRequests {
  return {
    request: (method, path, options = {}) =>
      client.request(method, path, {
        ...options,
        signal: options.signal ?? AbortSignal.timeout(timeoutMs),
      }),
  };
}
