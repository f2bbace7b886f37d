// The Nautilus path with the control plane in it: nautilus-control with a Nitro signer
// (keys made in memory, documents from a stand-in NSM that a test CA signs — no Nitro
// hardware here) serves /get_attestation; the admin pins the PCRs, registers the enclave
// from that document on the devnet (whose load_nitro_attestation trusts the test CA) and
// turns dev enclaves off; a tenant's request then gets a result signed by the attested key,
// which the chain accepts. The control plane serves HTTPS with the TLS key made in the
// enclave: clients pinning the chain's hash refuse it until the attested registration
// installs that key's hash, then reach it. Real parts otherwise: devnet, BCS, ed25519, TLS,
// kube-testenv.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { get } from "node:https";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import {
  addAttestedEnclaveRegistration,
  addCall,
  executeSigned,
  readClusterObject,
} from "../../src/chain/index.ts";
import {
  INSTALLED_ENCLAVE_KEY_KIND,
  tlsKeySha256,
  verifyNitroAttestation,
} from "../../src/protocol/index.ts";
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

/**
 * GET over HTTPS without checking the server: how an admin fetches the attestation (the
 * document proves itself; the connection need not). Returns the body and the SHA-256 of
 * the key the server's certificate carries.
 */
function unpinnedGet(url: string): Promise<{ status: number; body: string; tlsKey: Uint8Array }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const socket = res.socket as TLSSocket;
      const spki = new X509Certificate(socket.getPeerCertificate(true).raw).publicKey.export({
        format: "der",
        type: "spki",
      });
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          tlsKey: tlsKeySha256(spki),
        }),
      );
      res.on("error", reject);
    }).on("error", reject);
  });
}

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
    assert.match(control.url, /^https:\/\//, "a Nitro control plane serves HTTPS only");
    const health = await unpinnedGet(`${control.url}/healthz`);
    assert.equal((JSON.parse(health.body) as { enclave: string }).enclave, "nitro");
    // Clients pin the hash on chain, still the stack's dev enclave's: this server is refused.
    await assert.rejects(stack.controlFetch("/healthz"), { code: "CONTROL_TLS_KEY_MISMATCH" });

    const served = await unpinnedGet(`${control.url}/get_attestation`);
    assert.equal(served.status, 200);
    const document = Buffer.from(
      (JSON.parse(served.body) as { attestation: string }).attestation,
      "hex",
    );
    const attested = verifyNitroAttestation(document, { nowMs: now, rootPem: ca.rootPem }).keys;
    assert.deepEqual(attested.public_key, signer.publicKey);
    assert.deepEqual(
      attested.tls_key_sha256,
      served.tlsKey,
      "the key the server presents is the one its attestation vouches for",
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
    assert.deepEqual(Uint8Array.from(cluster.enclave_tls_key_sha256), signer.tlsKey.spkiSha256);
    assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.nitro);
    assert.equal(cluster.allow_dev_enclave, false);

    // Clients now pin the attested TLS key and reach the enclave.
    await waitFor("the control plane to see its key registered", async () => {
      const ready = (await (await stack.controlFetch("/readyz")).json()) as {
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
