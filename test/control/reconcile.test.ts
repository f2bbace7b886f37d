import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { decodeCursor, readEventPage } from "../../src/chain/index.ts";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { FIELD_MANAGER } from "../../src/k8s/index.ts";
import { testCluster, waitFor } from "../helpers/cluster.ts";
import {
  execute,
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";

describe("nautilus-control reconciliation: the cluster converges to the chain", () => {
  let stack: Stack;
  let core: CoreV1Api;
  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    stack = await openStack(cluster.kubeConfig());
    await stack.startControl();
  });
  after(() => stack?.close());

  const metric = async (kind: string) => {
    const text = await stack.controlFetch(`/metrics`).then((r) => r.text());
    const line = text
      .split("\n")
      .find((l) => l.startsWith(`k8s_daas_reconcile_drift_total{kind="${kind}"}`));
    return Number(line?.split(" ").at(-1) ?? 0);
  };

  it("a namespace released on chain is emptied and removed as soon as the release is seen, and counted", async () => {
    const tenant = await newTenant(stack, `rel-${Date.now().toString(36)}`);
    const id = await submitConfigMap(stack, tenant, "data", { data: { from: "chain" } });
    assert.ok((await waitForResult(stack, id)).status_code < 300);
    await execute(stack.client, tenant.key, (tx) =>
      addCall(
        tx,
        stack.packageId,
        "release_namespace",
        {},
        { cluster: stack.clusterId, cap: tenant.capId },
      ),
    );
    const namespaces = stack.control?.state.namespaces;
    await waitFor("the release to reach the inbox", async () =>
      namespaces?.get(tenant.namespace)?.released ? true : undefined,
    );
    // Seeing the release starts the removal at once; a reconciliation pass finds nothing
    // left to do or finishes the same removal (never a second one).
    const drift = await stack.control?.reconciler.pass();
    assert.ok((drift?.namespace_released ?? 0) <= 1, JSON.stringify(drift));
    await waitFor("the namespace to be gone", async () => {
      try {
        await core.readNamespace({ name: tenant.namespace });
        return undefined;
      } catch {
        return true;
      }
    });
    assert.ok((await metric("namespace_released")) >= 1);
  });

  it("a request whose event was missed, applied in the cluster but never reported, gets its result", async () => {
    const tenant = await newTenant(stack, `miss-${Date.now().toString(36)}`);
    const warmup = await submitConfigMap(stack, tenant, "warm", { data: { from: "chain" } });
    assert.ok((await waitForResult(stack, warmup)).status_code < 300);
    await stack.control?.stop();
    stack.control = undefined;

    // While the control plane is down a request arrives, and (as if an earlier run applied it
    // and then lost its record) its object is already in the cluster, stamped with its id.
    const missed = await submitConfigMap(stack, tenant, "missed", { data: { from: "chain" } });
    await core.createNamespacedConfigMap({
      namespace: tenant.namespace,
      body: {
        metadata: { name: "missed", annotations: { "k8s-daas.io/request-id": String(missed) } },
        data: { from: "chain" },
      },
      fieldManager: FIELD_MANAGER,
    });
    // The follower's cursor jumps past the event: a missed event, as a buggy node could cause.
    let page = await readEventPage(stack.client, {
      eventTypes: [`${stack.packageId}::events`],
      after: null,
      limit: 1_000,
      signal: new AbortController().signal,
    });
    while (page.hasNextPage && page.nextCursor) {
      page = await readEventPage(stack.client, {
        eventTypes: [`${stack.packageId}::events`],
        after: decodeCursor(page.nextCursor),
        limit: 1_000,
        signal: new AbortController().signal,
      });
    }
    const db = new DatabaseSync(join(stack.config.dataDir, "inbox.sqlite"));
    db.prepare("UPDATE meta SET value = ? WHERE key = 'cursor'").run(page.nextCursor ?? "");
    db.close();

    const restarted = await stack.startControl();
    assert.equal(restarted.state.requests.get(missed), undefined, "the event was skipped");
    const drift = await restarted.reconciler.pass();
    assert.ok((drift?.missed_request_event ?? 0) >= 1, JSON.stringify(drift));
    const result = await waitForResult(stack, missed);
    assert.ok(result.status_code < 300, result.summary);
    const maps = await core.listNamespacedConfigMap({ namespace: tenant.namespace });
    assert.equal(maps.items.filter((m) => m.metadata?.name === "missed").length, 1);
    assert.ok((await metric("missed_request_event")) >= 1);
  });
});
