import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";

describe("devnet: SUI transfers through the real SDK client", () => {
  let devnet: Devnet;
  let client: SuiGrpcClient;
  const alice = Ed25519Keypair.generate();
  const bob = Ed25519Keypair.generate();

  before(async () => {
    devnet = await openDevnet();
    client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    await devnet.faucet(alice.toSuiAddress(), 10_000_000_000n);
  });
  after(() => devnet.close());

  it("reports the faucet coin as the owner's balance", async () => {
    const { balance } = await client.getBalance({ owner: alice.toSuiAddress() });
    assert.equal(balance.balance, "10000000000");
  });

  it("builds (gas selection and budget by simulation), signs and executes a transfer", async () => {
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    const [coin] = tx.splitCoins(tx.gas, [1_000_000_000n]);
    tx.transferObjects([coin], bob.toSuiAddress());
    const result = await client.signAndExecuteTransaction({
      transaction: tx,
      signer: alice,
      include: { effects: true, balanceChanges: true },
    });
    assert.equal(result.$kind, "Transaction", JSON.stringify(result.FailedTransaction?.status));
    const bobBalance = await client.getBalance({ owner: bob.toSuiAddress() });
    assert.equal(bobBalance.balance.balance, "1000000000");
    const aliceBalance = await client.getBalance({ owner: alice.toSuiAddress() });
    const gas = result.Transaction?.effects?.gasUsed;
    assert.ok(gas);
    const spent = BigInt(gas.computationCost) + BigInt(gas.storageCost);
    assert.equal(BigInt(aliceBalance.balance.balance), 9_000_000_000n - spent);
    const fetched = await client.getTransaction({ digest: result.Transaction?.digest ?? "" });
    assert.equal(fetched.Transaction?.digest, result.Transaction?.digest);
  });

  it("rejects a transaction signed by someone other than the sender, changing nothing", async () => {
    const before = await client.getBalance({ owner: alice.toSuiAddress() });
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.transferObjects([tx.splitCoins(tx.gas, [1n])[0] as never], bob.toSuiAddress());
    const bytes = await tx.build({ client });
    const { signature } = await bob.signTransaction(bytes);
    await assert.rejects(
      client.executeTransaction({ transaction: bytes, signatures: [signature] }),
      /signature is invalid/,
    );
    const afterBalance = await client.getBalance({ owner: alice.toSuiAddress() });
    assert.equal(afterBalance.balance.balance, before.balance.balance);
  });
});
