import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { isChainError } from "../../src/chain/errors.ts";
import { SubmissionJournal } from "../../src/chain/journal.ts";
import { MoveAbortError } from "../../src/chain/move-abort.ts";
import { createSuiClient } from "../../src/chain/networks.ts";
import { Submitter } from "../../src/chain/submitter.ts";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import { type Faults, faultyTransport, unavailable } from "./faulty-transport.ts";
import { PINGER_ID, pinger } from "./test-package.ts";

const SUI = 1_000_000_000n;
const fastRetry = { baseMs: 1, maxMs: 5 };

describe("Submitter on the devnet", () => {
  let devnet: Devnet;
  let client: SuiGrpcClient;
  let dir: string;
  let alice: Ed25519Keypair;
  let bob: Ed25519Keypair;

  before(async () => {
    devnet = await openDevnet({ packages: [pinger] });
    client = createSuiClient({ transport: devnet.transport });
    dir = await mkdtemp(join(tmpdir(), "chain-submitter-"));
  });
  after(async () => {
    await devnet.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    // Fresh accounts per test: balances below are exact.
    alice = Ed25519Keypair.generate();
    bob = Ed25519Keypair.generate();
    await devnet.faucet(alice.toSuiAddress(), 10n * SUI);
  });

  const pay = (amount: bigint, to: () => string) => (tx: Transaction) => {
    const [coin] = tx.splitCoins(tx.gas, [amount]);
    tx.transferObjects([coin as never], to());
  };
  const balanceOf = async (address: string) =>
    BigInt((await client.getBalance({ owner: address })).balance.balance);
  const faulty = (faults: Faults) =>
    createSuiClient({ transport: faultyTransport(devnet.transport, faults) });
  const journalAt = (name: string) => new SubmissionJournal(join(dir, `${name}.sqlite`));

  it("sends a transfer once and answers a repeat of the intent from the chain", async () => {
    const journal = journalAt("repeat");
    const submitter = new Submitter({ client, signer: alice, journal });
    const first = await submitter.submit(
      "pay:1",
      pay(SUI, () => bob.toSuiAddress()),
    );
    assert.equal(first.resumed, false);
    assert.equal(first.transaction?.status.success, true);
    assert.equal(journal.get("pay:1")?.state, "succeeded");

    const again = await submitter.submit(
      "pay:1",
      pay(SUI, () => bob.toSuiAddress()),
    );
    assert.equal(again.resumed, true);
    assert.equal(again.digest, first.digest);
    assert.equal(again.transaction?.digest, first.digest);
    assert.equal(await balanceOf(bob.toSuiAddress()), SUI);
  });

  it("after a crash between journaling and sending, a restarted submitter sends the same bytes", async () => {
    const path = "restart";
    const down = faulty({
      before: (method) => (method === "ExecuteTransaction" ? unavailable() : undefined),
    });
    const crashed = new Submitter({
      client: down,
      signer: alice,
      journal: journalAt(path),
      maxAttempts: 2,
      backoff: fastRetry,
    });
    await assert.rejects(
      crashed.submit(
        "pay:restart",
        pay(SUI, () => bob.toSuiAddress()),
      ),
      {
        code: "CHAIN_TRANSPORT_GAVE_UP",
      },
    );
    const journaled = journalAt(path).get("pay:restart");
    assert.equal(journaled?.state, "signed");
    assert.equal(await balanceOf(bob.toSuiAddress()), 0n);

    // A new process: new journal handle on the same file, new submitter, healthy network.
    const restarted = new Submitter({ client, signer: alice, journal: journalAt(path) });
    const recovered = await restarted.recover();
    assert.deepEqual(recovered.failed, []);
    assert.equal(recovered.settled.length, 1);
    assert.equal(recovered.settled[0]?.digest, journaled?.digest);

    // The caller retries the intent as well: the answer comes from the chain, no new transaction.
    const retried = await restarted.submit(
      "pay:restart",
      pay(SUI, () => bob.toSuiAddress()),
    );
    assert.equal(retried.digest, journaled?.digest);
    assert.equal(retried.resumed, true);
    assert.equal(await balanceOf(bob.toSuiAddress()), SUI);
  });

  it("finds the transaction when the node executed it but the answer was lost", async () => {
    let lost = 0;
    const lossy = faulty({
      loseResponse: (method) =>
        method === "ExecuteTransaction" && lost++ === 0
          ? unavailable("connection reset")
          : undefined,
    });
    const journal = journalAt("lost");
    const submitter = new Submitter({ client: lossy, signer: alice, journal, backoff: fastRetry });
    const result = await submitter.submit(
      "pay:lost",
      pay(2n * SUI, () => bob.toSuiAddress()),
    );
    assert.equal(result.transaction?.status.success, true);
    assert.equal(result.digest, journal.get("pay:lost")?.digest);
    assert.equal(lost, 1, "the node executed it once and that answer was lost");
    assert.equal(await balanceOf(bob.toSuiAddress()), 2n * SUI);
  });

  it("serializes concurrent intents of one sender (one gas coin)", async () => {
    const submitter = new Submitter({ client, signer: alice, journal: journalAt("concurrent") });
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        submitter.submit(
          `pay:c${n}`,
          pay(BigInt(n), () => bob.toSuiAddress()),
        ),
      ),
    );
    assert.equal(new Set(results.map((r) => r.digest)).size, 5);
    assert.equal(await balanceOf(bob.toSuiAddress()), 15n);
  });

  it("surfaces a Move abort caught while building, with the constant's name, journaling nothing", async () => {
    const journal = journalAt("abort");
    const submitter = new Submitter({
      client,
      signer: alice,
      journal,
      abortNames: ({ module, abortCode }) =>
        module === "pinger" && abortCode === 7n ? "EFromTable" : undefined,
    });
    const error = await submitter
      .submit("fail:1", (tx) => {
        tx.moveCall({ target: `${PINGER_ID}::pinger::fail`, arguments: [tx.pure.u64(7)] });
      })
      .then(
        () => assert.fail("expected an abort"),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof MoveAbortError, String(error));
    assert.equal(error.module, "pinger");
    assert.equal(error.functionName, "fail");
    assert.equal(error.abortCode, 7n);
    assert.equal(error.constantName, "EFromTable");
    assert.equal(error.digest, undefined);
    assert.equal(journal.get("fail:1"), undefined);
  });

  it("records an abort on chain as final: a repeat of the intent rethrows it, nothing is resent", async () => {
    const journal = journalAt("onchain-abort");
    const submitter = new Submitter({ client, signer: alice, journal });
    const [coin] = (await client.listCoins({ owner: alice.toSuiAddress() })).objects;
    assert.ok(coin);
    // Budget, price and gas coin given up front: the SDK skips simulation and the node executes.
    const failing = (tx: Transaction) => {
      tx.moveCall({ target: `${PINGER_ID}::pinger::fail`, arguments: [tx.pure.u64(9)] });
      tx.setGasBudget(50_000_000n);
      tx.setGasPrice(1_000n);
      tx.setGasPayment([{ objectId: coin.objectId, version: coin.version, digest: coin.digest }]);
    };
    const first = await submitter.submit("fail:chain", failing).then(
      () => assert.fail("expected an abort"),
      (caught: unknown) => caught,
    );
    assert.ok(first instanceof MoveAbortError, String(first));
    assert.equal(first.abortCode, 9n);
    assert.equal(first.constantName, "EBoom");
    assert.equal(first.digest, journal.get("fail:chain")?.digest);
    assert.equal(journal.get("fail:chain")?.state, "failed");
    const balanceAfterAbort = await balanceOf(alice.toSuiAddress());
    assert.ok(balanceAfterAbort < 10n * SUI, "an executed abort is charged gas");

    const again = await submitter.submit("fail:chain", failing).then(
      () => assert.fail("expected the same abort"),
      (caught: unknown) => caught,
    );
    assert.ok(again instanceof MoveAbortError);
    assert.equal(again.digest, first.digest);
    assert.equal(await balanceOf(alice.toSuiAddress()), balanceAfterAbort);
  });

  it("replaces a journaled transaction only once its gas coin was spent elsewhere", async () => {
    const path = "dead";
    const down = faulty({
      before: (method) => (method === "ExecuteTransaction" ? unavailable() : undefined),
    });
    const crashed = new Submitter({
      client: down,
      signer: alice,
      journal: journalAt(path),
      maxAttempts: 1,
    });
    await assert.rejects(
      crashed.submit(
        "pay:dead",
        pay(SUI, () => bob.toSuiAddress()),
      ),
      {
        code: "CHAIN_TRANSPORT_GAVE_UP",
      },
    );
    const dead = journalAt(path).get("pay:dead");
    assert.ok(dead);

    // Another intent spends the same gas coin first, so the journaled bytes can never execute.
    const live = new Submitter({ client, signer: alice, journal: journalAt(path) });
    await live.submit(
      "pay:other",
      pay(3n, () => bob.toSuiAddress()),
    );

    // Without a builder the submitter must not invent a new transaction.
    await assert.rejects(live.submit("pay:dead", new Transaction()), (error: unknown) =>
      isChainError(error, "CHAIN_TX_REJECTED"),
    );
    const replaced = await live.submit(
      "pay:dead",
      pay(SUI, () => bob.toSuiAddress()),
    );
    assert.notEqual(replaced.digest, dead.digest);
    const entry = journalAt(path).get("pay:dead");
    assert.deepEqual(entry?.supersededDigests, [dead.digest]);
    await assert.rejects(client.getTransaction({ digest: dead.digest }), /not found/);
    assert.equal(await balanceOf(bob.toSuiAddress()), SUI + 3n);
  });

  it("refuses to resume another sender's intent", async () => {
    const journal = journalAt("conflict");
    await new Submitter({ client, signer: alice, journal }).submit(
      "pay:x",
      pay(1n, () => bob.toSuiAddress()),
    );
    await devnet.faucet(bob.toSuiAddress(), SUI);
    await assert.rejects(
      new Submitter({ client, signer: bob, journal }).submit(
        "pay:x",
        pay(1n, () => alice.toSuiAddress()),
      ),
      { code: "CHAIN_INTENT_CONFLICT" },
    );
  });
});
