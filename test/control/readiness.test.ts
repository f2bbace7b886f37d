import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { testCluster } from "../helpers/cluster.ts";
import { openStack, type Stack } from "../helpers/stack.ts";

describe("nautilus-control operations: health, readiness, metrics", () => {
  let stack: Stack;
  before(async () => {
    const cluster = await testCluster();
    // More than the operator holds: results could not be paid for.
    stack = await openStack(cluster.kubeConfig(), { minOperatorGasMist: "10000000000000000" });
    await stack.startControl();
  });
  after(() => stack?.close());

  it("listens on loopback by default", () => {
    assert.match(stack.control?.url ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("low operator gas fails /readyz and shows in /metrics, without stopping the service", async () => {
    const health = await stack.controlFetch(`/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { enclave: string }).enclave, "dev");
    const ready = await stack.controlFetch(`/readyz`);
    assert.equal(ready.status, 503);
    const checks = (
      (await ready.json()) as { checks: { name: string; ok: boolean; detail: string }[] }
    ).checks;
    const gas = checks.find((c) => c.name === "operator-gas");
    assert.equal(gas?.ok, false);
    assert.match(gas?.detail ?? "", /minimum 10000000000000000/);
    assert.equal(checks.find((c) => c.name === "chain")?.ok, true);
    assert.equal(checks.find((c) => c.name === "kubernetes")?.ok, true);
    const metrics = await stack.controlFetch(`/metrics`).then((r) => r.text());
    assert.match(metrics, /^k8s_daas_operator_gas_balance_mist 1000000000000$/m);
    assert.match(metrics, /^# TYPE k8s_daas_execution_seconds histogram$/m);
  });

  it("answers unknown routes and methods with JSON errors", async () => {
    const missing = await stack.controlFetch(`/nope`);
    assert.equal(missing.status, 404);
    const post = await stack.controlFetch(`/v1/requests`, { method: "POST" });
    assert.equal(post.status, 405);
  });
});
