import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { backoffDelay, sleep } from "../../src/shared/backoff.ts";

describe("backoffDelay", () => {
  const policy = { baseMs: 100, maxMs: 1_000 };

  it("doubles the ceiling per attempt and caps it", () => {
    const top = () => 0.999_999;
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 40].map((attempt) => backoffDelay(policy, attempt, top)),
      [99, 199, 399, 799, 999, 999, 999],
    );
  });

  it("spreads delays with full jitter down to zero", () => {
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0.5),
      400,
    );
  });

  it("stays finite for absurd attempt numbers", () => {
    assert.equal(
      backoffDelay(policy, 10_000, () => 0.5),
      500,
    );
    assert.equal(
      backoffDelay(policy, -3, () => 0.5),
      50,
    );
  });
});

describe("sleep", () => {
  /** Timeouts alive in this process (sleep's timer is one while it waits). */
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

  it("rejects with the signal's own reason, at once and without leaving its timer behind", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const before = timeouts();
    const pending = sleep(60_000, controller.signal);
    assert.equal(timeouts(), before + 1);
    let settled: unknown = "pending";
    pending.then(
      () => (settled = "resolved"),
      (error: unknown) => (settled = error),
    );
    controller.abort(reason);
    // Settled within the same turn of the event loop: no timer had to fire for it.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, reason, "rejected with the very reason object");
    assert.equal(timeouts(), before, "the 60 s timer was cleared");
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  it("rejects with a non-Error reason as given, and with the default AbortError", async () => {
    const plain = new AbortController();
    const pending = sleep(60_000, plain.signal);
    plain.abort("shutting down");
    await assert.rejects(pending, (error) => error === "shutting down");
    const bare = new AbortController();
    const waiting = sleep(60_000, bare.signal);
    bare.abort();
    await assert.rejects(waiting, (error) => error === bare.signal.reason);
    assert.equal((bare.signal.reason as Error).name, "AbortError");
  });

  it("rejects at once on an already aborted signal, starting no timer", async () => {
    const reason = new Error("early");
    const before = timeouts();
    const pending = sleep(10, AbortSignal.abort(reason));
    assert.equal(timeouts(), before);
    await assert.rejects(pending, (error) => error === reason);
  });

  it("resolves no sooner than the delay, and lets go of the signal", async () => {
    const controller = new AbortController();
    for (const ms of [1, 20, 50]) {
      const started = performance.now();
      await sleep(ms, controller.signal);
      const elapsed = performance.now() - started;
      // Node's timers count whole milliseconds of the event loop's clock, so measured on the
      // finer monotonic clock a timer may fire up to 1 ms before its delay; never earlier.
      assert.ok(elapsed >= ms - 1, `sleep(${ms}) resolved after ${elapsed.toFixed(3)} ms`);
    }
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });
});
