// Attacks on namespace tenancy, made the way an attacker would: raw transactions built with
// the SDK against the devnet, nautilus-control on the real API server (no CLI checks).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { ANNOTATION_CLAIM, ensureTenantNamespace } from "../../src/k8s/index.ts";
import { testCluster, waitFor } from "../helpers/cluster.ts";
import {
  execute,
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  submitRequest,
  waitForResult,
} from "../helpers/stack.ts";

describe("attack: a re-claimed namespace name", () => {
  let stack: Stack;
  let core: CoreV1Api;
  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    stack = await openStack(cluster.kubeConfig());
    await stack.startControl();
  });
  after(() => stack?.close());

  const release = (tenant: Awaited<ReturnType<typeof newTenant>>) =>
    execute(stack.client, tenant.key, (tx) =>
      addCall(
        tx,
        stack.packageId,
        "release_namespace",
        {},
        { cluster: stack.clusterId, cap: tenant.capId },
      ),
    );

  const readAs = (tenant: Awaited<ReturnType<typeof newTenant>>, name: string) =>
    submitRequest(
      stack,
      tenant.key,
      "submit_get",
      { resource: "configmaps", namespace: tenant.namespace, name, priority: 1 },
      {},
    );

  it("release then an immediate claim by another tenant: the newcomer cannot read the old tenant's objects", async () => {
    const name = `reclaim-${Date.now().toString(36)}`;
    const victim = await newTenant(stack, name);
    const stored = await submitConfigMap(stack, victim, "victim-data", {
      data: { password: "hunter2" },
    });
    assert.ok((await waitForResult(stack, stored)).status_code < 300);
    const before = await core.readNamespace({ name });

    await release(victim);
    const attacker = await newTenant(stack, name); // same name, claimed at once
    const read = await waitForResult(stack, await readAs(attacker, "victim-data"));
    assert.equal(read.status_code, 404, `the attacker read: ${read.summary}`);

    const after = await core.readNamespace({ name });
    assert.notEqual(after.metadata?.uid, before.metadata?.uid, "the namespace was made anew");
    assert.equal(after.metadata?.annotations?.[ANNOTATION_CLAIM], attacker.capId);
    const left = await core.listNamespacedConfigMap({ namespace: name });
    assert.equal(
      left.items.some((cm) => cm.metadata?.name === "victim-data"),
      false,
      "nothing of the previous claim is in the namespace",
    );
  });

  it("a previous claim's namespace is removed by reconciliation even when its release was never seen", async () => {
    const name = `missed-${Date.now().toString(36)}`;
    const tenant = await newTenant(stack, name);
    const control = stack.control;
    assert.ok(control);
    await waitFor("the claim to reach the inbox", async () =>
      control.state.namespaces.get(name)?.capId === tenant.capId ? true : undefined,
    );
    // What a missed release leaves behind: the name's namespace, provisioned for an earlier
    // claim, still holding that tenant's objects. No release event will come for it.
    await ensureTenantNamespace(stack.kubeConfig, {
      namespace: name,
      owner: `0x${"0d".repeat(32)}`,
      clusterId: stack.clusterId,
      claimId: `0x${"0c".repeat(32)}`,
    });
    await core.createNamespacedConfigMap({
      namespace: name,
      body: { metadata: { name: "old" }, data: { k: "v" } },
    });
    const drift = await control.reconciler.pass();
    assert.equal(drift.namespace_previous_claim, 1, JSON.stringify(drift));
    await assert.rejects(core.readNamespace({ name }), "the stale namespace is gone");
    const read = await waitForResult(stack, await readAs(tenant, "old"));
    assert.equal(read.status_code, 404, read.summary);
  });
});
