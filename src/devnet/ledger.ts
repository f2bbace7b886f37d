import { type GrpcTypes, GrpcTypes as Proto } from "@mysten/sui/grpc";
import { TransactionDataBuilder } from "@mysten/sui/transactions";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { DevnetClock } from "./clock.ts";
import { type ExecutionOutcome, Executor } from "./executor.ts";
import { MAX_TRANSACTION_BYTES } from "./gas.ts";
import { invalidArgument } from "./grpc/status.ts";
import type { MovePackage } from "./move-runtime.ts";
import {
  CLOCK_OBJECT_ID,
  CLOCK_TYPE,
  ClockLayout,
  coinContents,
  deriveObjectId,
  objectDigest,
  type StoredObject,
  SUI_COIN_TYPE,
} from "./objects.ts";
import { executedTransaction } from "./proto.ts";
import type { PublishableTwin } from "./publish/publish-command.ts";
import { transactionSigner } from "./signatures.ts";
import { LedgerStore, type StoredEvent } from "./store.ts";
import { fromTransactionBytes, type TxData } from "./transaction-data.ts";

/** Simulated transactions have no digest of their own; ids they create derive from this. */
const SIMULATION_DIGEST = "11111111111111111111111111111111";
/** Meta key: ids of the packages published on this chain, in order. */
const PUBLISHED_META = "published_packages";

export type EventListener = (events: readonly StoredEvent[]) => void;

/**
 * The devnet's chain: validates and executes transactions, orders each executed transaction
 * into its own checkpoint, and stores everything durably. Executing the same signed bytes
 * twice returns the first result (Sui's idempotency by digest).
 */
export class Ledger {
  readonly store: LedgerStore;
  readonly clock: DevnetClock;
  readonly executor: Executor;
  readonly chainId: string;
  readonly #listeners = new Set<EventListener>();

  constructor(
    path: string,
    packages: readonly MovePackage[],
    clockOptions: { stoppedAt?: number } = {},
    publishable?: PublishableTwin,
  ) {
    this.store = new LedgerStore(path);
    this.clock = new DevnetClock(this.store, clockOptions);
    this.executor = new Executor(this.store, packages, publishable);
    this.chainId = this.#genesis(packages);
    // Packages published before a restart are served again.
    for (const id of this.#publishedIds()) this.executor.hostPublished(id);
  }

  #publishedIds(): string[] {
    return JSON.parse(this.store.getMeta(PUBLISHED_META) ?? "[]") as string[];
  }

  close(): void {
    this.store.close();
  }

  checkpointHeight(): number {
    return this.store.lastCheckpoint()?.seq ?? 0;
  }

  onEvents(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  getObject(id: string): StoredObject | undefined {
    const object = this.store.getObject(normalizeSuiAddress(id));
    if (object?.id === CLOCK_OBJECT_ID) {
      object.contents = ClockLayout.serialize({
        id: CLOCK_OBJECT_ID,
        timestamp_ms: this.clock.now(),
      }).toBytes();
    }
    return object;
  }

  /** Verifies signatures, validates, executes and commits one transaction. */
  async execute(
    bytes: Uint8Array,
    signatures: readonly Uint8Array[],
  ): Promise<GrpcTypes.ExecutedTransaction> {
    if (bytes.length > MAX_TRANSACTION_BYTES) {
      throw invalidArgument(
        `the transaction is ${bytes.length} bytes; the limit is ${MAX_TRANSACTION_BYTES}`,
      );
    }
    const digest = TransactionDataBuilder.getDigestFromBytes(bytes);
    const known = this.store.getTransaction(digest);
    if (known) return Proto.ExecutedTransaction.fromBinary(known.executed);
    const tx = fromTransactionBytes(bytes);
    await verifySigners(bytes, signatures, tx);
    const clockMs = this.clock.now();
    this.executor.validate(tx);
    const outcome = this.executor.execute(tx, digest, clockMs);
    return this.#commit(outcome, bytes, signatures, clockMs);
  }

  /** Executes without committing; used by SimulateTransaction. */
  dryRun(tx: TxData): ExecutionOutcome {
    this.executor.validate(tx);
    return this.executor.execute(tx, SIMULATION_DIGEST, this.clock.now());
  }

  /** Mints a new SUI coin to `address` (local networks only). */
  faucet(address: string, amount: bigint): StoredObject {
    if (amount <= 0n) throw new RangeError("the faucet mints a positive amount");
    const owner = normalizeSuiAddress(address);
    const sequence = Number(this.store.getMeta("faucet_sequence") ?? "0") + 1;
    const id = deriveObjectId(`faucet:${this.chainId}`, sequence);
    const coin: StoredObject = {
      id,
      version: 1,
      digest: "",
      owner: { kind: "address", address: owner },
      type: SUI_COIN_TYPE,
      contents: coinContents(id, amount),
      previousTransaction: "faucet",
    };
    coin.digest = objectDigest(coin);
    this.store.atomically((writer) => {
      writer.putObject(coin);
      writer.setMeta("faucet_sequence", String(sequence));
    });
    return coin;
  }

  #commit(
    outcome: ExecutionOutcome,
    bytes: Uint8Array,
    signatures: readonly Uint8Array[],
    clockMs: number,
  ): GrpcTypes.ExecutedTransaction {
    const checkpoint = this.checkpointHeight() + 1;
    const stored: StoredEvent[] = [];
    const executed = this.store.atomically((writer) => {
      for (const entry of outcome.working.objects.values()) {
        if (!entry.mutated) continue;
        if (entry.deleted) writer.deleteObject(entry.current.id);
        else writer.putObject(entry.current);
      }
      for (const field of outcome.working.fields.values()) {
        if (field.value) writer.putDynamicField(field.parent, field.name, field.value);
        else writer.deleteDynamicField(field.parent, field.name);
      }
      outcome.events.forEach((event, eventIndex) => {
        const record = { ...event, checkpoint, txDigest: outcome.digest, eventIndex };
        stored.push({ ...record, seq: writer.appendEvent(record) });
      });
      const result = executedTransaction(outcome, bytes, signatures, checkpoint, clockMs, stored);
      writer.putTransaction({
        digest: outcome.digest,
        checkpoint,
        timestampMs: clockMs,
        executed: Proto.ExecutedTransaction.toBinary(result),
      });
      writer.putCheckpoint(checkpoint, clockMs, outcome.digest);
      if (outcome.published.length > 0) {
        writer.setMeta(
          PUBLISHED_META,
          JSON.stringify([...this.#publishedIds(), ...outcome.published]),
        );
      }
      return result;
    });
    for (const id of outcome.published) this.executor.hostPublished(id);
    if (stored.length > 0) for (const listener of this.#listeners) listener(stored);
    return executed;
  }

  /** Creates the well-known objects once and names the chain after its genesis. */
  #genesis(packages: readonly MovePackage[]): string {
    const existing = this.store.getMeta("chain_id");
    if (existing) return existing;
    const chainId = `k8s-daas-devnet-${Date.now().toString(36)}`;
    const clock: StoredObject = {
      id: CLOCK_OBJECT_ID,
      version: 1,
      digest: "",
      owner: { kind: "shared", initialVersion: 1 },
      type: CLOCK_TYPE,
      contents: ClockLayout.serialize({ id: CLOCK_OBJECT_ID, timestamp_ms: 0 }).toBytes(),
      previousTransaction: "genesis",
    };
    clock.digest = objectDigest(clock);
    this.store.atomically((writer) => {
      writer.putObject(clock);
      for (const pkg of packages) {
        const object: StoredObject = {
          id: normalizeSuiAddress(pkg.id),
          version: 1,
          digest: "",
          owner: { kind: "immutable" },
          type: "package",
          contents: new Uint8Array(),
          previousTransaction: "genesis",
        };
        object.digest = objectDigest(object);
        writer.putObject(object);
      }
      writer.setMeta("chain_id", chainId);
    });
    return chainId;
  }
}

/** The sender, and the gas owner when another address sponsors gas, must each have signed. */
async function verifySigners(
  bytes: Uint8Array,
  signatures: readonly Uint8Array[],
  tx: TxData,
): Promise<void> {
  const required = new Set([tx.sender, tx.gas.owner]);
  if (signatures.length === 0) throw invalidArgument("the transaction carries no signature");
  for (const signature of signatures) {
    const address = await transactionSigner(
      bytes,
      Buffer.from(signature).toString("base64"),
      required,
    );
    if (!address) {
      throw invalidArgument(
        "a signature is invalid or from an address that is neither the sender nor the gas owner",
      );
    }
    required.delete(address);
  }
  if (required.size > 0) {
    throw invalidArgument(`missing signature from ${[...required].join(", ")}`);
  }
}
