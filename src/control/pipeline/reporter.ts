import { isChainError, isTransientTransportError, MoveAbortError } from "../../chain/index.ts";
import { type EnclavePoster, SignedCallError } from "../enclave-poster.ts";
import type { InboxRequest, RequestStore } from "../inbox/index.ts";
import { chainSummary } from "./outcome.ts";

export interface ReporterOptions {
  requests: RequestStore;
  /** The one queue of enclave-signed calls: sequences, signatures, re-signing when stale. */
  poster: EnclavePoster;
  clusterId: string;
  /** Results per `complete` transaction (one PTB, one call each). */
  maxBatch?: number;
  onReported?: (requests: readonly InboxRequest[], digest: string) => void;
  onProblem?: (problem: ReporterProblem) => void;
}

/** Something that keeps results from being posted, surfaced on /readyz and in logs. */
export interface ReporterProblem {
  code: "REPORT_ENCLAVE_KEY_REJECTED" | "REPORT_CHAIN_UNAVAILABLE" | "REPORT_FAILED";
  message: string;
}

/** Aborts that settle a request's fate on chain: it needs no (further) result from us. */
const SETTLED = new Set(["EAlreadyCompleted", "ERequestCancelled", "ERequestNotFound"]);
/** Aborts only an operator can fix: the registered key is not ours. */
const KEY_PROBLEMS = new Set(["ENoEnclaveKey", "EInvalidSignature"]);

/**
 * Posts persisted outcomes on chain as enclave-signed `requests::complete` calls, batched in
 * request-id order, through the enclave poster (which reserves each sequence before signing,
 * so none is ever signed twice). A request the chain already settled (completed by an
 * earlier attempt, or cancelled) is marked as such instead of being answered twice.
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
      const batch = this.#options.requests.inState(["done"], this.#maxBatch);
      if (batch.length === 0) return settled;
      const before = settled;
      settled += await this.#post(batch, signal);
      if (settled === before) return settled; // blocked (problem recorded); try later
    }
  }

  async #post(batch: InboxRequest[], signal?: AbortSignal): Promise<number> {
    const { requests, poster } = this.#options;
    try {
      const result = await poster.postBatch("complete", batch.map(resultFields), signal);
      requests.markAllReported(
        batch.map((request) => request.requestId),
        result.digest,
      );
      this.problem = undefined;
      this.#options.onReported?.(batch, result.digest);
      return batch.length;
    } catch (error) {
      if (error instanceof MoveAbortError && error.constantName) {
        const name = error.constantName;
        if (SETTLED.has(name)) return this.#settleAndRetry(batch, name, error.command, signal);
        if (KEY_PROBLEMS.has(name)) {
          return this.#blocked({
            code: "REPORT_ENCLAVE_KEY_REJECTED",
            message: `the chain refuses our enclave signatures (${name}): register this control plane's enclave key for cluster ${this.#options.clusterId}`,
          });
        }
      }
      if (isChainError(error, "CHAIN_TRANSPORT_GAVE_UP") || isTransientTransportError(error)) {
        return this.#blocked({
          code: "REPORT_CHAIN_UNAVAILABLE",
          message: `cannot reach the chain to post results: ${messageOf(error)}`,
        });
      }
      const what =
        error instanceof SignedCallError
          ? "results kept being refused as stale"
          : `posting the results of requests ${batch[0]?.requestId}–${batch.at(-1)?.requestId} failed`;
      return this.#blocked({ code: "REPORT_FAILED", message: `${what}: ${messageOf(error)}` });
    }
  }

  /**
   * A request in the batch is already settled on chain (completed by an earlier attempt, or
   * cancelled by its requester after the timeout): the abort names the command, and so the
   * request, that can no longer be answered. It is marked as such and the rest of the batch
   * is posted again as one transaction. Only a node that does not report the command makes
   * this fall back to one call per request.
   */
  async #settleAndRetry(
    batch: InboxRequest[],
    abort: string,
    command: number | undefined,
    signal?: AbortSignal,
  ): Promise<number> {
    const index = batch.length === 1 ? 0 : command;
    const settledRequest = index === undefined ? undefined : batch[index];
    if (!settledRequest) {
      let settled = 0;
      for (const request of batch) settled += await this.#post([request], signal);
      return settled;
    }
    if (abort === "EAlreadyCompleted") {
      this.#options.requests.markReported(settledRequest.requestId, "settled-on-chain");
    } else {
      this.#options.requests.markCancelled(settledRequest.requestId);
    }
    const rest = batch.filter((request) => request !== settledRequest);
    return 1 + (rest.length > 0 ? await this.#post(rest, signal) : 0);
  }

  #blocked(problem: ReporterProblem): number {
    this.problem = problem;
    this.#options.onProblem?.(problem);
    return 0;
  }
}

/** The fields of a `complete` call the enclave signs, beside the sequence and timestamp. */
function resultFields(request: InboxRequest) {
  const outcome = request.outcome;
  if (!outcome) throw new Error(`request ${request.requestId} is done but has no outcome`);
  return {
    request_id: request.requestId,
    status_code: outcome.statusCode,
    output_sha256: outcome.outputSha256,
    summary: chainSummary(outcome),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
