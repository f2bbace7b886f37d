import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { testCluster } from "../helpers/cluster.ts";
import {
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

const OUTAGE_MS = 20_000;

describe("nautilus-control: the API server is unreachable for 20 s mid-run", () => {
  let stack: Stack;
  let proxy: TcpProxy;
  let core: CoreV1Api;

  before(async () => {
    const cluster = await testCluster();
    const direct = cluster.kubeConfig();
    core = direct.makeApiClient(CoreV1Api);
    const server = new URL(cluster.server);
    proxy = await startTcpProxy(server.hostname, Number(server.port));
    // The control plane reaches the API server only through the relay we can cut.
    const relayed = cluster.kubeConfig();
    const current = relayed.getCurrentCluster();
    assert.ok(current);
    relayed.clusters = relayed.clusters.map((c) =>
      c.name === current.name ? { ...c, server: `https://127.0.0.1:${proxy.port}` } : c,
    );
    stack = await openStack(relayed);
    await stack.startControl();
  });
  after(async () => {
    await stack?.close();
    await proxy?.close();
  });

  it("requests wait while it is down, then complete; /readyz reports the outage", async () => {
    const tenant = await newTenant(stack, `outage-${Date.now().toString(36)}`);
    const submit = (i: number) =>
      submitConfigMap(stack, tenant, `cm-${i}`, { data: { i: String(i) } });
    const first = await submit(0);
    assert.ok((await waitForResult(stack, first)).status_code < 300, "works before the outage");

    await proxy.cut();
    const cutAt = Date.now();
    const during = [];
    for (let i = 1; i <= 5; i++) during.push(await submit(i));
    const ready = await stack.controlFetch(`/readyz`);
    assert.equal(ready.status, 503, "not ready while the API server is unreachable");
    const checks = ((await ready.json()) as { checks: { name: string; ok: boolean }[] }).checks;
    assert.equal(checks.find((c) => c.name === "kubernetes")?.ok, false);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))),
    );
    const inbox = stack.control?.state.requests;
    assert.ok(inbox);
    assert.ok(
      during.every((id) => inbox.get(id)?.state === "queued" || inbox.get(id)?.state === "running"),
      "nothing was answered (or failed) during the outage",
    );
    await proxy.restore();

    for (const id of during) {
      const result = await waitForResult(stack, id);
      assert.ok(result.status_code >= 200 && result.status_code < 300, result.summary);
    }
    const maps = await core.listNamespacedConfigMap({ namespace: tenant.namespace });
    const ours = maps.items.filter((m) => m.metadata?.name?.startsWith("cm-"));
    assert.equal(ours.length, 6);
  });
});
