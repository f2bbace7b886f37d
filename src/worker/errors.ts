/** Stable codes of everything the worker agent can fail with. */
export type WorkerErrorCode =
  | "WORKER_KEY_UNREADABLE"
  | "WORKER_STATE_UNREADABLE"
  | "WORKER_NOT_REGISTERED"
  | "WORKER_ACTIVATION_TIMEOUT"
  | "WORKER_NOT_ACTIVE"
  | "WORKER_SLASHED"
  | "WORKER_REFUSED"
  | "WORKER_JOIN_REFUSED"
  | "WORKER_JOIN_UNREACHABLE"
  | "WORKER_K3S_NOT_FOUND";

export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkerError";
    this.code = code;
  }
}

export function isWorkerError(error: unknown, code?: WorkerErrorCode): error is WorkerError {
  return error instanceof WorkerError && (code === undefined || error.code === code);
}
