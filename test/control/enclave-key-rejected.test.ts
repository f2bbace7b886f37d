// The cluster's registered enclave key is not this control plane's (the operator registered
// another one, or rotated it away): the chain refuses every result it signs. nautilus-control
// keeps executing, keeps the results, says why on /readyz and /metrics, and posts them once
// the right key is registered. Real parts only: devnet, BCS, ed25519, kube-testenv.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { executeSigned, registerDevEnclave } from "../../src/chain/index.ts";
import { testCluster, waitFor } from "../helpers/cluster.ts";
import {
  newTenant,
  openStack,
  resultsOf,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";
import { adminCapOf } from "../worker/fixtures.ts";

interface Readiness {
  status: number;
  checks: { name: string; ok: boolean; detail: string }[];
}

describe("nautilus-control: results refused because the cluster holds another enclave key", () => {
  let stack: Stack;
  let core: CoreV1Api;
  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    stack = await openStack(cluster.kubeConfig());
  });
  after(() => stack?.close());

  const readiness = async (): Promise<Readiness> => {
    const response = await stack.controlFetch(`/readyz`);
    const body = (await response.json()) as { checks: Readiness["checks"] };
    return { status: response.status, checks: body.checks };
  };
  const check = (ready: Readiness, name: string) => ready.checks.find((c) => c.name === name);
  const registerKey = async (publicKey: Uint8Array) =>
    registerDevEnclave(
      (build) => executeSigned(stack.client, stack.admin, build),
      stack.packageId,
      { clusterId: stack.clusterId, adminCapId: await adminCapOf(stack) },
      { publicKey, encryptionKey: stack.enclave.encryptionKey, tlsKey: stack.enclave.tlsKey },
    );

  it("keeps the executed result, reports REPORT_ENCLAVE_KEY_REJECTED, and posts it once the right key is registered", async () => {
    await registerKey(Ed25519Keypair.generate().getPublicKey().toRawBytes());
    const control = await stack.startControl();
    const tenant = await newTenant(stack, `key-${Date.now().toString(36)}`);
    const id = await submitConfigMap(stack, tenant, "signed", { data: { k: "v" } });

    const blocked = await waitFor("the results check to fail", async () => {
      const ready = await readiness();
      return check(ready, "results")?.ok === false ? ready : undefined;
    });
    assert.equal(blocked.status, 503);
    assert.match(
      check(blocked, "results")?.detail ?? "",
      /refuses our enclave signatures \(EInvalidSignature\): register this control plane's enclave key/,
    );
    assert.equal(check(blocked, "chain")?.ok, false);
    assert.match(check(blocked, "chain")?.detail ?? "", /not this control plane's key/);
    const metrics = await stack.controlFetch("/metrics").then((r) => r.text());
    assert.match(
      metrics,
      /^k8s_daas_report_problems_total\{code="REPORT_ENCLAVE_KEY_REJECTED"\} [1-9]/m,
    );

    // Executed, kept, not reported: nothing is marked and nothing is on chain.
    const map = await core.readNamespacedConfigMap({ name: "signed", namespace: tenant.namespace });
    assert.equal(map.metadata?.annotations?.["k8s-daas.io/request-id"], String(id));
    assert.equal(control.state.requests.get(id)?.state, "done");
    assert.equal(control.state.requests.countByState().reported, 0);
    assert.deepEqual(await resultsOf(stack, id), []);

    // The operator registers this control plane's key; the next reconciliation pass (every
    // reconcileIntervalMs) posts what waited.
    await registerKey(stack.enclave.publicKey);
    await control.reconciler.pass();
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, 201, result.summary);
    await waitFor("the request marked reported", async () =>
      control.state.requests.get(id)?.state === "reported" ? true : undefined,
    );
    const ready = await readiness();
    assert.equal(check(ready, "results")?.ok, true, check(ready, "results")?.detail);
    assert.equal(check(ready, "chain")?.ok, true, check(ready, "chain")?.detail);
    assert.equal((await resultsOf(stack, id)).length, 1, "posted once");
  });
});
