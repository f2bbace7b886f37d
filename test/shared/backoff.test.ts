import assert from "node:assert/strict";
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
  it("rejects with the abort reason when aborted", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
  });

  it("rejects at once on an already aborted signal", async () => {
    await assert.rejects(sleep(10, AbortSignal.abort(new Error("early"))), /early/);
  });

  it("resolves after the delay", async () => {
    await sleep(1);
  });
});
