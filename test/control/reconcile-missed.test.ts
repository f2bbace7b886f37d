// Reconciliation's missed-event path: a request event the follower never delivered (its
// cursor moved past it, as a buggy full node could cause) is found on chain, executed at most
// once in the cluster and answered exactly once on chain. Real parts: devnet, kube-testenv,
// the real executor; only the follower's cursor is moved by hand (the fault itself).
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { admitRequest } from "../../src/control/admission/index.ts";
import { openControlState } from "../../src/control/inbox/index.ts";
import { TenantExecutor } from "../../src/k8s/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { chainEvents, cursorAfterAll } from "../helpers/enclave-rig.ts";
import {
  newTenant,
  openStack,
  resultsOf,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";

describe("nautilus-control reconciliation: request events the follower never delivered", () => {
  let stack: Stack;
  let core: CoreV1Api;
  let tenant: Awaited<ReturnType<typeof newTenant>>;
  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    stack = await openStack(cluster.kubeConfig());
    await stack.startControl();
    tenant = await newTenant(stack, `missed-${Date.now().toString(36)}`);
    // The tenant's namespace is provisioned by a first request that goes the normal way.
    const warmup = await submitConfigMap(stack, tenant, "warmup");
    assert.ok((await waitForResult(stack, warmup)).status_code < 300);
  });
  after(() => stack?.close());

  /** Stops nautilus-control, runs `whileDown`, moves its cursor past every event, restarts. */
  async function restartSkippingEvents(whileDown: () => Promise<void>) {
    await stack.control?.stop();
    stack.control = undefined;
    await whileDown();
    const cursor = await cursorAfterAll(stack);
    assert.ok(cursor);
    const db = new DatabaseSync(join(stack.config.dataDir, "inbox.sqlite"));
    db.prepare("UPDATE meta SET value = ? WHERE key = 'cursor'").run(cursor);
    db.close();
    return stack.startControl();
  }

  const configMap = (name: string) =>
    core.readNamespacedConfigMap({ name, namespace: tenant.namespace });

  it("nothing applied: found when the chain stays ahead for a second pass, executed and answered once", async () => {
    let missed = 0n;
    const control = await restartSkippingEvents(async () => {
      missed = await submitConfigMap(stack, tenant, "never-delivered", { data: { k: "v" } });
    });
    assert.equal(control.state.requests.get(missed), undefined, "the event was skipped");

    // One pass behind may be the follower's lag: no re-read yet.
    const first = await control.reconciler.pass();
    assert.equal(first.missed_request_event, undefined, JSON.stringify(first));
    assert.equal(control.state.requests.get(missed), undefined);
    // Still behind at the next pass: a gap. The chain's events are read again.
    const second = await control.reconciler.pass();
    assert.equal(second.missed_request_event, 1, JSON.stringify(second));

    const result = await waitForResult(stack, missed);
    assert.equal(result.status_code, 201, result.summary);
    const map = await configMap("never-delivered");
    assert.equal(map.metadata?.annotations?.["k8s-daas.io/request-id"], String(missed));
    assert.deepEqual(map.data, { k: "v" });

    // Caught up: later passes find no gap and post nothing more.
    const third = await control.reconciler.pass();
    assert.equal(third.missed_request_event, undefined, JSON.stringify(third));
    const fourth = await control.reconciler.pass();
    assert.equal(fourth.missed_request_event, undefined, JSON.stringify(fourth));
    assert.equal((await resultsOf(stack, missed)).length, 1);
    assert.equal((await configMap("never-delivered")).metadata?.uid, map.metadata?.uid);
  });

  it("applied by an earlier run that lost its record: answered at the first pass, without a second write", async () => {
    let missed = 0n;
    let applied: Awaited<ReturnType<typeof configMap>> | undefined;
    const control = await restartSkippingEvents(async () => {
      missed = await submitConfigMap(stack, tenant, "applied-earlier", { data: { k: "v" } });
      // An earlier run admitted and executed it (the real admission and executor), then
      // lost its record of the request.
      const earlier = openControlState(":memory:", {
        clusterId: stack.clusterId,
        packageId: stack.packageId,
      });
      earlier.inbox.ingest(await chainEvents(stack), null);
      const request = earlier.requests.get(missed);
      assert.ok(request);
      const admitted = admitRequest(request, {
        claim: earlier.namespaces.get(tenant.namespace),
        clusterId: stack.clusterId,
        placeOnWorkers: false,
      });
      earlier.inbox.close();
      assert.ok(admitted.ok);
      const outcome = await new TenantExecutor(stack.kubeConfig).execute(
        admitted.operation,
        missed,
      );
      assert.equal(outcome.statusCode, 201, outcome.summary);
      applied = await configMap("applied-earlier");
    });
    assert.equal(control.state.requests.get(missed), undefined, "the event was skipped");

    // An object stamped with an unknown request id is a gap at once.
    const drift = await control.reconciler.pass();
    assert.equal(drift.missed_request_event, 1, JSON.stringify(drift));
    const result = await waitForResult(stack, missed);
    // Applied again as the same object: the API server saw no change.
    assert.equal(result.status_code, 200, result.summary);
    assert.match(result.summary, /configured/);
    const after = await configMap("applied-earlier");
    assert.equal(after.metadata?.uid, applied?.metadata?.uid);
    assert.equal(
      after.metadata?.resourceVersion,
      applied?.metadata?.resourceVersion,
      "no second write",
    );

    const again = await control.reconciler.pass();
    assert.equal(again.missed_request_event, undefined, JSON.stringify(again));
    assert.equal((await resultsOf(stack, missed)).length, 1);
  });

  it("a gap below the highest request (a later event was delivered) is found too", async () => {
    let missed = 0n;
    const control = await restartSkippingEvents(async () => {
      missed = await submitConfigMap(stack, tenant, "below-a-later-one");
    });
    // A later request arrives the normal way: the inbox's highest id catches up with the
    // chain's, the skipped one stays a hole below it.
    const later = await submitConfigMap(stack, tenant, "delivered-later");
    assert.ok((await waitForResult(stack, later)).status_code < 300);
    assert.equal(control.state.requests.get(missed), undefined, "the event was skipped");

    const first = await control.reconciler.pass();
    assert.equal(first.missed_request_event, undefined, JSON.stringify(first));
    const second = await control.reconciler.pass();
    assert.equal(second.missed_request_event, 1, JSON.stringify(second));
    const result = await waitForResult(stack, missed);
    assert.equal(result.status_code, 201, result.summary);
    assert.equal((await resultsOf(stack, missed)).length, 1);
    assert.equal((await resultsOf(stack, later)).length, 1);
  });
});
