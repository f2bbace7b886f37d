import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import type { Transaction } from "@mysten/sui/transactions";
import { createdObjectOfType, executeSigned } from "../../src/chain/k8s-daas.ts";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import {
  abortCode,
  decodeEvent,
  eventType,
  generateX25519KeyPair,
  K8sAPIRequestEvent,
  type MoveModule,
  podManifest,
  signingBytes,
} from "../../src/protocol/index.ts";
import { ClusterObject } from "../../src/protocol/objects.ts";

/** How the SDK words an abort of `module::constant` raised in `fn` (by code: no names). */
function abortMessage(module: MoveModule, constant: string, fn: string): RegExp {
  return new RegExp(
    `abort code: ${abortCode(module, constant).code}, in '0x[0-9a-f]+::${module}::${fn}'`,
  );
}

describe("devnet: the k8s_daas rules through the real SDK client", () => {
  let devnet: Devnet;
  let client: SuiGrpcClient;
  const admin = Ed25519Keypair.generate();
  const tenant = Ed25519Keypair.generate();
  const enclave = Ed25519Keypair.generate();
  let clusterId = "";
  let adminCapId = "";
  let namespaceCapId = "";

  const run = (signer: Ed25519Keypair, build: (tx: Transaction) => void) =>
    executeSigned(client, signer, build);
  const created = createdObjectOfType;

  const target = (fn: string) => `${devnet.packageId}::${fn}`;

  before(async () => {
    devnet = await openDevnet();
    client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    await devnet.faucet(admin.toSuiAddress(), 10_000_000_000n);
    await devnet.faucet(tenant.toSuiAddress(), 10_000_000_000n);
  });
  after(() => devnet.close());

  it("creates a cluster, registers a dev enclave key and lets a tenant claim a namespace", async () => {
    const createdCluster = await run(admin, (tx) => {
      tx.moveCall({
        target: target("cluster::create_cluster"),
        arguments: [tx.pure.string("local")],
      });
    });
    clusterId = created(createdCluster, "::cluster::Cluster");
    adminCapId = created(createdCluster, "::cluster::AdminCap");
    await run(admin, (tx) => {
      tx.moveCall({
        target: target("enclave::register_dev_enclave"),
        arguments: [
          tx.object(clusterId),
          tx.object(adminCapId),
          tx.pure.vector("u8", enclave.getPublicKey().toRawBytes()),
          tx.pure.vector("u8", generateX25519KeyPair().publicKey),
          // The TLS key hash: any 32 bytes, no control plane is served here.
          tx.pure.vector("u8", new Uint8Array(32).fill(7)),
        ],
      });
    });
    const claimed = await run(tenant, (tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [tx.object(clusterId), tx.pure.string("team-a")],
      });
    });
    namespaceCapId = created(claimed, "::tenancy::NamespaceCap");
    const { object } = await client.getObject({ objectId: clusterId, include: { content: true } });
    const cluster = ClusterObject.parse(object.content);
    assert.equal(cluster.name, "local");
    assert.deepEqual([...cluster.enclave_public_key], [...enclave.getPublicKey().toRawBytes()]);
  });

  async function createPod(name: string) {
    await run(tenant, (tx) => {
      const [fee] = tx.splitCoins(tx.gas, [1_000_000n]);
      tx.moveCall({
        target: target("requests::create_pod"),
        arguments: [
          tx.object(clusterId),
          tx.object(namespaceCapId),
          tx.pure.string(name),
          tx.pure.string("team-a"),
          tx.pure.string("nginx:1.27"),
          tx.pure.u8(5),
          fee as never,
          tx.object.clock(),
        ],
      });
    });
  }

  it("create_pod escrows the fee and emits a K8sAPIRequestEvent read back with listEvents", async () => {
    await createPod("web");
    const page = await client.listEvents({
      filter: { eventType: eventType(devnet.packageId, "K8sAPIRequestEvent") },
    });
    assert.equal(page.events.length, 1);
    const event = K8sAPIRequestEvent.parse(page.events[0]?.bcs ?? new Uint8Array());
    assert.equal(event.request_id, "1");
    assert.equal(event.method, "POST");
    assert.equal(event.resource, "pods");
    assert.equal(event.requester, tenant.toSuiAddress());
    assert.equal(
      new TextDecoder().decode(Uint8Array.from(event.payload)),
      podManifest("web", "team-a", "nginx:1.27"),
    );
  });

  it("accepts one enclave-signed completion and refuses the second with EAlreadyCompleted", async () => {
    const complete = async (sequence: bigint) => {
      const output = createHash("sha256").update("pod/web created").digest();
      const timestampMs = BigInt(devnet.clock.now());
      const message = signingBytes("requestResult", timestampMs, {
        cluster_id: clusterId,
        sequence,
        request_id: 1n,
        status_code: 201,
        output_sha256: output,
        summary: "pod/web created",
      });
      const signature = await enclave.sign(message);
      return run(admin, (tx) => {
        tx.moveCall({
          target: target("requests::complete"),
          arguments: [
            tx.object(clusterId),
            tx.pure.u64(1n),
            tx.pure.u16(201),
            tx.pure.vector("u8", output),
            tx.pure.string("pod/web created"),
            tx.pure.u64(timestampMs),
            tx.pure.u64(sequence),
            tx.pure.vector("u8", signature),
            tx.object.clock(),
          ],
        });
      });
    };
    const done = await complete(1n);
    const result = done?.events?.find((e) => e.eventType.endsWith("::events::K8sAPIResultEvent"));
    assert.ok(result);
    const decoded = decodeEvent(result.eventType, result.bcs);
    assert.equal(decoded.name, "K8sAPIResultEvent");
    const { object } = await client.getObject({ objectId: clusterId, include: { content: true } });
    assert.equal(ClusterObject.parse(object.content).treasury, "1000000");
    await assert.rejects(
      complete(2n),
      abortMessage("requests", "EAlreadyCompleted", "borrow_pending_mut"),
    );
  });

  it("rejects a forged completion (signed by another key) with EInvalidSignature", async () => {
    await createPod("api");
    const forger = Ed25519Keypair.generate();
    const timestampMs = BigInt(devnet.clock.now());
    const output = new Uint8Array(32);
    const message = signingBytes("requestResult", timestampMs, {
      cluster_id: clusterId,
      sequence: 9n,
      request_id: 2n,
      status_code: 200,
      output_sha256: output,
      summary: "",
    });
    const signature = await forger.sign(message);
    await assert.rejects(
      run(admin, (tx) => {
        tx.moveCall({
          target: target("requests::complete"),
          arguments: [
            tx.object(clusterId),
            tx.pure.u64(2n),
            tx.pure.u16(200),
            tx.pure.vector("u8", output),
            tx.pure.string(""),
            tx.pure.u64(timestampMs),
            tx.pure.u64(9n),
            tx.pure.vector("u8", signature),
            tx.object.clock(),
          ],
        });
      }),
      abortMessage("enclave", "EInvalidSignature", "verify_enclave_message"),
    );
  });
});
