// A Kubernetes `Status`, the body the API server sends with every failure: what the kubectl
// gateway's answers are made of when the refusal is ours (admission, ownership, routes), so
// kubectl prints it as it prints the API server's own.

export interface KubeStatus {
  apiVersion: "v1";
  kind: "Status";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string };
}

/** The API server's reason for each status code we answer with. */
const REASONS: ReadonlyMap<number, string> = new Map([
  [400, "BadRequest"],
  [401, "Unauthorized"],
  [402, "PaymentRequired"],
  [403, "Forbidden"],
  [404, "NotFound"],
  [405, "MethodNotAllowed"],
  [406, "NotAcceptable"],
  [408, "Timeout"],
  [409, "Conflict"],
  [410, "Expired"],
  [413, "RequestEntityTooLarge"],
  [415, "UnsupportedMediaType"],
  [422, "Invalid"],
  [429, "TooManyRequests"],
  [500, "InternalError"],
  [502, "InternalError"],
  [503, "ServiceUnavailable"],
  [504, "Timeout"],
]);

/** The Kubernetes reason of an HTTP status (`Unknown` for one the API server does not use). */
export function kubeReason(statusCode: number): string {
  return REASONS.get(statusCode) ?? "Unknown";
}

/**
 * A failure `Status` whose message starts with our stable code (`NAMESPACE_NOT_OWNED: …`):
 * kubectl shows the message, so the code reaches the user.
 */
export function kubeStatus(
  statusCode: number,
  code: string,
  message: string,
  details?: KubeStatus["details"],
): KubeStatus {
  return {
    apiVersion: "v1",
    kind: "Status",
    metadata: {},
    status: "Failure",
    message: `${code}: ${message}`,
    reason: kubeReason(statusCode),
    code: statusCode,
    ...(details ? { details } : {}),
  };
}
