import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseLogQuery,
  parseSince,
  StreamError,
  StreamQuota,
} from "../../src/control/streams/index.ts";

const code = (expected: string) => (error: unknown) =>
  error instanceof StreamError && error.code === expected;

describe("control: stream limits and log options", () => {
  it("counts open streams per tenant: the one over the limit is refused, a release frees a slot", () => {
    const quota = new StreamQuota({ maxConcurrentPerTenant: 2 });
    const a = quota.acquire("alice");
    quota.acquire("alice");
    assert.throws(() => quota.acquire("alice"), code("STREAM_LIMIT_REACHED"));
    // Another tenant has its own count.
    quota.acquire("bob");
    a.release();
    a.release(); // idempotent: one release frees one slot
    assert.equal(quota.open("alice"), 1);
    quota.acquire("alice");
    assert.throws(() => quota.acquire("alice"), code("STREAM_LIMIT_REACHED"));
  });

  it("meters bytes per tenant: past the first second's budget, bytes wait for the rate", async () => {
    const quota = new StreamQuota({ bytesPerSecondPerTenant: 10_000 });
    const lease = quota.acquire("alice");
    const started = performance.now();
    await lease.spend(10_000); // the full bucket, at once
    await lease.spend(5_000); // half a second's worth more
    const waited = performance.now() - started;
    assert.ok(waited >= 400, `waited ${waited.toFixed(0)} ms for 5,000 bytes at 10,000 B/s`);
    // Other tenants have their own bucket: bob's full second goes before alice's next bytes.
    const bob = quota.acquire("bob");
    const order: string[] = [];
    await Promise.all([
      lease.spend(5_000).then(() => order.push("alice")),
      bob.spend(10_000).then(() => order.push("bob")),
    ]);
    assert.deepEqual(order, ["bob", "alice"]);
  });

  it("an aborted wait for bytes rejects instead of hanging", async () => {
    const quota = new StreamQuota({ bytesPerSecondPerTenant: 1_024 });
    const lease = quota.acquire("alice");
    await lease.spend(1_024);
    const stop = new AbortController();
    const waiting = lease.spend(1_024, stop.signal);
    stop.abort();
    await assert.rejects(waiting, { name: "AbortError" });
  });

  it("refuses nonsense limits", () => {
    assert.throws(() => new StreamQuota({ maxConcurrentPerTenant: 0 }), RangeError);
    assert.throws(() => new StreamQuota({ bytesPerSecondPerTenant: Number.NaN }), RangeError);
  });

  it("parses log options and refuses anything else with STREAM_BAD_REQUEST", () => {
    assert.deepEqual(
      parseLogQuery(new URLSearchParams("container=app&follow=true&tail=20&since=5m")),
      {
        container: "app",
        follow: true,
        previous: false,
        timestamps: false,
        tailLines: 20,
        sinceSeconds: 300,
      },
    );
    assert.equal(parseSince("2h"), 7200);
    assert.equal(parseSince("45"), 45);
    for (const bad of [
      "tail=-1",
      "tail=1.5",
      "tail=2000000",
      "since=0s",
      "since=1d",
      "follow=yes",
      "container=App_1",
      "x=1",
    ]) {
      assert.throws(() => parseLogQuery(new URLSearchParams(bad)), code("STREAM_BAD_REQUEST"), bad);
    }
  });
});
