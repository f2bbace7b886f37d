/** Capped exponential backoff with full jitter: spreads reconnecting clients apart. */
export interface BackoffPolicy {
  /** Delay ceiling for the first retry, in ms. */
  readonly baseMs: number;
  /** No delay ever exceeds this, in ms. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): uniform in
 * [0, min(maxMs, baseMs * 2^attempt)]. `random` is injectable so tests can pin it.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
