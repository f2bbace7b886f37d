import type { SuiClientTypes } from "@mysten/sui/client";
import { ObjectError, SimulationError, TransactionError } from "@mysten/sui/client";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Transaction, TransactionDataBuilder } from "@mysten/sui/transactions";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { type BackoffPolicy, backoffDelay, sleep } from "../shared/backoff.ts";
import { ChainError } from "./errors.ts";
import type { JournalEntry, SubmissionJournal } from "./journal.ts";
import { type AbortNameLookup, toExecutionError } from "./move-abort.ts";
import { isTransientTransportError, rpcErrorCode } from "./rpc-errors.ts";

const INCLUDE = { effects: true, events: true, objectTypes: true } as const;
export type SubmittedTransaction = SuiClientTypes.Transaction<typeof INCLUDE>;

/** Fills a fresh Transaction; called again only to replace a provably dead transaction. */
export type TransactionBuilder = (tx: Transaction) => void | Promise<void>;

export interface SubmissionResult {
  readonly intentKey: string;
  readonly digest: string;
  /** An earlier call or process had already signed this intent. */
  readonly resumed: boolean;
  /**
   * The executed transaction. Undefined only when the intent had succeeded earlier and the
   * node no longer serves that transaction (pruned history); the journal still proves it.
   */
  readonly transaction: SubmittedTransaction | undefined;
}

export interface SubmitterOptions {
  client: SuiGrpcClient;
  signer: Signer;
  journal: SubmissionJournal;
  /** Names abort codes (the abort table lives in src/protocol). */
  abortNames?: AbortNameLookup;
  /** Attempts per transport operation before giving up (default 5). */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
}

/** Marks an execution the node refused, as opposed to one whose answer we never got. */
class Rejected extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super("rejected by the node");
    this.cause = cause;
  }
}

const DEFAULT_SUBMIT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5_000 };

// Owned gas coins change version with every transaction, so two transactions in flight for
// one sender race for the same coin. Shared by every Submitter in the process.
const senderQueues = new Map<string, Promise<unknown>>();

function serializeBySender<R>(sender: string, work: () => Promise<R>): Promise<R> {
  const previous = senderQueues.get(sender) ?? Promise.resolve();
  const result = previous.then(work, work);
  const tail = result.catch(() => undefined);
  senderQueues.set(sender, tail);
  void tail.then(() => {
    if (senderQueues.get(sender) === tail) senderQueues.delete(sender);
  });
  return result;
}

/**
 * Sends transactions exactly once per intent key. Signed bytes and digest go to the journal
 * before the first send; a repeat of the key (same process or after a restart) re-sends those
 * bytes or finds their digest on chain. A different transaction for the same key is only ever
 * signed when the journaled one provably can never execute (its gas coin was spent by another
 * transaction while its own digest is absent), so at most one of them can land.
 */
export class Submitter {
  readonly sender: string;
  readonly #options: SubmitterOptions;
  readonly #maxAttempts: number;

  constructor(options: SubmitterOptions) {
    this.#options = options;
    this.sender = normalizeSuiAddress(options.signer.toSuiAddress());
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  }

  /**
   * Executes the intent's transaction and returns it once executed successfully. Rejects with
   * `MoveAbortError` (CHAIN_MOVE_ABORT), or a ChainError coded CHAIN_EXECUTION_FAILED,
   * CHAIN_TX_REJECTED, CHAIN_TRANSPORT_GAVE_UP (safe to call again with the same key) or
   * CHAIN_INTENT_CONFLICT.
   */
  submit(
    intentKey: string,
    build: Transaction | TransactionBuilder,
    options?: { signal?: AbortSignal },
  ): Promise<SubmissionResult> {
    return serializeBySender(this.sender, () =>
      this.#submit(intentKey, build, options?.signal ?? new AbortController().signal),
    );
  }

  /** Finishes every intent a previous process signed but did not see settle. */
  async recover(options?: { signal?: AbortSignal }): Promise<{
    settled: SubmissionResult[];
    failed: { intentKey: string; error: unknown }[];
  }> {
    const settled: SubmissionResult[] = [];
    const failed: { intentKey: string; error: unknown }[] = [];
    for (const entry of this.#options.journal.unsettled()) {
      if (entry.sender !== this.sender) continue;
      try {
        settled.push(
          await serializeBySender(this.sender, () =>
            this.#settle(entry, undefined, options?.signal ?? new AbortController().signal),
          ),
        );
      } catch (error) {
        failed.push({ intentKey: entry.intentKey, error });
      }
    }
    return { settled, failed };
  }

  async #submit(
    intentKey: string,
    build: Transaction | TransactionBuilder,
    signal: AbortSignal,
  ): Promise<SubmissionResult> {
    const journal = this.#options.journal;
    const existing = journal.get(intentKey);
    if (existing === undefined) {
      const signed = await this.#buildAndSign(build, signal);
      const entry = journal.recordSigned({ intentKey, sender: this.sender, ...signed });
      return this.#settle(entry, build, signal, false);
    }
    if (existing.sender !== this.sender) {
      throw new ChainError(
        "CHAIN_INTENT_CONFLICT",
        `intent ${intentKey} belongs to sender ${existing.sender}, not ${this.sender}`,
      );
    }
    if (existing.state === "failed") throw this.#failure(existing);
    if (existing.state === "succeeded") return this.#succeeded(existing, signal);
    return this.#settle(existing, build, signal);
  }

  async #buildAndSign(
    build: Transaction | TransactionBuilder,
    signal: AbortSignal,
  ): Promise<{ digest: string; txBytes: Uint8Array; signature: string }> {
    let tx: Transaction;
    if (build instanceof Transaction) {
      tx = build;
    } else {
      tx = new Transaction();
      await build(tx);
    }
    const sender = tx.getData().sender;
    if (sender !== null && sender !== undefined && normalizeSuiAddress(sender) !== this.sender) {
      throw new ChainError(
        "CHAIN_INTENT_CONFLICT",
        `transaction sender ${sender} is not the signer ${this.sender}`,
      );
    }
    tx.setSenderIfNotSet(this.sender);
    const txBytes = await this.#retryTransient(signal, "build transaction", async () => {
      try {
        return await tx.build({ client: this.#options.client });
      } catch (error) {
        // Building simulates: an abort here costs nothing and was never sent.
        if (error instanceof SimulationError && error.executionError !== undefined) {
          throw toExecutionError(error.executionError, {
            digest: undefined,
            lookup: this.#options.abortNames,
          });
        }
        throw error;
      }
    });
    const { signature } = await this.#options.signer.signTransaction(txBytes);
    return { digest: TransactionDataBuilder.getDigestFromBytes(txBytes), txBytes, signature };
  }

  /**
   * Drives a journaled transaction to a known outcome. `resumed` entries may already be on
   * chain, so their digest is looked up before sending; so is every retry, since a lost
   * response can hide a success.
   */
  async #settle(
    entry: JournalEntry,
    build: Transaction | TransactionBuilder | undefined,
    signal: AbortSignal,
    resumed = true,
  ): Promise<SubmissionResult> {
    let current = entry;
    let lookFirst = resumed;
    let rebuilt = false;
    for (;;) {
      let outcome: SuiClientTypes.TransactionResult<typeof INCLUDE>;
      try {
        outcome = await this.#retryTransient(signal, `execute ${current.digest}`, async () => {
          if (lookFirst) {
            const found = await this.#lookup(current.digest, signal);
            if (found !== undefined) return found;
          }
          lookFirst = true;
          try {
            return await this.#options.client.executeTransaction({
              transaction: current.txBytes,
              signatures: [current.signature],
              include: INCLUDE,
              signal,
            });
          } catch (error) {
            // A definite gRPC answer that is not "try again": the node refused the bytes.
            const definite = rpcErrorCode(error) !== undefined && !isTransientTransportError(error);
            throw definite && !signal.aborted ? new Rejected(error) : error;
          }
        });
      } catch (error) {
        if (!(error instanceof Rejected)) throw error;
        current = this.#options.journal.settle(current.intentKey, "rejected", String(error.cause));
        const replacement =
          rebuilt || typeof build !== "function"
            ? undefined
            : await this.#replaceIfDead(current, build, signal);
        if (replacement === undefined) throw this.#rejection(current, error.cause, build);
        current = replacement;
        rebuilt = true;
        lookFirst = false;
        continue;
      }
      return this.#record(current, outcome, resumed);
    }
  }

  #record(
    entry: JournalEntry,
    outcome: SuiClientTypes.TransactionResult<typeof INCLUDE>,
    resumed: boolean,
  ): SubmissionResult {
    const journal = this.#options.journal;
    if (outcome.$kind === "FailedTransaction") {
      const failedTx = outcome.FailedTransaction;
      const detail = failedTx.status.success ? null : JSON.stringify(failedTx.status.error);
      throw this.#failure(journal.settle(entry.intentKey, "failed", detail));
    }
    journal.settle(entry.intentKey, "succeeded", null);
    return {
      intentKey: entry.intentKey,
      digest: entry.digest,
      resumed,
      transaction: outcome.Transaction,
    };
  }

  #failure(entry: JournalEntry): ChainError {
    const error =
      entry.detail === null
        ? undefined
        : (JSON.parse(entry.detail) as SuiClientTypes.ExecutionError);
    if (error === undefined) {
      return new ChainError("CHAIN_EXECUTION_FAILED", `transaction ${entry.digest} failed`);
    }
    return toExecutionError(error, { digest: entry.digest, lookup: this.#options.abortNames });
  }

  #rejection(
    entry: JournalEntry,
    error: unknown,
    build: Transaction | TransactionBuilder | undefined,
  ): ChainError {
    const hint =
      typeof build === "function"
        ? ""
        : " (pass a builder callback to let the submitter replace a provably dead transaction)";
    return new ChainError(
      "CHAIN_TX_REJECTED",
      `node rejected transaction ${entry.digest} for intent ${entry.intentKey}: ${String(error)}${hint}`,
      { cause: error },
    );
  }

  /** A finished intent is only ever looked up: re-sending could not succeed twice anyway. */
  async #succeeded(entry: JournalEntry, signal: AbortSignal): Promise<SubmissionResult> {
    const found = await this.#retryTransient(signal, `look up ${entry.digest}`, () =>
      this.#lookup(entry.digest, signal),
    );
    return {
      intentKey: entry.intentKey,
      digest: entry.digest,
      resumed: true,
      transaction: found?.Transaction,
    };
  }

  /** undefined when absent; transient errors propagate to the caller's retry. */
  async #lookup(
    digest: string,
    signal: AbortSignal,
  ): Promise<SuiClientTypes.TransactionResult<typeof INCLUDE> | undefined> {
    try {
      return await this.#options.client.getTransaction({ digest, include: INCLUDE, signal });
    } catch (error) {
      if (error instanceof TransactionError && error.reason === "notFound") return undefined;
      throw error;
    }
  }

  /**
   * A transaction whose owned gas coin now has another version (or is gone) can never
   * execute: the coin's old version was consumed by some other transaction. If its own digest
   * is still absent after we saw that, it was not the one that consumed it.
   */
  async #replaceIfDead(
    entry: JournalEntry,
    build: TransactionBuilder,
    signal: AbortSignal,
  ): Promise<JournalEntry | undefined> {
    const payment = Transaction.from(entry.txBytes).getData().gasData.payment ?? [];
    if (payment.length === 0) return undefined;
    let moved = false;
    for (const coin of payment) {
      const version = await this.#retryTransient(signal, "read gas coin", () =>
        this.#objectVersion(coin.objectId, signal),
      );
      if (version === undefined || version !== String(coin.version)) moved = true;
    }
    if (!moved) return undefined;
    const stillAbsent =
      (await this.#retryTransient(signal, `look up ${entry.digest}`, () =>
        this.#lookup(entry.digest, signal),
      )) === undefined;
    if (!stillAbsent) return undefined;
    const signed = await this.#buildAndSign(build, signal);
    return this.#options.journal.replaceDead(entry.intentKey, entry.digest, signed);
  }

  async #objectVersion(objectId: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const { object } = await this.#options.client.getObject({ objectId, signal });
      return object.version;
    } catch (error) {
      if (error instanceof ObjectError && error.reason !== "unknown") return undefined;
      throw error;
    }
  }

  /** Bounded retries with backoff, for transport failures only; anything else propagates. */
  async #retryTransient<R>(signal: AbortSignal, what: string, work: () => Promise<R>): Promise<R> {
    const policy = this.#options.backoff ?? DEFAULT_SUBMIT_BACKOFF;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isTransientTransportError(error) || signal.aborted) throw error;
        if (attempt >= this.#maxAttempts) {
          throw new ChainError(
            "CHAIN_TRANSPORT_GAVE_UP",
            `${what}: gave up after ${attempt} attempts; the intent is journaled, submit it again to resume`,
            { cause: error },
          );
        }
        await sleep(backoffDelay(policy, attempt - 1, this.#options.random), signal);
      }
    }
  }
}
