/** Stable codes of what worker management reports (logs, /readyz, thrown errors). */
export type WorkerControlErrorCode =
  | "WORKERS_CONFIG_INVALID"
  | "WORKERS_KEY_NOT_FOUND"
  | "WORKERS_JOIN_TOKEN_INVALID"
  | "WORKERS_JOIN_NOT_ACTIVE"
  | "WORKERS_JOIN_BAD_REQUEST"
  /** A Node named after the worker exists but is not bound to it: the control plane leaves it be. */
  | "WORKERS_NODE_NOT_BOUND";

export class WorkerControlError extends Error {
  readonly code: WorkerControlErrorCode;
  constructor(code: WorkerControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkerControlError";
    this.code = code;
  }
}
