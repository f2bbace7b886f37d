// Attacks on sealed payloads, made the way an attacker would: raw transactions built with
// the SDK against the devnet, nautilus-control on the real API server, real X25519/AES-GCM.
// A sealed Secret reaches the cluster and nothing of it reaches the chain or the inbox in the
// clear; a payload copied into another tenant's request, a tampered one and one sealed to a
// rotated-away key are failed results with stable codes, and create nothing.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { readClusterObject } from "../../src/chain/cluster-view.ts";
import { addCall } from "../../src/chain/k8s-daas.ts";
import {
  generateX25519KeyPair,
  K8sAPIRequestEvent,
  openOutput,
  sealedOutputOf,
  sealRequestPayload,
  type X25519KeyPair,
} from "../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { allPackageEvents, assertNoLeakInDatabase } from "../helpers/leaks.ts";
import {
  execute,
  newTenant,
  openStack,
  rotateEnclave,
  type Stack,
  submitRequest,
  waitForResult,
} from "../helpers/stack.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;

const SECRET = `pw-${randomBytes(12).toString("hex")}`;
/** Every form the secret could leak in: as written, and base64 as Kubernetes stores it. */
const SECRET_FORMS = [SECRET, Buffer.from(SECRET).toString("base64")].map((text) =>
  Buffer.from(text),
);

function secretManifest(name: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name },
      stringData: { password: SECRET },
    }),
  );
}

function containsSecret(bytes: Uint8Array): boolean {
  const haystack = Buffer.from(bytes);
  return SECRET_FORMS.some((form) => haystack.includes(form));
}

describe("attack: sealed payloads", () => {
  let stack: Stack;
  let core: CoreV1Api;
  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    stack = await openStack(cluster.kubeConfig());
    await stack.startControl();
  });
  after(() => stack?.close());

  /** The encryption key the cluster publishes now. */
  const publishedKey = async () =>
    Uint8Array.from(
      (await readClusterObject(stack.client, stack.clusterId)).enclave_encryption_key,
    );

  /** `submit_sealed` of `sealedPayload` (raw bytes, as an attacker can send any) into `tenant`'s namespace. */
  const submitSealed = (
    tenant: Tenant,
    sealedPayload: Uint8Array,
    request: { method?: string; resource?: string; name: string },
  ) =>
    submitRequest(
      stack,
      tenant.key,
      "submit_sealed",
      {
        method: request.method ?? "POST",
        resource: request.resource ?? "secrets",
        namespace: tenant.namespace,
        name: request.name,
        sealed_payload: sealedPayload,
        priority: 5,
      },
      { cap: tenant.capId },
    );

  /** A payload sealed by `tenant` for its own request, the honest way. */
  const sealFor = async (
    tenant: Tenant,
    request: { method?: string; resource?: string; name: string; body?: Uint8Array },
    replyKey?: X25519KeyPair,
    to?: Uint8Array,
  ) =>
    sealRequestPayload(
      to ?? (await publishedKey()),
      {
        body: request.body ?? secretManifest(request.name),
        ...(replyKey ? { replyKey: replyKey.publicKey } : {}),
      },
      {
        clusterId: stack.clusterId,
        requester: tenant.key.toSuiAddress(),
        namespace: tenant.namespace,
        method: request.method ?? "POST",
        resource: request.resource ?? "secrets",
        name: request.name,
      },
    );

  const secretExists = (namespace: string, name: string) =>
    core.readNamespacedSecret({ namespace, name }).then(
      () => true,
      () => false,
    );

  it("a sealed Secret reaches the cluster with its value; chain, events and inbox never see it", async () => {
    const victim = await newTenant(stack, uniqueNamespace("sealed"));
    const reply = generateX25519KeyPair();
    const created = await submitSealed(victim, await sealFor(victim, { name: "db" }, reply), {
      name: "db",
    });
    const result = await waitForResult(stack, created);
    assert.equal(result.status_code, 201, result.summary);
    const secret = await core.readNamespacedSecret({ namespace: victim.namespace, name: "db" });
    assert.equal(Buffer.from(secret.data?.password ?? "", "base64").toString(), SECRET);

    // Every event of the chain, and the request's payload as the chain carries it.
    const events = await allPackageEvents(stack);
    assert.ok(events.length > 0);
    for (const event of events) assert.equal(containsSecret(event.bcs), false, event.eventType);
    const requestEvent = events
      .filter((event) => event.eventType.endsWith("::K8sAPIRequestEvent"))
      .map((event) => K8sAPIRequestEvent.parse(event.bcs))
      .find((event) => event.request_id === String(created));
    assert.equal(requestEvent?.sealed, true);

    // The inbox keeps the sealed bytes as received, and its stored output is sealed too.
    const stored = stack.control?.state.requests.get(created);
    assert.ok(stored?.outcome);
    assert.deepEqual(stored.payload, Uint8Array.from(requestEvent?.payload ?? []));
    assert.equal(containsSecret(Buffer.from(stored.outcome.json)), false);
    assertNoLeakInDatabase(join(stack.config.dataDir, "inbox.sqlite"), containsSecret);

    // The served output is what the on-chain digest covers; the reply key opens it.
    assert.equal(
      createHash("sha256").update(stored.outcome.json).digest("hex"),
      Buffer.from(result.output_sha256).toString("hex"),
    );
    const box = sealedOutputOf((JSON.parse(stored.outcome.json) as { output: unknown }).output);
    assert.ok(box);
    const opened = JSON.parse(
      Buffer.from(
        openOutput(reply, box, { clusterId: stack.clusterId, requestId: created }),
      ).toString(),
    ) as { statusCode: number; output: { data?: Record<string, string> } };
    assert.equal(opened.statusCode, 201);
    assert.equal(Buffer.from(opened.output.data?.password ?? "", "base64").toString(), SECRET);
  });

  it("another tenant's sealed payload copied into its own request does not open and creates nothing", async () => {
    const victim = await newTenant(stack, uniqueNamespace("victim"));
    const attacker = await newTenant(stack, uniqueNamespace("thief"));
    const sealed = await sealFor(victim, { name: "db" }, generateX25519KeyPair());
    const original = await submitSealed(victim, sealed, { name: "db" });
    assert.equal((await waitForResult(stack, original)).status_code, 201);
    // The attacker lifts the payload off the public event and replays it in its namespace,
    // under the same object name and method, and under another name.
    const lifted = (await allPackageEvents(stack))
      .filter((event) => event.eventType.endsWith("::K8sAPIRequestEvent"))
      .map((event) => K8sAPIRequestEvent.parse(event.bcs))
      .find((event) => event.request_id === String(original));
    assert.ok(lifted);
    for (const name of ["db", "copy"]) {
      const copied = await submitSealed(attacker, Uint8Array.from(lifted.payload), { name });
      const result = await waitForResult(stack, copied);
      assert.equal(result.status_code, 403, result.summary);
      assert.match(result.summary, /^403 SEALED_PAYLOAD_UNREADABLE: /);
      assert.equal(await secretExists(attacker.namespace, name), false, "nothing was created");
    }
  });

  it("a tampered ciphertext is refused, and creates nothing", async () => {
    const tenant = await newTenant(stack, uniqueNamespace("tamper"));
    const sealed = await sealFor(tenant, { name: "db" });
    // A bit flipped in the ciphertext, in the tag, and in the ephemeral key.
    for (const offset of [100, sealed.length - 3, 40]) {
      const tampered = Uint8Array.from(sealed);
      tampered[offset] = (tampered[offset] ?? 0) ^ 0x04;
      const result = await waitForResult(
        stack,
        await submitSealed(tenant, tampered, { name: "db" }),
      );
      assert.equal(result.status_code, 403, result.summary);
      assert.match(result.summary, /^403 SEALED_PAYLOAD_UNREADABLE: /);
    }
    assert.equal(await secretExists(tenant.namespace, "db"), false);
    const garbage = await waitForResult(
      stack,
      await submitSealed(tenant, new TextEncoder().encode("kind: Secret"), { name: "db" }),
    );
    assert.equal(garbage.status_code, 400, garbage.summary);
    assert.match(garbage.summary, /^400 SEALED_PAYLOAD_MALFORMED: /);
  });

  it("a payload sealed to a rotated-away key gets SEALED_PAYLOAD_STALE_KEY; re-sealed, it goes through", async () => {
    const tenant = await newTenant(stack, uniqueNamespace("rotate"));
    const oldKey = await publishedKey();
    const staleSealed = await sealFor(tenant, { name: "db" });
    const next = loadDevEnclaveSigner(join(stack.dataDir, `enclave-${Date.now()}.json`));
    await stack.control?.stop();
    await rotateEnclave(stack, next);
    await stack.startControl({ enclave: next });
    assert.notDeepEqual(await publishedKey(), oldKey, "the rotation published a new key");

    const stale = await waitForResult(
      stack,
      await submitSealed(tenant, staleSealed, { name: "db" }),
    );
    assert.equal(stale.status_code, 409, stale.summary);
    assert.match(stale.summary, /^409 SEALED_PAYLOAD_STALE_KEY: /);
    assert.equal(await secretExists(tenant.namespace, "db"), false);

    const fresh = await waitForResult(
      stack,
      await submitSealed(tenant, await sealFor(tenant, { name: "db" }), { name: "db" }),
    );
    assert.equal(fresh.status_code, 201, fresh.summary);
    assert.equal(await secretExists(tenant.namespace, "db"), true);
  });

  it("sealing required: a plaintext payload aborts on chain; one sent before the switch is refused by the control plane", async () => {
    const tenant = await newTenant(stack, uniqueNamespace("required"));
    const plaintext = () =>
      submitRequest(
        stack,
        tenant.key,
        "submit",
        {
          method: "POST",
          resource: "secrets",
          namespace: tenant.namespace,
          name: "early",
          payload: secretManifest("early"),
          priority: 5,
        },
        { cap: tenant.capId },
      );
    // Sent while plaintext is still allowed, but executed after the switch.
    await stack.control?.stop();
    const early = await plaintext();
    await setRequireSealed(stack, stack.admin, true);
    await stack.startControl();
    const refused = await waitForResult(stack, early);
    assert.equal(refused.status_code, 403, refused.summary);
    assert.match(refused.summary, /^403 SEALING_REQUIRED: /);
    assert.equal(await secretExists(tenant.namespace, "early"), false);

    await assert.rejects(plaintext(), /EPayloadNotSealed|418/);
    // Sealed payloads and empty ones still go through.
    const sealed = await waitForResult(
      stack,
      await submitSealed(tenant, await sealFor(tenant, { name: "late" }), { name: "late" }),
    );
    assert.equal(sealed.status_code, 201, sealed.summary);
    const read = await waitForResult(
      stack,
      await submitRequest(stack, tenant.key, "submit_get", {
        resource: "secrets",
        namespace: tenant.namespace,
        name: "late",
        priority: 1,
      }),
    );
    assert.equal(read.status_code, 200, read.summary);
    await setRequireSealed(stack, stack.admin, false);
  });
});

async function setRequireSealed(stack: Stack, admin: Ed25519Keypair, required: boolean) {
  await execute(stack.client, admin, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "set_require_sealed",
      { required },
      { cluster: stack.clusterId, cap: stack.adminCapId },
    ),
  );
}
