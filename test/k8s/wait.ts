import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `check` until it returns a value other than undefined. The timeout is generous
 * and only turns a hang into a clear failure; it is not a performance assertion.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const detail = options.describe ? `; last seen: ${await options.describe()}` : "";
      throw new Error(`timed out waiting for ${what}${detail}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}
