import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Transaction } from "@mysten/sui/transactions";
import { isChainError, MoveAbortError, type Submitter } from "../chain/index.ts";
import { callTarget, signingBytes } from "../protocol/index.ts";
import type { EnclaveSigner } from "../tee/index.ts";
import { chainTimeMs, readClusterObject } from "./chain-view.ts";
import type { Inbox, InboxRequest } from "./inbox.ts";
import { chainSummary } from "./result-summary.ts";

export interface ReporterOptions {
  inbox: Inbox;
  signer: EnclaveSigner;
  submitter: Submitter;
  client: SuiGrpcClient;
  packageId: string;
  clusterId: string;
  /** Results per `complete` transaction (one PTB, one call each). */
  maxBatch?: number;
  /** The timestamp the enclave signs; defaults to the chain's Clock. */
  now?: (signal?: AbortSignal) => Promise<bigint>;
  onReported?: (requests: readonly InboxRequest[], digest: string) => void;
  onProblem?: (problem: ReporterProblem) => void;
}

/** Something that keeps results from being posted, surfaced on /readyz and in logs. */
export interface ReporterProblem {
  code: "REPORT_ENCLAVE_KEY_REJECTED" | "REPORT_CHAIN_UNAVAILABLE" | "REPORT_FAILED";
  message: string;
}

interface SignedResult {
  request: InboxRequest;
  outcome: NonNullable<InboxRequest["outcome"]>;
  summary: string;
  sequence: bigint;
  timestampMs: bigint;
  signature: Uint8Array;
}

/** Aborts that settle a request's fate on chain: it needs no (further) result from us. */
const SETTLED = new Set(["EAlreadyCompleted", "ERequestCancelled", "ERequestNotFound"]);
/** Aborts a fresh signature fixes: a stale sequence or timestamp. */
const RESIGN = new Set(["ESequenceReplay", "ETimestampOutOfWindow"]);
/** Aborts only an operator can fix: the registered key is not ours. */
const KEY_PROBLEMS = new Set(["ENoEnclaveKey", "EInvalidSignature"]);
const MAX_RESIGN_ATTEMPTS = 5;

/**
 * Posts persisted outcomes on chain as enclave-signed `requests::complete` calls, batched in
 * request-id order. Sequence numbers are reserved in the inbox before signing, so none is
 * ever signed twice; a request the chain already settled (completed by an earlier attempt,
 * or cancelled) is marked as such instead of being answered twice.
 */
export class Reporter {
  readonly #options: ReporterOptions;
  readonly #maxBatch: number;
  problem: ReporterProblem | undefined;

  constructor(options: ReporterOptions) {
    this.#options = options;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 32);
  }

  /** Reports every `done` request; returns how many were settled. */
  async reportPending(signal?: AbortSignal): Promise<number> {
    let settled = 0;
    for (;;) {
      const batch = this.#options.inbox.inState(["done"], this.#maxBatch);
      if (batch.length === 0) return settled;
      const before = settled;
      settled += await this.#post(batch, signal);
      if (settled === before) return settled; // blocked (problem recorded); try later
    }
  }

  async #post(batch: InboxRequest[], signal?: AbortSignal): Promise<number> {
    const { inbox } = this.#options;
    for (let attempt = 1; attempt <= MAX_RESIGN_ATTEMPTS; attempt++) {
      let intentKey = "";
      try {
        const cluster = await readClusterObject(
          this.#options.client,
          this.#options.clusterId,
          signal,
        );
        const sequences = inbox.reserveSequences(batch.length, BigInt(cluster.last_sequence) + 1n);
        intentKey = `complete:${sequences[0]}`;
        const timestampMs = await (
          this.#options.now ?? ((s) => chainTimeMs(this.#options.client, s))
        )(signal);
        const calls = await Promise.all(
          batch.map((request, index) => this.#signed(request, sequences[index] ?? 0n, timestampMs)),
        );
        const result = await this.#options.submitter.submit(
          intentKey,
          (tx) => this.#build(tx, calls),
          signal ? { signal } : undefined,
        );
        inbox.markAllReported(
          batch.map((request) => request.requestId),
          result.digest,
        );
        this.problem = undefined;
        this.#options.onReported?.(batch, result.digest);
        return batch.length;
      } catch (error) {
        if (error instanceof MoveAbortError && error.constantName) {
          const name = error.constantName;
          if (SETTLED.has(name)) return this.#settleOneByOne(batch, name, signal);
          if (RESIGN.has(name)) continue;
          if (KEY_PROBLEMS.has(name)) {
            return this.#blocked({
              code: "REPORT_ENCLAVE_KEY_REJECTED",
              message: `the chain refuses our enclave signatures (${name}): register this control plane's enclave key for cluster ${this.#options.clusterId}`,
            });
          }
        }
        if (isChainError(error, "CHAIN_TRANSPORT_GAVE_UP") || isTransport(error)) {
          return this.#blocked({
            code: "REPORT_CHAIN_UNAVAILABLE",
            message: `cannot reach the chain to post results: ${messageOf(error)}`,
          });
        }
        return this.#blocked({
          code: "REPORT_FAILED",
          message: `posting ${intentKey} failed: ${messageOf(error)}`,
        });
      }
    }
    return this.#blocked({
      code: "REPORT_FAILED",
      message: `results kept being refused as stale after ${MAX_RESIGN_ATTEMPTS} fresh signatures`,
    });
  }

  /**
   * Some request in the batch is already settled on chain; one call per request tells which,
   * since an abort names the function but not the command.
   */
  async #settleOneByOne(
    batch: InboxRequest[],
    abort: string,
    signal?: AbortSignal,
  ): Promise<number> {
    if (batch.length === 1) {
      const [request] = batch;
      if (!request) return 0;
      if (abort === "EAlreadyCompleted")
        this.#options.inbox.markReported(request.requestId, "settled-on-chain");
      else this.#options.inbox.markCancelled(request.requestId);
      return 1;
    }
    let settled = 0;
    for (const request of batch) settled += await this.#post([request], signal);
    return settled;
  }

  #blocked(problem: ReporterProblem): number {
    this.problem = problem;
    this.#options.onProblem?.(problem);
    return 0;
  }

  async #signed(
    request: InboxRequest,
    sequence: bigint,
    timestampMs: bigint,
  ): Promise<SignedResult> {
    const outcome = request.outcome;
    if (!outcome) throw new Error(`request ${request.requestId} is done but has no outcome`);
    const summary = chainSummary(outcome);
    const message = signingBytes("requestResult", timestampMs, {
      cluster_id: this.#options.clusterId,
      sequence,
      request_id: request.requestId,
      status_code: outcome.statusCode,
      output_sha256: outcome.outputSha256,
      summary,
    });
    const signature = await this.#options.signer.sign(message);
    return { request, outcome, summary, sequence, timestampMs, signature };
  }

  #build(tx: Transaction, calls: readonly SignedResult[]): void {
    for (const call of calls) {
      tx.moveCall({
        target: callTarget(this.#options.packageId, "complete"),
        arguments: [
          tx.object(this.#options.clusterId),
          tx.pure.u64(call.request.requestId),
          tx.pure.u16(call.outcome.statusCode),
          tx.pure.vector("u8", call.outcome.outputSha256),
          tx.pure.string(call.summary),
          tx.pure.u64(call.timestampMs),
          tx.pure.u64(call.sequence),
          tx.pure.vector("u8", call.signature),
          tx.object.clock(),
        ],
      });
    }
  }
}

function isTransport(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "UNAVAILABLE" || code === "DEADLINE_EXCEEDED" || code === "ECONNREFUSED";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
