// The on-chain trust holes of issue #11, tried as an attacker would: raw transactions built
// with the SDK's `Transaction` (targets and arguments by hand, no CLI, no client-side
// checks) and sent WITHOUT simulation, so they land on chain and fail there. Each case
// asserts the stable abort (module and code) and that nothing moved but the attacker's gas:
// no refund, no coin, the request, worker or enclave key exactly as before.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction, type TransactionArgument } from "@mysten/sui/transactions";
import { normalizeStructTag } from "@mysten/sui/utils";
import { CoinLayout, type Devnet, openDevnet } from "../../src/devnet/index.ts";
import {
  abortCode,
  DEFAULT_CONFIG,
  EXPIRED_STATUS_CODE,
  generateX25519KeyPair,
  type MoveModule,
  REQUEST_STATUS,
  signingBytes,
  WORKER_STATUS,
} from "../../src/protocol/index.ts";
import { ClusterObject } from "../../src/protocol/objects.ts";

const FEE = DEFAULT_CONFIG.requestFeeMist;
const STAKE = DEFAULT_CONFIG.minWorkerStakeMist;
const TIMEOUT_MS = Number(DEFAULT_CONFIG.requestTimeoutMs);
const SUI_COIN = normalizeStructTag("0x2::coin::Coin<0x2::sui::SUI>");
/** A TLS key hash for the keys an attacker hands over to (any 32 bytes: the chain only stores it). */
const STOLEN_TLS_KEY_HASH = new Uint8Array(32).fill(0x5a);

/** A transaction as it landed: success or the Move abort, what it cost, what it created. */
interface Landed {
  abort: { module: string; code: number } | undefined;
  failure: unknown;
  gasMist: bigint;
  /** Objects created, id -> Move type. */
  created: Record<string, string>;
  events: { eventType: string; bcs: Uint8Array }[];
}

describe("attacks on chain: cancel, 408 refunds, worker refusal, dev enclave key", () => {
  let devnet: Devnet;
  let client: SuiGrpcClient;
  /** The cluster's operator and the honest enclave (a dev key: the embedded devnet). */
  const admin = Ed25519Keypair.generate();
  const enclave = Ed25519Keypair.generate();
  /** The attacker: a tenant, a worker owner, or whoever got hold of the dev enclave key. */
  const attacker = Ed25519Keypair.generate();
  const victim = Ed25519Keypair.generate();

  const target = (fn: string) => `${devnet.packageId}::${fn}`;

  /**
   * Builds `build` with explicit gas and no simulation (an attacker sends what they like:
   * the client resolves object versions only), signs it as `signer` and executes it;
   * failures come back as a `Landed` with the abort.
   */
  async function send(signer: Ed25519Keypair, build: (tx: Transaction) => void): Promise<Landed> {
    const owner = signer.toSuiAddress();
    const draft = new Transaction();
    draft.setSender(owner);
    build(draft);
    const tx = Transaction.fromKind(await draft.build({ client, onlyTransactionKind: true }));
    const coins = await client.listCoins({ owner });
    tx.setSender(owner);
    tx.setGasPrice(1000n);
    tx.setGasBudget(50_000_000n);
    tx.setGasPayment(
      coins.objects.map((c) => ({ objectId: c.objectId, version: c.version, digest: c.digest })),
    );
    const bytes = await tx.build();
    const { signature } = await signer.signTransaction(bytes);
    const result = await client.executeTransaction({
      transaction: bytes,
      signatures: [signature],
      include: { effects: true, events: true, objectTypes: true },
    });
    const done = result.$kind === "Transaction" ? result.Transaction : result.FailedTransaction;
    const error = done.status.error;
    const gas = done.effects?.gasUsed;
    assert.ok(gas, "effects carry the gas used");
    const created = Object.fromEntries(
      (done.effects?.changedObjects ?? [])
        .filter((change) => change.idOperation === "Created")
        .map((change) => [change.objectId, done.objectTypes?.[change.objectId] ?? "?"]),
    );
    return {
      abort:
        error?.$kind === "MoveAbort"
          ? {
              module: error.MoveAbort.location?.module ?? "?",
              code: Number(error.MoveAbort.abortCode),
            }
          : undefined,
      failure: error ?? undefined,
      gasMist: BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate),
      created,
      events: done.events ?? [],
    };
  }

  /** Sends and asserts success. */
  async function land(signer: Ed25519Keypair, build: (tx: Transaction) => void) {
    const landed = await send(signer, build);
    assert.equal(landed.failure, undefined, `setup failed: ${JSON.stringify(landed.failure)}`);
    return landed;
  }

  /** Asserts the transaction failed on chain with `module::constant`. */
  function assertAbort(landed: Landed, module: MoveModule, constant: string): void {
    assert.deepEqual(landed.abort, { module, code: abortCode(module, constant).code });
    assert.deepEqual(landed.created, {}, "a failed transaction creates nothing");
    assert.deepEqual(landed.events, [], "a failed transaction emits nothing");
  }

  const createdOf = (landed: Landed, suffix: string) => {
    const id = Object.entries(landed.created).find(([, type]) => type.endsWith(suffix))?.[0];
    assert.ok(id, `created a ${suffix}`);
    return id;
  };

  const balance = async (key: Ed25519Keypair) =>
    BigInt((await client.getBalance({ owner: key.toSuiAddress() })).balance.balance);

  async function readCluster(clusterId: string) {
    const { object } = await client.getObject({ objectId: clusterId, include: { content: true } });
    return ClusterObject.parse(object.content);
  }

  /** The return value of the read-only accessor `fn` on the cluster (simulated, as any PTB reads it). */
  async function accessor(
    fn: string,
    clusterId: string,
    key: (tx: Transaction) => TransactionArgument,
  ) {
    const tx = new Transaction();
    tx.setSender(admin.toSuiAddress());
    tx.moveCall({ target: target(fn), arguments: [tx.object(clusterId), key(tx)] });
    const simulated = await client.simulateTransaction({
      transaction: tx,
      include: { commandResults: true },
    });
    assert.equal(simulated.$kind, "Transaction", fn);
    const value = simulated.commandResults?.at(-1)?.returnValues[0]?.bcs;
    assert.ok(value, `${fn} returned a value`);
    return value;
  }

  /** A request's status and escrowed fee, read with `requests::status` and `escrowed_fee`. */
  async function readRequest(clusterId: string, requestId: bigint) {
    const id = (tx: Transaction) => tx.pure.u64(requestId);
    return {
      status: bcs.u8().parse(await accessor("requests::status", clusterId, id)),
      escrowedMist: BigInt(
        bcs.u64().parse(await accessor("requests::escrowed_fee", clusterId, id)),
      ),
    };
  }

  /** A worker's status, read with `workers::status`. */
  async function workerStatus(clusterId: string, nodeId: string): Promise<number> {
    const id = (tx: Transaction) => tx.pure.string(nodeId);
    return bcs.u8().parse(await accessor("workers::status", clusterId, id));
  }

  /** A fresh cluster with the honest enclave's dev key; the attacker holds namespace "loot". */
  async function clusterWithTenant(): Promise<{
    clusterId: string;
    adminCapId: string;
    cap: string;
  }> {
    const made = await land(admin, (tx) => {
      tx.moveCall({
        target: target("cluster::create_cluster"),
        arguments: [tx.pure.string("prod")],
      });
    });
    const clusterId = createdOf(made, "::cluster::Cluster");
    const adminCapId = createdOf(made, "::cluster::AdminCap");
    await land(admin, (tx) => {
      tx.moveCall({
        target: target("enclave::register_dev_enclave"),
        arguments: [
          tx.object(clusterId),
          tx.object(adminCapId),
          tx.pure.vector("u8", enclave.getPublicKey().toRawBytes()),
          tx.pure.vector("u8", generateX25519KeyPair().publicKey),
          tx.pure.vector("u8", new Uint8Array(32).fill(0x7c)),
        ],
      });
    });
    const claimed = await land(attacker, (tx) => {
      tx.moveCall({
        target: target("tenancy::claim_namespace"),
        arguments: [tx.object(clusterId), tx.pure.string("loot")],
      });
    });
    return { clusterId, adminCapId, cap: createdOf(claimed, "::tenancy::NamespaceCap") };
  }

  /** `requests::submit` of a ConfigMap into "loot"; returns the command's result (the id). */
  function submitInto(tx: Transaction, clusterId: string, cap: string): TransactionArgument {
    const [fee] = tx.splitCoins(tx.gas, [FEE]);
    return tx.moveCall({
      target: target("requests::submit"),
      arguments: [
        tx.object(clusterId),
        tx.object(cap),
        tx.pure.string("POST"),
        tx.pure.string("configmaps"),
        tx.pure.string("loot"),
        tx.pure.string("free-work"),
        tx.pure.vector("u8", new TextEncoder().encode('{"kind":"ConfigMap"}')),
        tx.pure.u8(0),
        fee as TransactionArgument,
        tx.object.clock(),
      ],
    }) as unknown as TransactionArgument;
  }

  function cancel(tx: Transaction, clusterId: string, requestId: TransactionArgument | bigint) {
    tx.moveCall({
      target: target("requests::cancel"),
      arguments: [
        tx.object(clusterId),
        typeof requestId === "bigint" ? tx.pure.u64(requestId) : requestId,
        tx.object.clock(),
      ],
    });
  }

  /** `requests::complete` of `requestId` with `status`, signed by `key` (the enclave by default). */
  async function complete(
    clusterId: string,
    requestId: bigint,
    status: number,
    options: { sequence: bigint; key?: Ed25519Keypair; signedStatus?: number },
  ) {
    const timestampMs = BigInt(devnet.clock.now());
    const output = new Uint8Array(32).fill(7);
    const summary = status === EXPIRED_STATUS_CODE ? "request expired before it was started" : "ok";
    const signature = await (options.key ?? enclave).sign(
      signingBytes("requestResult", timestampMs, {
        cluster_id: clusterId,
        sequence: options.sequence,
        request_id: requestId,
        status_code: options.signedStatus ?? status,
        output_sha256: output,
        summary,
      }),
    );
    return send(attacker, (tx) => {
      tx.moveCall({
        target: target("requests::complete"),
        arguments: [
          tx.object(clusterId),
          tx.pure.u64(requestId),
          tx.pure.u16(status),
          tx.pure.vector("u8", output),
          tx.pure.string(summary),
          tx.pure.u64(timestampMs),
          tx.pure.u64(options.sequence),
          tx.pure.vector("u8", signature),
          tx.object.clock(),
        ],
      });
    });
  }

  before(async () => {
    devnet = await openDevnet({ clock: { stoppedAt: 1_700_000_000_000 } });
    client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    for (const key of [admin, attacker, victim]) {
      await devnet.faucet(key.toSuiAddress(), 100_000_000_000n);
    }
  });
  after(() => devnet.close());

  it("submit and cancel in one PTB: ECancelTooEarly, nothing refunded, no request left", async () => {
    const { clusterId, cap } = await clusterWithTenant();
    const before = await balance(attacker);
    const clusterBefore = await readCluster(clusterId);
    // The id `submit` returns goes straight into `cancel`, in the same transaction.
    const landed = await send(attacker, (tx) => {
      cancel(tx, clusterId, submitInto(tx, clusterId, cap));
    });
    assertAbort(landed, "requests", "ECancelTooEarly");
    assert.equal(await balance(attacker), before - landed.gasMist, "only gas was spent");
    assert.deepEqual(await readCluster(clusterId), clusterBefore, "no request was recorded");
  });

  it("cancel one ms before the request timeout: ECancelTooEarly, the fee stays escrowed", async () => {
    const { clusterId, cap } = await clusterWithTenant();
    await land(attacker, (tx) => void submitInto(tx, clusterId, cap));
    devnet.clock.advance(TIMEOUT_MS - 1);
    const before = await balance(attacker);
    const landed = await send(attacker, (tx) => cancel(tx, clusterId, 1n));
    assertAbort(landed, "requests", "ECancelTooEarly");
    assert.equal(await balance(attacker), before - landed.gasMist);
    assert.deepEqual(await readRequest(clusterId, 1n), {
      status: REQUEST_STATUS.pending,
      escrowedMist: FEE,
    });
  });

  it("cancel after the result was posted (work served): EAlreadyCompleted, the treasury keeps the fee", async () => {
    const { clusterId, cap } = await clusterWithTenant();
    await land(attacker, (tx) => void submitInto(tx, clusterId, cap));
    // The control plane executed it and the enclave's result is on chain.
    const served = await complete(clusterId, 1n, 201, { sequence: 1n });
    assert.equal(served.failure, undefined);
    devnet.clock.advance(TIMEOUT_MS);
    const before = await balance(attacker);
    const landed = await send(attacker, (tx) => cancel(tx, clusterId, 1n));
    assertAbort(landed, "requests", "EAlreadyCompleted");
    assert.equal(await balance(attacker), before - landed.gasMist);
    assert.equal((await readCluster(clusterId)).treasury, String(FEE));
  });

  it("cancel once the request timeout passed with no result: the fee comes back", async () => {
    const { clusterId, cap } = await clusterWithTenant();
    await land(attacker, (tx) => void submitInto(tx, clusterId, cap));
    devnet.clock.advance(TIMEOUT_MS);
    const before = await balance(attacker);
    const landed = await land(attacker, (tx) => cancel(tx, clusterId, 1n));
    const coins = Object.entries(landed.created).filter(([, type]) => type === SUI_COIN);
    assert.equal(coins.length, 1, "one refund coin");
    const { object } = await client.getObject({
      objectId: (coins[0] as [string, string])[0],
      include: { content: true },
    });
    assert.equal(BigInt(CoinLayout.parse(object.content).balance), FEE);
    assert.equal(await balance(attacker), before - landed.gasMist + FEE);
    assert.deepEqual(await readRequest(clusterId, 1n), {
      status: REQUEST_STATUS.cancelled,
      escrowedMist: 0n,
    });
  });

  it("a 408 result signed by the enclave refunds the requester, not the treasury", async () => {
    const { clusterId, cap } = await clusterWithTenant();
    await land(attacker, (tx) => void submitInto(tx, clusterId, cap));
    const before = await balance(attacker);
    // Anyone may post the enclave's signed result; here the requester does.
    const landed = await complete(clusterId, 1n, EXPIRED_STATUS_CODE, { sequence: 1n });
    assert.equal(landed.failure, undefined);
    assert.equal(await balance(attacker), before - landed.gasMist + FEE);
    assert.equal((await readCluster(clusterId)).treasury, "0");
    assert.ok(landed.events.some((event) => event.eventType.endsWith("::K8sAPIResultEvent")));
    assert.deepEqual(await readRequest(clusterId, 1n), {
      status: REQUEST_STATUS.completed,
      escrowedMist: 0n,
    });
  });

  it("a 408 the enclave did not sign (forged, or a served 201 re-labelled): EInvalidSignature", async () => {
    const { clusterId, cap } = await clusterWithTenant();
    await land(attacker, (tx) => void submitInto(tx, clusterId, cap));
    const before = await balance(attacker);
    const forged = await complete(clusterId, 1n, EXPIRED_STATUS_CODE, {
      sequence: 1n,
      key: attacker,
    });
    assertAbort(forged, "enclave", "EInvalidSignature");
    const relabelled = await complete(clusterId, 1n, EXPIRED_STATUS_CODE, {
      sequence: 1n,
      signedStatus: 201,
    });
    assertAbort(relabelled, "enclave", "EInvalidSignature");
    assert.equal(await balance(attacker), before - forged.gasMist - relabelled.gasMist);
    assert.deepEqual(await readRequest(clusterId, 1n), {
      status: REQUEST_STATUS.pending,
      escrowedMist: FEE,
    });
  });

  it("the attacker cannot shorten the request timeout of a cluster it does not run: ENotAdmin", async () => {
    const { clusterId } = await clusterWithTenant();
    // Its own cluster gives it an AdminCap — of the wrong cluster.
    const own = await land(attacker, (tx) => {
      tx.moveCall({
        target: target("cluster::create_cluster"),
        arguments: [tx.pure.string("mine")],
      });
    });
    const foreignCap = createdOf(own, "::cluster::AdminCap");
    const landed = await send(attacker, (tx) => {
      tx.moveCall({
        target: target("cluster::set_request_timeout"),
        arguments: [tx.object(clusterId), tx.object(foreignCap), tx.pure.u64(1n)],
      });
    });
    assertAbort(landed, "cluster", "ENotAdmin");
    assert.equal((await readCluster(clusterId)).config.request_timeout_ms, String(TIMEOUT_MS));
  });

  it("refuse_worker without the enclave's signature on that refusal: EInvalidSignature, the worker stays pending", async () => {
    const { clusterId } = await clusterWithTenant();
    const registered = await land(victim, (tx) => {
      const [stake] = tx.splitCoins(tx.gas, [STAKE]);
      tx.moveCall({
        target: target("workers::register_worker_node"),
        arguments: [
          tx.object(clusterId),
          tx.pure.string("honest-node"),
          tx.pure.vector("u8", new Uint8Array(32).fill(3)),
          stake as TransactionArgument,
          tx.object.clock(),
        ],
      });
    });
    createdOf(registered, "::workers::WorkerCap");
    const reason = "node honest-node already exists";
    const now = BigInt(devnet.clock.now());
    const refusal = { cluster_id: clusterId, sequence: 1n, node_id: "honest-node", reason };
    const forgeries: [string, Uint8Array][] = [
      [
        "signed by the attacker's key",
        await attacker.sign(signingBytes("workerRefusal", now, refusal)),
      ],
      ["no signature at all", new Uint8Array()],
      // The enclave's real slash verdict over the very same fields: only the intent differs.
      [
        "the enclave's slash verdict",
        await enclave.sign(signingBytes("slashVerdict", now, refusal)),
      ],
      [
        "the enclave's refusal of another node",
        await enclave.sign(
          signingBytes("workerRefusal", now, { ...refusal, node_id: "other-node" }),
        ),
      ],
    ];
    for (const [what, signature] of forgeries) {
      const landed = await send(attacker, (tx) => {
        tx.moveCall({
          target: target("workers::refuse_worker"),
          arguments: [
            tx.object(clusterId),
            tx.pure.string("honest-node"),
            tx.pure.string(reason),
            tx.pure.u64(now),
            tx.pure.u64(1n),
            tx.pure.vector("u8", signature),
            tx.object.clock(),
          ],
        });
      });
      assert.deepEqual(
        landed.abort,
        { module: "enclave", code: abortCode("enclave", "EInvalidSignature").code },
        what,
      );
    }
    assert.equal(await workerStatus(clusterId, "honest-node"), WORKER_STATUS.pending);
    assert.equal((await readCluster(clusterId)).last_sequence, "0", "no sequence was used up");
  });

  it("a dev enclave key cannot be rotated past disable_dev_enclave: EDevEnclaveDisabled, no key installed", async () => {
    const { clusterId, adminCapId, cap } = await clusterWithTenant();
    await land(attacker, (tx) => void submitInto(tx, clusterId, cap));
    await land(admin, (tx) => {
      tx.moveCall({
        target: target("enclave::disable_dev_enclave"),
        arguments: [tx.object(clusterId), tx.object(adminCapId)],
      });
    });
    assert.deepEqual([...(await readCluster(clusterId)).enclave_public_key], []);
    // Whoever kept the dev key signs a hand-over to a key of their own.
    const stolenSuccessor = Ed25519Keypair.generate().getPublicKey().toRawBytes();
    const stolenEncryptionKey = generateX25519KeyPair().publicKey;
    const now = BigInt(devnet.clock.now());
    const signature = await enclave.sign(
      signingBytes("keyRotation", now, {
        cluster_id: clusterId,
        sequence: 1n,
        new_public_key: stolenSuccessor,
        new_encryption_key: stolenEncryptionKey,
        new_tls_key_sha256: STOLEN_TLS_KEY_HASH,
      }),
    );
    const landed = await send(attacker, (tx) => {
      tx.moveCall({
        target: target("enclave::rotate_enclave_key"),
        arguments: [
          tx.object(clusterId),
          tx.pure.vector("u8", stolenSuccessor),
          tx.pure.vector("u8", stolenEncryptionKey),
          tx.pure.vector("u8", STOLEN_TLS_KEY_HASH),
          tx.pure.u64(now),
          tx.pure.u64(1n),
          tx.pure.vector("u8", signature),
          tx.object.clock(),
        ],
      });
    });
    assertAbort(landed, "enclave", "EDevEnclaveDisabled");
    const after = await readCluster(clusterId);
    assert.deepEqual([...after.enclave_public_key], [], "no key is installed");
    // And the removed dev key signs nothing any more.
    assertAbort(await complete(clusterId, 1n, 201, { sequence: 1n }), "enclave", "ENoEnclaveKey");
  });

  it("a dev key rotated before disable_dev_enclave stays dev and is removed by it", async () => {
    const { clusterId, adminCapId } = await clusterWithTenant();
    const successor = Ed25519Keypair.generate();
    const now = BigInt(devnet.clock.now());
    const newKey = successor.getPublicKey().toRawBytes();
    const newEncryptionKey = generateX25519KeyPair().publicKey;
    const signature = await enclave.sign(
      signingBytes("keyRotation", now, {
        cluster_id: clusterId,
        sequence: 1n,
        new_public_key: newKey,
        new_encryption_key: newEncryptionKey,
        new_tls_key_sha256: STOLEN_TLS_KEY_HASH,
      }),
    );
    await land(attacker, (tx) => {
      tx.moveCall({
        target: target("enclave::rotate_enclave_key"),
        arguments: [
          tx.object(clusterId),
          tx.pure.vector("u8", newKey),
          tx.pure.vector("u8", newEncryptionKey),
          tx.pure.vector("u8", STOLEN_TLS_KEY_HASH),
          tx.pure.u64(now),
          tx.pure.u64(1n),
          tx.pure.vector("u8", signature),
          tx.object.clock(),
        ],
      });
    });
    const rotated = await readCluster(clusterId);
    assert.deepEqual([...rotated.enclave_public_key], [...newKey]);
    assert.equal(rotated.enclave_key_kind, 1, "still a dev key");
    await land(admin, (tx) => {
      tx.moveCall({
        target: target("enclave::disable_dev_enclave"),
        arguments: [tx.object(clusterId), tx.object(adminCapId)],
      });
    });
    assert.deepEqual([...(await readCluster(clusterId)).enclave_public_key], []);
  });
});
