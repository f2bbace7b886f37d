// The Nautilus path with the control plane in it: nautilus-control with a Nitro signer
// (keys made in memory, documents from a stand-in NSM that a test CA signs — no Nitro
// hardware here) serves /get_attestation; the admin pins the PCRs, registers the enclave
// from that document on the devnet (whose load_nitro_attestation trusts the test CA) and
// turns dev enclaves off; a tenant's request then gets a result signed by the attested key,
// which the chain accepts. Real parts otherwise: devnet, BCS, ed25519, kube-testenv.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  addAttestedEnclaveRegistration,
  addCall,
  executeSigned,
  readClusterObject,
} from "../../src/chain/index.ts";
import { INSTALLED_ENCLAVE_KEY_KIND, verifyNitroAttestation } from "../../src/protocol/index.ts";
import { createNitroEnclaveSigner } from "../../src/tee/index.ts";
import { testCluster, waitFor } from "../helpers/cluster.ts";
import { createTestNitroCa, nsmStandIn } from "../helpers/nitro-ca.ts";
import {
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";
import { adminCapOf } from "../worker/fixtures.ts";

const now = Date.now();
const ca = createTestNitroCa(now - 3_600_000, now + 3_600_000);
const pcrs = [0x11, 0x22, 0x33].map((fill) => new Uint8Array(48).fill(fill));

describe("nautilus-control as a Nitro enclave, registered from its own attestation", () => {
  let stack: Stack;
  before(async () => {
    const cluster = await testCluster();
    stack = await openStack(cluster.kubeConfig(), {}, { nitroRootPem: ca.rootPem });
  });
  after(() => stack?.close());

  it("serves its attestation, is registered from it, and its signed results are accepted", async () => {
    const signer = await createNitroEnclaveSigner(nsmStandIn(ca, { pcrs, nowMs: now }));
    const control = await stack.startControl({ enclave: signer });
    const health = (await (await fetch(`${control.url}/healthz`)).json()) as { enclave: string };
    assert.equal(health.enclave, "nitro");

    const served = await fetch(`${control.url}/get_attestation`);
    assert.equal(served.status, 200);
    const document = Buffer.from(
      ((await served.json()) as { attestation: string }).attestation,
      "hex",
    );
    assert.deepEqual(
      verifyNitroAttestation(document, { nowMs: now, rootPem: ca.rootPem }).keys.publicKey,
      signer.publicKey,
    );

    const execute = (build: Parameters<typeof executeSigned>[2]) =>
      executeSigned(stack.client, stack.admin, build);
    const cap = await adminCapOf(stack);
    const objects = { cluster: stack.clusterId, cap };
    await execute((tx) =>
      addCall(
        tx,
        stack.packageId,
        "set_enclave_pcrs",
        { pcr0: pcrs[0], pcr1: pcrs[1], pcr2: pcrs[2] },
        objects,
      ),
    );
    await execute((tx) =>
      addAttestedEnclaveRegistration(
        tx,
        stack.packageId,
        { clusterId: stack.clusterId, adminCapId: cap },
        document,
      ),
    );
    await execute((tx) => addCall(tx, stack.packageId, "disable_dev_enclave", {}, objects));
    const cluster = await readClusterObject(stack.client, stack.clusterId);
    assert.deepEqual(Uint8Array.from(cluster.enclave_public_key), signer.publicKey);
    assert.deepEqual(
      Uint8Array.from(cluster.enclave_encryption_key),
      signer.encryptionKey.publicKey,
    );
    assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.nitro);
    assert.equal(cluster.allow_dev_enclave, false);

    await waitFor("the control plane to see its key registered", async () => {
      const ready = (await (await fetch(`${control.url}/readyz`)).json()) as {
        checks: { name: string; ok: boolean; detail: string }[];
      };
      const chain = ready.checks.find((check) => check.name === "chain");
      return chain?.ok && /our enclave key is registered/.test(chain.detail) ? chain : undefined;
    });
    const tenant = await newTenant(stack, `nitro-${Date.now().toString(36)}`);
    const id = await submitConfigMap(stack, tenant, "attested", { data: { k: "v" } });
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, 201);
  });
});
