import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTransient, K8sError, type RetryEvent, withRetry } from "../../src/k8s/index.ts";

const fast = { backoff: { baseMs: 1, maxMs: 5 }, deadlineMs: 60_000, attemptTimeoutMs: 5_000 };
const refused = () => new K8sError("K8S_TRANSPORT", "connect ECONNREFUSED");
const status = (code: number) =>
  new K8sError("K8S_SERVER_ERROR", `HTTP ${code}`, { statusCode: code });

describe("isTransient", () => {
  it("retries no answer, 429 and 5xx except 501", () => {
    assert.equal(isTransient(refused()), true);
    for (const code of [429, 500, 502, 503, 504])
      assert.equal(isTransient(status(code)), true, `${code}`);
    for (const code of [400, 401, 403, 404, 409, 422, 501]) {
      assert.equal(isTransient(status(code)), false, `${code}`);
    }
    assert.equal(isTransient(new Error("bug")), false);
    assert.equal(isTransient(new K8sError("K8S_RESPONSE_INVALID", "not JSON")), false);
  });
});

describe("withRetry", () => {
  it("retries transient failures until the call succeeds, reporting each retry", async () => {
    const events: RetryEvent[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw calls % 2 ? refused() : status(503);
        return "done";
      },
      { policy: fast, onRetry: (event) => events.push(event) },
    );
    assert.equal(result, "done");
    assert.equal(calls, 4);
    assert.deepEqual(
      events.map((event) => [event.retry, event.error.code]),
      [
        [1, "K8S_TRANSPORT"],
        [2, "K8S_SERVER_ERROR"],
        [3, "K8S_TRANSPORT"],
      ],
    );
  });

  it("reports a permanent failure at once", async () => {
    let calls = 0;
    const notFound = new K8sError("K8S_NOT_FOUND", 'pods "web" not found', { statusCode: 404 });
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw notFound;
        },
        { policy: fast },
      ),
      (error) => error === notFound,
    );
    assert.equal(calls, 1);
  });

  it("gives up with the last transient error once the deadline would pass", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw refused();
        },
        {
          policy: { ...fast, backoff: { baseMs: 20, maxMs: 20 }, deadlineMs: 100 },
          random: () => 1,
        },
      ),
      (error) => error instanceof K8sError && error.code === "K8S_TRANSPORT",
    );
    assert.ok(calls >= 2, `tried ${calls} times`);
  });

  it("stops waiting when the caller aborts and rejects with the abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const pending = withRetry(
      async () => {
        throw refused();
      },
      {
        policy: { ...fast, backoff: { baseMs: 60_000, maxMs: 60_000 } },
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(reason), 20);
    await assert.rejects(pending, (error) => error === reason);
  });

  it("abandons an attempt that outlives attemptTimeoutMs and counts it as transient", async () => {
    let calls = 0;
    const result = await withRetry(
      (signal) => {
        calls++;
        if (calls > 1) return Promise.resolve("second attempt");
        return new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      },
      { policy: { ...fast, attemptTimeoutMs: 30 } },
    );
    assert.equal(result, "second attempt");
  });

  it("waits at least the server's Retry-After (capped by maxMs)", async () => {
    const delays: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) {
          throw new K8sError("K8S_TOO_MANY_REQUESTS", "slow down", {
            statusCode: 429,
            retryAfterMs: 1000,
          });
        }
      },
      {
        policy: { ...fast, backoff: { baseMs: 1, maxMs: 40 } },
        random: () => 0,
        onRetry: (event) => delays.push(event.delayMs),
      },
    );
    assert.deepEqual(delays, [40]);
  });
});
