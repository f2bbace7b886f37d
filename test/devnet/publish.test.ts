import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GrpcTypes, SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { fromBase64, normalizeStructTag } from "@mysten/sui/utils";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import { UpgradeCapLayout } from "../../src/devnet/publish/publish-command.ts";
import { type CompiledPackage, compilePackage } from "../helpers/compiled-package.ts";

const ExecutionErrorKind = GrpcTypes.ExecutionError_ExecutionErrorKind;
const OutputState = GrpcTypes.ChangedObject_OutputObjectState;
const FUNDING_MIST = 1_000_000_000_000n;
const PUBLISH_BUDGET_MIST = 500_000_000n;

/**
 * The devnet hosts a Publish of the compiled k8s_daas package: a fresh package id whose
 * calls run the same rules, and an UpgradeCap for the sender. Anything else is refused as a
 * validator refuses an invalid package (VMVerificationOrDeserializationError).
 */
describe("devnet: publishing the k8s_daas package", async () => {
  const compiled = await compilePackage();
  const skip = "skip" in compiled ? compiled.skip : undefined;
  let devnet: Devnet;
  let client: SuiGrpcClient;
  const publisher = Ed25519Keypair.generate();

  before(async () => {
    devnet = await openDevnet();
    client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    await devnet.faucet(publisher.toSuiAddress(), FUNDING_MIST);
  });
  after(() => devnet?.close());

  async function publish(pkg: CompiledPackage) {
    const tx = new Transaction();
    tx.setSender(publisher.toSuiAddress());
    tx.setGasBudget(PUBLISH_BUDGET_MIST);
    const cap = tx.publish(pkg);
    tx.transferObjects([cap], publisher.toSuiAddress());
    const bytes = await tx.build({ client });
    const { signature } = await publisher.signTransaction(bytes);
    return client.executeTransaction({
      transaction: bytes,
      signatures: [signature],
      include: { effects: true, events: true, objectTypes: true },
    });
  }

  async function call(target: string, build: (tx: Transaction) => void = () => {}) {
    const tx = new Transaction();
    tx.setSender(publisher.toSuiAddress());
    build(tx);
    const bytes = await tx.build({ client });
    const { signature } = await publisher.signTransaction(bytes);
    const result = await client.executeTransaction({
      transaction: bytes,
      signatures: [signature],
      include: { effects: true, events: true, objectTypes: true },
    });
    assert.equal(result.$kind, "Transaction", `${target} failed`);
    return result.Transaction;
  }

  it("publishes it under a fresh id, with an UpgradeCap, and serves its rules there", {
    skip,
  }, async () => {
    const result = await publish(compiled as CompiledPackage);
    assert.equal(result.$kind, "Transaction");
    const done = result.Transaction;
    const changed = done?.effects?.changedObjects ?? [];
    const packageWrite = changed.filter((c) => c.outputState === "PackageWrite");
    assert.equal(packageWrite.length, 1, "one package written");
    const packageId = packageWrite[0]?.objectId as string;
    assert.notEqual(packageId, devnet.packageId);
    const capId = Object.entries(done?.objectTypes ?? {}).find(
      ([, type]) => type === normalizeStructTag("0x2::package::UpgradeCap"),
    )?.[0];
    assert.ok(capId, "an UpgradeCap was created");
    const { object } = await client.getObject({ objectId: capId, include: { content: true } });
    assert.deepEqual(object.owner, {
      $kind: "AddressOwner",
      AddressOwner: publisher.toSuiAddress(),
    });
    const cap = UpgradeCapLayout.parse(object.content as Uint8Array);
    assert.equal(cap.package, packageId);

    const created = await call(`${packageId}::cluster::create_cluster`, (tx) => {
      tx.moveCall({
        target: `${packageId}::cluster::create_cluster`,
        arguments: [tx.pure.string("prod")],
      });
    });
    const types = Object.values(created.objectTypes ?? {});
    assert.ok(
      types.includes(normalizeStructTag(`${packageId}::cluster::Cluster`)),
      types.join(", "),
    );
    const eventTypes = (created.events ?? []).map((event) => event.eventType);
    assert.ok(eventTypes.length > 0, "create_cluster emits an event");
    for (const type of eventTypes) assert.ok(type.startsWith(packageId), type);
    // The built-in id keeps serving the same rules.
    await call("built-in create_cluster", (tx) => {
      tx.moveCall({
        target: `${devnet.packageId}::cluster::create_cluster`,
        arguments: [tx.pure.string("other")],
      });
    });
  });

  /**
   * Publishes without the client's resolver (which simulates, and reports the SDK's parse of
   * the error): the bytes reach ExecuteTransaction, and the raw effects show the error kind.
   */
  async function publishUnsimulated(pkg: CompiledPackage) {
    const coins = await client.listCoins({ owner: publisher.toSuiAddress() });
    const tx = new Transaction();
    tx.setSender(publisher.toSuiAddress());
    tx.setGasPrice(1000n);
    tx.setGasBudget(PUBLISH_BUDGET_MIST);
    tx.setGasPayment(
      coins.objects.map((c) => ({ objectId: c.objectId, version: c.version, digest: c.digest })),
    );
    tx.transferObjects([tx.publish(pkg)], publisher.toSuiAddress());
    const bytes = await tx.build();
    const { signature } = await publisher.signTransaction(bytes);
    const { response } = await client.transactionExecutionService.executeTransaction({
      transaction: { bcs: { value: bytes } },
      signatures: [{ bcs: { value: fromBase64(signature) }, signature: { oneofKind: undefined } }],
      readMask: { paths: ["effects"] },
    });
    return response.transaction?.effects;
  }

  it("refuses a package with one changed function signature, as a validator refuses an invalid module", {
    skip,
  }, async () => {
    const changed = await compilePackage({
      "sources/cluster.move": (source) =>
        source.replace(
          "public fun create_cluster(name: String, ctx: &mut TxContext)",
          "public fun create_cluster(name: String, _replicas: u64, ctx: &mut TxContext)",
        ),
    });
    assert.ok(!("skip" in changed));
    await assert.rejects(publish(changed), /cluster::create_cluster takes .*, u64\)/);
    const effects = await publishUnsimulated(changed);
    assert.equal(effects?.status?.success, false);
    assert.equal(
      effects?.status?.error?.kind,
      ExecutionErrorKind.VM_VERIFICATION_OR_DESERIALIZATION_ERROR,
    );
    const written = (effects?.changedObjects ?? []).filter(
      (c) => c.outputState === OutputState.PACKAGE_WRITE,
    );
    assert.equal(written.length, 0, "no package is written");
  });

  it("serves a published package again after the devnet restarts from its data dir", {
    skip,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "k8s-daas-publish-"));
    try {
      let reopened = await openDevnet({ dataDir });
      const saved = { devnet, client };
      try {
        devnet = reopened;
        client = new SuiGrpcClient({ network: "localnet", transport: reopened.transport });
        await reopened.faucet(publisher.toSuiAddress(), FUNDING_MIST);
        const result = await publish(compiled as CompiledPackage);
        const packageId = result.Transaction?.effects?.changedObjects.find(
          (c) => c.outputState === "PackageWrite",
        )?.objectId as string;
        await reopened.close();
        reopened = await openDevnet({ dataDir });
        devnet = reopened;
        client = new SuiGrpcClient({ network: "localnet", transport: reopened.transport });
        const created = await call(`${packageId}::cluster::create_cluster`, (tx) => {
          tx.moveCall({
            target: `${packageId}::cluster::create_cluster`,
            arguments: [tx.pure.string("after-restart")],
          });
        });
        assert.ok(
          Object.values(created.objectTypes ?? {}).includes(
            normalizeStructTag(`${packageId}::cluster::Cluster`),
          ),
        );
      } finally {
        await reopened.close();
        ({ devnet, client } = saved);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a package that lacks one of the modules", { skip }, async () => {
    const pkg = compiled as CompiledPackage;
    const effects = await publishUnsimulated({ ...pkg, modules: pkg.modules.slice(1) });
    assert.equal(
      effects?.status?.error?.kind,
      ExecutionErrorKind.VM_VERIFICATION_OR_DESERIALIZATION_ERROR,
    );
    assert.match(effects?.status?.error?.description ?? "", /are not those of k8s_daas/);
  });

  it("refuses a package compiled for a non-zero address", { skip }, async () => {
    const pkg = compiled as CompiledPackage;
    const first = Buffer.from(pkg.modules[0] as string, "base64");
    // The first 32 zero bytes are the module's own address (0x0) in its address pool: 0x…0a.
    const zeros = Buffer.alloc(32);
    const at = first.indexOf(zeros);
    assert.ok(at > 0);
    first[at + 31] = 0x0a;
    const effects = await publishUnsimulated({
      ...pkg,
      modules: [first.toString("base64"), ...pkg.modules.slice(1)],
    });
    assert.equal(effects?.status?.error?.kind, ExecutionErrorKind.PUBLISH_ERROR_NON_ZERO_ADDRESS);
  });
});
