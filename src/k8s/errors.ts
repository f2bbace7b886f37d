export type K8sErrorCode =
  // the API server answered with an error status
  | "K8S_BAD_REQUEST"
  | "K8S_UNAUTHORIZED"
  | "K8S_FORBIDDEN"
  | "K8S_NOT_FOUND"
  | "K8S_METHOD_NOT_ALLOWED"
  | "K8S_CONFLICT"
  | "K8S_ALREADY_EXISTS"
  | "K8S_GONE"
  | "K8S_TOO_LARGE"
  | "K8S_UNSUPPORTED_MEDIA_TYPE"
  | "K8S_INVALID"
  | "K8S_TOO_MANY_REQUESTS"
  | "K8S_CLIENT_ERROR"
  | "K8S_INTERNAL"
  | "K8S_NOT_IMPLEMENTED"
  | "K8S_UNAVAILABLE"
  | "K8S_SERVER_ERROR"
  // the API server could not be reached, or gave an unreadable answer
  | "K8S_TRANSPORT"
  | "K8S_RESPONSE_INVALID"
  // configuration
  | "K8S_CONFIG_INVALID"
  // tenancy
  | "K8S_NAMESPACE_NOT_MANAGED"
  | "K8S_NAMESPACE_OTHER_CLUSTER"
  | "K8S_NAMESPACE_TERMINATING"
  | "K8S_NAMESPACE_DELETE_TIMEOUT"
  | "K8S_RBAC_NOT_EFFECTIVE"
  | "K8S_TENANT_ROLE_MISSING"
  | "K8S_TENANT_ROLE_OUTDATED"
  | "K8S_QUOTA_NOT_EFFECTIVE";

/** The `Status` object the API server sends with an error (subset we read). */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

/**
 * Every failure that leaves `src/k8s` (outside `testenv/`) is a `K8sError` with a stable
 * `code`, so the control plane branches on codes and puts them on chain as `errorCode`.
 * API errors keep the HTTP status and the API server's `Status` object.
 */
export class K8sError extends Error {
  readonly code: K8sErrorCode;
  /** HTTP status of the API server's answer; absent when there was no answer. */
  readonly statusCode: number | undefined;
  /** The API server's `Status` body, when it sent one. */
  readonly status: ApiStatus | undefined;
  /** For 429/503: the server's `Retry-After`, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: K8sErrorCode,
    message: string,
    options: {
      cause?: unknown;
      statusCode?: number;
      status?: ApiStatus;
      retryAfterMs?: number;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "K8sError";
    this.code = code;
    this.statusCode = options.statusCode;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isK8sError(error: unknown, code?: K8sErrorCode): error is K8sError {
  return error instanceof K8sError && (code === undefined || error.code === code);
}

const CODE_BY_STATUS: ReadonlyMap<number, K8sErrorCode> = new Map([
  [400, "K8S_BAD_REQUEST"],
  [401, "K8S_UNAUTHORIZED"],
  [403, "K8S_FORBIDDEN"],
  [404, "K8S_NOT_FOUND"],
  [405, "K8S_METHOD_NOT_ALLOWED"],
  [409, "K8S_CONFLICT"],
  [410, "K8S_GONE"],
  [413, "K8S_TOO_LARGE"],
  [415, "K8S_UNSUPPORTED_MEDIA_TYPE"],
  [422, "K8S_INVALID"],
  [429, "K8S_TOO_MANY_REQUESTS"],
  [500, "K8S_INTERNAL"],
  [501, "K8S_NOT_IMPLEMENTED"],
  [502, "K8S_UNAVAILABLE"],
  [503, "K8S_UNAVAILABLE"],
  [504, "K8S_UNAVAILABLE"],
]);

/**
 * The stable code of an API error status. `reason` refines 409: AlreadyExists (a create
 * lost a race) is not the same failure as Conflict (a precondition or a field owner).
 */
export function errorCodeForStatus(statusCode: number, reason?: string): K8sErrorCode {
  if (statusCode === 409 && reason === "AlreadyExists") return "K8S_ALREADY_EXISTS";
  const known = CODE_BY_STATUS.get(statusCode);
  if (known) return known;
  return statusCode >= 500 ? "K8S_SERVER_ERROR" : "K8S_CLIENT_ERROR";
}

/**
 * The error for an API server answer read as text (a stream's or an upgrade's refusal): its
 * `Status` when the body is one, else the text itself as the message.
 */
export function errorFromResponseText(statusCode: number, text: string): K8sError {
  let status: ApiStatus | undefined;
  try {
    const parsed = JSON.parse(text) as ApiStatus;
    if (parsed?.kind === "Status") status = parsed;
  } catch {
    // not a Status: the text itself is the message
  }
  return new K8sError(
    errorCodeForStatus(statusCode, status?.reason),
    status?.message ?? (text.slice(0, 500) || `HTTP ${statusCode}`),
    { statusCode, ...(status ? { status } : {}) },
  );
}
