/** Why a stream is refused or ended early; stable codes the CLI branches on. */
export type StreamErrorCode =
  | "STREAM_BAD_REQUEST"
  | "STREAM_LIMIT_REACHED"
  | "NAMESPACE_NOT_CLAIMED"
  | "NAMESPACE_NOT_OWNED"
  | "STREAM_FORBIDDEN"
  | "STREAM_NOT_FOUND"
  | "STREAM_UPSTREAM_FAILED";

export class StreamError extends Error {
  readonly code: StreamErrorCode;
  readonly statusCode: number;

  constructor(code: StreamErrorCode, statusCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StreamError";
    this.code = code;
    this.statusCode = statusCode;
  }
}

/**
 * How a stream ended, sent as the `k8s-daas-stream-end` trailer: the body was complete
 * (`EOF`), or the control plane ended it for a reason the client should show.
 */
export type StreamEndReason =
  | "EOF"
  | "POD_GONE"
  | "NAMESPACE_RELEASED"
  | "CONTROL_STOPPING"
  | "UPSTREAM_FAILED";

export const STREAM_END_TRAILER = "k8s-daas-stream-end";
