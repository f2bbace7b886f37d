import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import { abortCode } from "../../src/protocol/index.ts";
import { ClusterObject } from "../../src/protocol/objects.ts";

/**
 * Bad transactions are refused before execution with a clear message, and leave the ledger
 * exactly as it was: balances, objects and the cluster's counters.
 */
describe("devnet: bad transactions are rejected with no state change", () => {
  let devnet: Devnet;
  let client: SuiGrpcClient;
  const user = Ed25519Keypair.generate();
  let clusterId = "";
  let clusterVersion = "";
  let capId = "";

  const target = (fn: string) => `${devnet.packageId}::${fn}`;

  async function setup(build: (tx: Transaction) => void): Promise<Record<string, string>> {
    const tx = new Transaction();
    tx.setSender(user.toSuiAddress());
    build(tx);
    const result = await client.signAndExecuteTransaction({
      transaction: tx,
      signer: user,
      include: { objectTypes: true },
    });
    assert.equal(result.$kind, "Transaction");
    return result.Transaction?.objectTypes ?? {};
  }

  /** Builds without the client's resolver, so the bytes reach ExecuteTransaction as they are. */
  async function offline(
    build: (tx: Transaction) => void,
    budget = 50_000_000n,
  ): Promise<Uint8Array> {
    const coins = await client.listCoins({ owner: user.toSuiAddress() });
    const tx = new Transaction();
    tx.setSender(user.toSuiAddress());
    tx.setGasPrice(1000n);
    tx.setGasBudget(budget);
    tx.setGasPayment(
      coins.objects.map((c) => ({ objectId: c.objectId, version: c.version, digest: c.digest })),
    );
    build(tx);
    return tx.build();
  }

  const clusterRef = (tx: Transaction) =>
    tx.sharedObjectRef({
      objectId: clusterId,
      initialSharedVersion: clusterVersion,
      mutable: true,
    });

  async function snapshot() {
    const { balance } = await client.getBalance({ owner: user.toSuiAddress() });
    const { object } = await client.getObject({ objectId: clusterId, include: { content: true } });
    return {
      balance: balance.balance,
      cluster: ClusterObject.parse(object.content),
      version: object.version,
    };
  }

  async function rejectsUnchanged(bytes: Uint8Array, pattern: RegExp): Promise<void> {
    const before = await snapshot();
    const { signature } = await user.signTransaction(bytes);
    await assert.rejects(
      client.executeTransaction({ transaction: bytes, signatures: [signature] }),
      pattern,
    );
    assert.deepEqual(await snapshot(), before);
  }

  before(async () => {
    devnet = await openDevnet();
    client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    await devnet.faucet(user.toSuiAddress(), 5_000_000_000n);
    const types = await setup((tx) => {
      tx.moveCall({
        target: target("cluster::create_cluster"),
        arguments: [tx.pure.string("strict")],
      });
    });
    clusterId = Object.entries(types).find(([, t]) => t.endsWith("::cluster::Cluster"))?.[0] ?? "";
    const { object } = await client.getObject({ objectId: clusterId });
    assert.equal(object.owner.$kind, "Shared");
    clusterVersion =
      object.owner.$kind === "Shared" ? object.owner.Shared.initialSharedVersion : "";
    const claimed = await setup((tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [tx.object(clusterId), tx.pure.string("ns-1")],
      });
    });
    capId =
      Object.entries(claimed).find(([, t]) => t.endsWith("::tenancy::NamespaceCap"))?.[0] ?? "";
  });
  after(() => devnet.close());

  it("an unknown function", async () => {
    const bytes = await offline((tx) => {
      tx.moveCall({ target: target("cluster::no_such_function"), arguments: [] });
    });
    await rejectsUnchanged(bytes, /function 0x[0-9a-f]+::cluster::no_such_function does not exist/);
  });

  it("an argument of the wrong type (a u8 where a String is expected)", async () => {
    const bytes = await offline((tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [clusterRef(tx), tx.pure.u8(5)],
      });
    });
    await rejectsUnchanged(bytes, /argument 1 \(namespace\).*is not a valid string/);
  });

  it("a String argument that is not UTF-8 (a truncated 4-byte sequence)", async () => {
    // Decoding with replacement would turn these 3 bytes into U+FFFD, also 3 bytes long:
    // only an exact round trip tells them apart.
    const bytes = await offline((tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [clusterRef(tx), tx.pure(new Uint8Array([3, 0xf0, 0x90, 0x80]))],
      });
    });
    await rejectsUnchanged(bytes, /argument 1 \(namespace\).*is not a valid string/);
  });

  it("a pure value where an object is expected", async () => {
    const bytes = await offline((tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [tx.pure.address(clusterId), tx.pure.string("ns-2")],
      });
    });
    await rejectsUnchanged(bytes, /must be an object of type .*::cluster::Cluster/);
  });

  it("the wrong number of arguments", async () => {
    const bytes = await offline((tx) => {
      tx.moveCall({ target: target("tenancy::claim_namespace"), arguments: [clusterRef(tx)] });
    });
    await rejectsUnchanged(bytes, /takes 2 arguments \(cluster, namespace\), got 1/);
  });

  it("a payload over Sui's 16 KiB pure-argument limit", async () => {
    const { object: cap } = await client.getObject({ objectId: capId });
    const bytes = await offline((tx) => {
      const [fee] = tx.splitCoins(tx.gas, [1_000_000n]);
      tx.moveCall({
        target: target("requests::execute_k8s_api"),
        arguments: [
          clusterRef(tx),
          tx.objectRef({ objectId: capId, version: cap.version, digest: cap.digest }),
          tx.pure.string("POST"),
          tx.pure.string("configmaps"),
          tx.pure.string("ns-1"),
          tx.pure.string("big"),
          tx.pure.string("x".repeat(20_000)),
          tx.pure.u8(1),
          fee as never,
          tx.sharedObjectRef({ objectId: "0x6", initialSharedVersion: 1, mutable: false }),
        ],
      });
    });
    await rejectsUnchanged(bytes, /a pure argument may be at most 16384 bytes/);
  });

  it("a gas budget larger than the sender's coins", async () => {
    const bytes = await offline((tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [clusterRef(tx), tx.pure.string("ns-3")],
      });
    }, 9_000_000_000n);
    await rejectsUnchanged(
      bytes,
      /insufficient gas: the gas coins hold \d+ MIST, the budget is 9000000000 MIST/,
    );
  });

  // k8s_daas error constants are plain u64s, so a node reports module, function and code,
  // not the constant's name (that is for `#[error]` constants): clients map codes with
  // src/protocol's ABORT_CODES.
  it("simulation reports a Move abort by command, location and code, before anything is paid", async () => {
    const before = await snapshot();
    const tx = new Transaction();
    tx.setSender(user.toSuiAddress());
    tx.moveCall({
      target: target("tenancy::claim_namespace"),
      arguments: [tx.object(clusterId), tx.pure.string("kube-system")],
    });
    const reserved = abortCode("tenancy", "ENamespaceReserved").code;
    await assert.rejects(tx.build({ client }), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `MoveAbort in 1st command, abort code: ${reserved}, in '0x[0-9a-f]+::tenancy::claim_namespace'`,
        ),
      );
      assert.doesNotMatch(error.message, /ENamespaceReserved/);
      return true;
    });
    assert.deepEqual(await snapshot(), before);
  });
});
