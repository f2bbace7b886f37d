// The gateway's own refusals, in the shape every Kubernetes client understands: a `Status`
// whose message starts with our stable code (`NAMESPACE_NOT_OWNED: …`), as nautilus-control's
// /v2 API answers its refusals.

/** The Kubernetes `reason` of an HTTP status, as the API server names it. */
const REASONS: Readonly<Record<number, string>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  502: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export interface KubeStatus {
  apiVersion: "v1";
  kind: "Status";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; kind?: string };
}

/** A failure `Status` with HTTP status `code`; the message reads `CODE: message`. */
export function kubeStatus(
  httpStatus: number,
  code: string,
  message: string,
  details?: { name?: string; kind?: string },
): KubeStatus {
  return {
    apiVersion: "v1",
    kind: "Status",
    metadata: {},
    status: "Failure",
    message: `${code}: ${message}`,
    reason: REASONS[httpStatus] ?? "Unknown",
    code: httpStatus,
    ...(details ? { details } : {}),
  };
}

/** A refusal the gateway answers with, before or instead of anything reaching the chain. */
export class KubeRefusal extends Error {
  readonly httpStatus: number;
  readonly code: string;

  constructor(httpStatus: number, code: string, message: string) {
    super(message);
    this.name = "KubeRefusal";
    this.httpStatus = httpStatus;
    this.code = code;
  }

  toStatus(): KubeStatus {
    return kubeStatus(this.httpStatus, this.code, this.message);
  }
}
