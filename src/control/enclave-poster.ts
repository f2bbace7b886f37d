import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { chainTimeMs, readClusterObject } from "../chain/cluster-view.ts";
import { MoveAbortError, type SubmissionResult, type Submitter } from "../chain/index.ts";
import { addCall } from "../chain/k8s-daas.ts";
import {
  type CallName,
  type IntentKind,
  type PayloadInput,
  signingBytes,
} from "../protocol/index.ts";
import type { EnclaveSigner } from "../tee/index.ts";
import type { EnclaveSequences } from "./inbox/index.ts";

/** The enclave-signed calls the control plane makes, with the intent each one signs. */
const SIGNED_CALLS = {
  complete: "requestResult",
  activate_worker: "workerActivation",
  slash_worker: "slashVerdict",
  report_cluster_state: "clusterState",
  refuse_worker: "workerRefusal",
  report_usage: "usageReport",
} as const satisfies Partial<Record<CallName, IntentKind>>;
export type SignedCallName = keyof typeof SIGNED_CALLS;

type Fields<N extends SignedCallName> = Omit<
  PayloadInput<(typeof SIGNED_CALLS)[N]>,
  "cluster_id" | "sequence"
>;

/** Aborts a fresh signature fixes: a stale sequence or timestamp. */
const RESIGN = new Set(["ESequenceReplay", "ETimestampOutOfWindow"]);
const MAX_RESIGN_ATTEMPTS = 5;

export interface EnclavePosterOptions {
  sequences: EnclaveSequences;
  signer: EnclaveSigner;
  submitter: Submitter;
  client: SuiGrpcClient;
  packageId: string;
  clusterId: string;
}

/** Every fresh signature of a call was refused as stale (sequence or timestamp). */
export class SignedCallError extends Error {
  readonly code: "SIGNED_CALL_STALE";
  constructor(code: "SIGNED_CALL_STALE", message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SignedCallError";
    this.code = code;
  }
}

/**
 * The one queue every enclave-signed transaction of this control plane goes through.
 *
 * Why: the chain accepts a signed message only if its sequence is greater than the
 * cluster's `last_sequence`, one counter shared by every message kind. Sequence numbers are
 * reserved in the inbox (never handed out twice, even across a crash), but reserving is not
 * enough: if the result reporter reserved 7 and worker management 8, and 8 landed first, 7
 * would be refused as a replay and have to be signed again — and under load the two could
 * keep overtaking each other. So the whole "read last_sequence → reserve → sign → submit →
 * confirmed" step runs under one lock, for the reporter's `complete` batches and for worker
 * management's `activate_worker`, `slash_worker` and `report_cluster_state` alike. Inside the lock, the
 * sequence reserved is always the next one the chain expects, so nothing is re-signed in
 * normal operation; a re-sign (`ESequenceReplay`, `ETimestampOutOfWindow`) only happens after
 * outside interference (another process with the same key) or a clock jump.
 *
 * The Submitter already sends one operator's transactions one at a time (gas coin), which
 * orders *sending*, not *signing*; this lock orders signing too. Holding it across
 * confirmation costs latency for bursts of signed calls, which are rare next to requests and
 * are batched by the reporter.
 */
export class EnclavePoster {
  readonly #o: EnclavePosterOptions;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: EnclavePosterOptions) {
    this.#o = options;
  }

  /** Runs `work` after every earlier exclusive work has settled (success or failure). */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Signs and posts one call. Move aborts other than a stale signature reach the caller as
   * `MoveAbortError` (e.g. `EWorkerNotPending` when the worker was activated meanwhile).
   */
  post<N extends SignedCallName>(
    name: N,
    fields: Fields<N>,
    signal?: AbortSignal,
  ): Promise<SubmissionResult> {
    return this.postBatch(name, [fields], signal);
  }

  /**
   * Several calls of one kind in one transaction, with consecutive sequences (in call
   * order, as the chain checks them). All or nothing: one abort fails the batch; its
   * `MoveAbortError.command` is the index in `batch` of the call that aborted.
   */
  postBatch<N extends SignedCallName>(
    name: N,
    batch: readonly Fields<N>[],
    signal?: AbortSignal,
  ): Promise<SubmissionResult> {
    return this.#exclusive(() => this.#post(name, batch, signal));
  }

  async #post<N extends SignedCallName>(
    name: N,
    batch: readonly Fields<N>[],
    signal?: AbortSignal,
  ): Promise<SubmissionResult> {
    const { sequences, client, clusterId, packageId, signer, submitter } = this.#o;
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_RESIGN_ATTEMPTS; attempt++) {
      const cluster = await readClusterObject(client, clusterId, signal);
      const reserved = sequences.reserve(batch.length, BigInt(cluster.last_sequence) + 1n);
      const timestampMs = await chainTimeMs(client, signal);
      const calls = await Promise.all(
        batch.map(async (fields, index) => {
          const sequence = reserved[index] ?? 0n;
          const payload = { cluster_id: clusterId, sequence, ...fields } as PayloadInput<
            (typeof SIGNED_CALLS)[N]
          >;
          const signature = await signer.sign(
            signingBytes(SIGNED_CALLS[name], timestampMs, payload),
          );
          return { ...fields, timestamp_ms: timestampMs, sequence, signature };
        }),
      );
      try {
        return await submitter.submit(
          `${name}:${reserved[0]}`,
          (tx) => {
            for (const values of calls)
              addCall(tx, packageId, name, values, { cluster: clusterId });
          },
          signal ? { signal } : undefined,
        );
      } catch (error) {
        if (error instanceof MoveAbortError && RESIGN.has(error.constantName ?? "")) {
          lastError = error;
          continue;
        }
        throw error;
      }
    }
    throw new SignedCallError(
      "SIGNED_CALL_STALE",
      `${name} kept being refused as stale after ${MAX_RESIGN_ATTEMPTS} fresh signatures`,
      { cause: lastError },
    );
  }
}
