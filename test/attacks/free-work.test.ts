// "Cancel buys free work", tried against nautilus-control with raw transactions: a
// request the control plane could still execute can never be cancelled (the chain refuses
// until the cluster's request timeout), and a request it will never execute is answered
// 408 REQUEST_EXPIRED, which refunds the fee: nothing executed is free, nothing unexecuted
// keeps its fee.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { EXPIRED_STATUS_CODE } from "../../src/protocol/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import {
  execute,
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";

const TIMEOUT_MS = 4_000;

describe("attack: free work through cancel", () => {
  let stack: Stack;
  let core: CoreV1Api;
  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    stack = await openStack(cluster.kubeConfig());
    await execute(stack.client, stack.admin, (tx) =>
      addCall(
        tx,
        stack.packageId,
        "set_request_timeout",
        { timeout_ms: TIMEOUT_MS },
        { cluster: stack.clusterId, cap: stack.adminCapId },
      ),
    );
  });
  after(() => stack?.close());

  const balance = async (address: string) =>
    BigInt((await stack.client.getBalance({ owner: address })).balance.balance);

  it("a request older than half the timeout is never executed: 408, nothing created, the fee refunded", async () => {
    const tenant = await newTenant(stack, `late-${Date.now().toString(36)}`);
    // The control plane is down while the request waits past half of the timeout.
    const id = await submitConfigMap(stack, tenant, "late", { data: { k: "v" } });
    const afterSubmit = await balance(tenant.key.toSuiAddress());
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 2 + 500));
    await stack.startControl();
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, EXPIRED_STATUS_CODE, result.summary);
    assert.match(result.summary, /REQUEST_EXPIRED/);
    assert.equal(
      await balance(tenant.key.toSuiAddress()),
      afterSubmit + 1_000_000n,
      "the whole fee came back with the result",
    );
    const configMaps = await core
      .listNamespacedConfigMap({ namespace: tenant.namespace })
      .catch(() => ({ items: [] }));
    assert.equal(
      configMaps.items.some((cm) => cm.metadata?.name === "late"),
      false,
      "the expired request created nothing",
    );
  });

  it("an executed request cannot be cancelled: the chain refuses, the fee stays paid", async () => {
    const tenant = await newTenant(stack, `paid-${Date.now().toString(36)}`);
    const id = await submitConfigMap(stack, tenant, "paid", { data: { k: "v" } });
    const result = await waitForResult(stack, id);
    assert.ok(result.status_code < 300, result.summary);
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 500));
    await assert.rejects(
      execute(stack.client, tenant.key, (tx) =>
        addCall(tx, stack.packageId, "cancel", { request_id: id }, { cluster: stack.clusterId }),
      ),
      // requests::EAlreadyCompleted (409), found while the SDK resolves the transaction.
      /MoveAbort.*abort code: 409.*::requests::/,
    );
    await core.readNamespacedConfigMap({ name: "paid", namespace: tenant.namespace });
  });
});
