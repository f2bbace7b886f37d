// Attacks on the tenant streams (logs, events, describe), made the way an attacker would:
// raw signed HTTP requests to nautilus-control (the real one, over the devnet and the real
// API server), no CLI checks in the way.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { controlTransport } from "../../src/chain/index.ts";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import { STREAM_END_TRAILER } from "../../src/control/streams/index.ts";
import { ensureTenantNamespace } from "../../src/k8s/index.ts";
import { testCluster, waitFor } from "../helpers/cluster.ts";
import { execute, newTenant, openStack, type Stack } from "../helpers/stack.ts";
import { readUntil, runningPod, writeContainerLog } from "../k8s/stream-fixtures.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;

describe("attack: reading another tenant's streams", () => {
  let stack: Stack;
  let victim: Tenant;
  let attacker: Tenant;

  const send = async (
    key: Ed25519Keypair,
    path: string,
    headers?: Record<string, string>,
  ): Promise<IncomingMessage> => {
    const control = stack.control;
    assert.ok(control);
    const url = `${control.url}${path}`;
    const signed =
      headers ?? (await signedHeaders(key, { clusterId: stack.clusterId, method: "GET", url }));
    // As clients reach it: HTTPS pinned to the TLS key hash on chain.
    const transport = controlTransport({
      url: control.url,
      pin: { client: stack.client, clusterId: stack.clusterId },
    });
    return transport.request(url, { headers: signed });
  };
  const refusal = async (key: Ed25519Keypair, path: string, headers?: Record<string, string>) => {
    const res = await send(key, path, headers);
    const body = JSON.parse(await readUntil(res, () => false)) as { error: string };
    return [res.statusCode, body.error];
  };

  before(async () => {
    const cluster = await testCluster();
    stack = await openStack(cluster.kubeConfig());
    const control = await stack.startControl();
    const stamp = Date.now().toString(36);
    victim = await newTenant(stack, `victim-${stamp}`);
    attacker = await newTenant(stack, `attacker-${stamp}`);
    for (const tenant of [victim, attacker]) {
      await waitFor(`the claim of ${tenant.namespace} in the inbox`, async () =>
        control.state.namespaces.get(tenant.namespace)?.capId === tenant.capId ? true : undefined,
      );
      // What the pipeline does before a tenant's first request runs.
      await ensureTenantNamespace(stack.kubeConfig, {
        namespace: tenant.namespace,
        owner: tenant.key.toSuiAddress(),
        clusterId: stack.clusterId,
        claimId: tenant.capId,
      });
    }
    await runningPod(cluster.kubeConfig(), victim.namespace, "secret-app");
  });
  after(() => stack?.close());

  it("every route into the victim's namespace is 403 NAMESPACE_NOT_OWNED for the attacker", async () => {
    const ns = victim.namespace;
    for (const path of [
      `/v1/namespaces/${ns}/pods/secret-app/log`,
      `/v1/namespaces/${ns}/pods/secret-app/log?follow=true`,
      `/v1/namespaces/${ns}/events`,
      `/v1/namespaces/${ns}/pods/secret-app`,
      `/v1/namespaces/${ns}/secrets/anything`,
    ]) {
      assert.deepEqual(await refusal(attacker.key, path), [403, "NAMESPACE_NOT_OWNED"], path);
    }
  });

  it("a victim's signed header is good once, for its own path only", async () => {
    const control = stack.control;
    assert.ok(control);
    const path = `/v1/namespaces/${victim.namespace}/events`;
    const headers = await signedHeaders(victim.key, {
      clusterId: stack.clusterId,
      method: "GET",
      url: `${control.url}${path}`,
    });
    // Replayed onto another path: the signature covers the path.
    assert.deepEqual(
      await refusal(
        attacker.key,
        `/v1/namespaces/${victim.namespace}/pods/secret-app/log`,
        headers,
      ),
      [401, "AUTH_INVALID"],
    );
    const first = await send(victim.key, path, headers);
    assert.equal(first.statusCode, 200);
    await readUntil(first, () => false);
    assert.deepEqual(await refusal(attacker.key, path, headers), [401, "AUTH_REPLAYED"]);
  });

  it("the owner's follower ends (NAMESPACE_RELEASED) when it releases the namespace on chain; then 404", async () => {
    await writeContainerLog("before-release");
    const res = await send(
      victim.key,
      `/v1/namespaces/${victim.namespace}/pods/secret-app/log?follow=true&tail=1`,
    );
    assert.equal(res.statusCode, 200);
    await readUntil(res, (text) => text.includes("before-release"));
    await execute(stack.client, victim.key, (tx) =>
      addCall(
        tx,
        stack.packageId,
        "release_namespace",
        {},
        { cluster: stack.clusterId, cap: victim.capId },
      ),
    );
    await readUntil(res, () => false);
    assert.equal(res.trailers[STREAM_END_TRAILER], "NAMESPACE_RELEASED");
    assert.deepEqual(await refusal(victim.key, `/v1/namespaces/${victim.namespace}/events`), [
      404,
      "NAMESPACE_NOT_CLAIMED",
    ]);
  });

  it("a follower open while nautilus-control stops ends with a clean CONTROL_STOPPING, not a hang", async () => {
    await runningPod(stack.kubeConfig, attacker.namespace, "own-app");
    await writeContainerLog("before-stop");
    const res = await send(
      attacker.key,
      `/v1/namespaces/${attacker.namespace}/pods/own-app/log?follow=true&tail=1`,
    );
    assert.equal(res.statusCode, 200);
    await readUntil(res, (text) => text.includes("before-stop"));
    const ended = readUntil(res, () => false);
    await stack.control?.stop();
    await ended;
    assert.equal(res.complete, true);
    assert.equal(res.trailers[STREAM_END_TRAILER], "CONTROL_STOPPING");
  });
});
