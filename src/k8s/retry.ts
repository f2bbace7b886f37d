// The chain client's backoff is generic (no Sui in it); one implementation for the project.
import { type BackoffPolicy, backoffDelay, sleep } from "../shared/backoff.ts";
import { isK8sError, K8sError } from "./errors.ts";

/**
 * How long to keep trying a Kubernetes call that failed transiently. An API server that
 * restarts (seconds) or is briefly overloaded must make requests wait, not fail; one that
 * stays away past the deadline gets the request reported as unavailable.
 */
export interface RetryPolicy {
  readonly backoff: BackoffPolicy;
  /** Give up retrying once this much time has passed since the first attempt. */
  readonly deadlineMs: number;
  /** One HTTP exchange longer than this is abandoned and counts as transient. */
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  backoff: { baseMs: 250, maxMs: 10_000 },
  deadlineMs: 5 * 60_000,
  attemptTimeoutMs: 30_000,
};

/** Reported before each retry, for metrics and logs. */
export interface RetryEvent {
  /** 1 for the first retry. */
  readonly retry: number;
  readonly delayMs: number;
  readonly elapsedMs: number;
  readonly error: K8sError;
}

export interface RetryOptions {
  readonly policy?: RetryPolicy | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Injectable jitter source. */
  readonly random?: () => number;
}

/**
 * Worth trying again: no answer (connection refused/reset, timeout), 429, and 5xx except
 * 501 (Not Implemented never changes). Everything else is the answer.
 */
export function isTransient(error: unknown): boolean {
  if (!isK8sError(error)) return false;
  if (error.code === "K8S_TRANSPORT") return true;
  const status = error.statusCode;
  if (status === undefined) return false;
  return status === 429 || (status >= 500 && status !== 501);
}

/**
 * Runs `attempt` until it succeeds, fails permanently, the deadline passes (the last error
 * is thrown), or `signal` aborts (its reason is thrown). Each attempt gets a signal that
 * also fires after `attemptTimeoutMs`.
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const callerSignal = options.signal;
  const started = performance.now();
  for (let attemptNumber = 0; ; attemptNumber++) {
    callerSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(policy.attemptTimeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let error: unknown;
    try {
      return await attempt(signal, attemptNumber);
    } catch (thrown) {
      callerSignal?.throwIfAborted();
      error = timeout.aborted
        ? new K8sError("K8S_TRANSPORT", `no answer within ${policy.attemptTimeoutMs} ms`, {
            cause: thrown,
          })
        : thrown;
    }
    if (!isTransient(error)) throw error;
    const transient = error as K8sError;
    const elapsedMs = performance.now() - started;
    const delayMs = Math.min(
      policy.backoff.maxMs,
      Math.max(
        backoffDelay(policy.backoff, attemptNumber, options.random),
        transient.retryAfterMs ?? 0,
      ),
    );
    if (elapsedMs + delayMs > policy.deadlineMs) throw transient;
    options.onRetry?.({ retry: attemptNumber + 1, delayMs, elapsedMs, error: transient });
    await sleep(delayMs, callerSignal);
  }
}
