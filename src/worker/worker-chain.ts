import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Transaction } from "@mysten/sui/transactions";
import { SubmissionJournal, type SubmissionResult, Submitter } from "../chain/index.ts";
import { addCall } from "../chain/k8s-daas.ts";
import { abortConstantName, type CallName } from "../protocol/index.ts";
import { WorkerCapObject } from "../protocol/objects.ts";

const CALL_TIMEOUT_MS = 60_000;

export interface WorkerChainOptions {
  client: SuiGrpcClient;
  signer: Signer;
  packageId: string;
  clusterId: string;
  /** Journal of signed transactions (a file keeps exactly-once across restarts). */
  journal?: SubmissionJournal;
}

/**
 * A worker owner's transactions: register (with stake), heartbeat, deregister, withdraw.
 * A refusal by the chain surfaces as `MoveAbortError` with the constant's name
 * (`EWorkerExists`, `EWrongWorkerCap`, `EUnbondingNotOver`, …).
 */
export class WorkerChain {
  readonly address: string;
  readonly #o: WorkerChainOptions;
  readonly #submitter: Submitter;
  #heartbeats = 0;

  constructor(options: WorkerChainOptions) {
    this.#o = options;
    this.#submitter = new Submitter({
      client: options.client,
      signer: options.signer,
      journal: options.journal ?? new SubmissionJournal(":memory:"),
      abortNames: abortConstantName,
    });
    this.address = this.#submitter.sender;
  }

  /** Registers `nodeId` with `stakeMist`; returns the new WorkerCap's id. */
  async register(nodeId: string, encryptionKey: Uint8Array, stakeMist: bigint): Promise<string> {
    await this.#call(
      `register:${this.#o.clusterId}:${nodeId}:${Date.now()}`,
      "register_worker_node",
      { node_id: nodeId, encryption_key: encryptionKey },
      undefined,
      stakeMist,
    );
    // One cap per node id and cluster: the chain refuses a second registration.
    const cap = await this.capOf(nodeId);
    if (!cap) throw new Error(`registered ${nodeId} but this owner holds no WorkerCap for it`);
    return cap;
  }

  heartbeat(capId: string): Promise<SubmissionResult> {
    return this.#call(
      `heartbeat:${capId}:${++this.#heartbeats}:${Date.now()}`,
      "worker_heartbeat",
      {},
      capId,
    );
  }

  deregister(capId: string): Promise<SubmissionResult> {
    return this.#call(`deregister:${capId}`, "deregister_worker", {}, capId);
  }

  withdraw(capId: string): Promise<SubmissionResult> {
    return this.#call(`withdraw:${capId}:${Date.now()}`, "withdraw_stake", {}, capId);
  }

  /** Sends the node's unclaimed earnings (`billing::claim_earnings`) to this owner. */
  claimEarnings(capId: string): Promise<SubmissionResult> {
    return this.#call(`claim_earnings:${capId}:${Date.now()}`, "claim_earnings", {}, capId);
  }

  /** The WorkerCap this owner holds for `nodeId`, if any (for `list` and restarts). */
  async capOf(nodeId: string): Promise<string | undefined> {
    for (const cap of await this.caps()) if (cap.nodeId === nodeId) return cap.capId;
    return undefined;
  }

  /** Every WorkerCap of this owner on this cluster. */
  async caps(): Promise<{ capId: string; nodeId: string }[]> {
    const found: { capId: string; nodeId: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<SuiGrpcClient["listOwnedObjects"]>> =
        await this.#o.client.listOwnedObjects({
          owner: this.address,
          type: `${this.#o.packageId}::workers::WorkerCap`,
          include: { content: true },
          ...(cursor ? { cursor } : {}),
        });
      for (const object of page.objects) {
        if (!object.content) continue;
        const cap = WorkerCapObject.parse(object.content);
        if (cap.cluster_id === this.#o.clusterId)
          found.push({ capId: object.objectId, nodeId: cap.node_id });
      }
      cursor = page.hasNextPage ? page.cursor : null;
    } while (cursor);
    return found;
  }

  #call(
    intentKey: string,
    name: CallName,
    values: Record<string, unknown>,
    capId?: string,
    coinMist?: bigint,
  ): Promise<SubmissionResult> {
    // A deadline per transaction: a heartbeat that never gets an answer must not stall the
    // heartbeat loop (the journal keeps a retry of the same intent safe).
    return this.#submitter.submit(
      intentKey,
      (tx: Transaction) =>
        addCall(
          tx,
          this.#o.packageId,
          name,
          values,
          { cluster: this.#o.clusterId, ...(capId ? { cap: capId } : {}) },
          coinMist,
        ),
      { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) },
    );
  }
}
