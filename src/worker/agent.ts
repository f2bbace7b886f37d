import { setTimeout as sleep } from "node:timers/promises";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { readClusterObject } from "../chain/cluster-view.ts";
import { MoveAbortError } from "../chain/index.ts";
import {
  type JoinCredential,
  openJoinCredential,
  type WorkerEncryptionKey,
} from "../protocol/join-credential.ts";
import { ActivationWatcher } from "./activation-watcher.ts";
import { WorkerError } from "./errors.ts";
import type { Joiner } from "./joiners.ts";
import type { WorkerChain } from "./worker-chain.ts";

export interface WorkerAgentOptions {
  client: SuiGrpcClient;
  chain: WorkerChain;
  key: WorkerEncryptionKey;
  packageId: string;
  clusterId: string;
  nodeId: string;
  joiner: Joiner;
  /** Shared across agents of one process; the agent opens its own otherwise. */
  watcher?: ActivationWatcher;
  /** Heartbeat interval; default a third of the cluster's on-chain period. */
  heartbeatIntervalMs?: number;
  activationTimeoutMs?: number;
  onHeartbeat?: (info: { nodeId: string; digest: string }) => void;
  onProblem?: (error: unknown) => void;
}

/**
 * One worker's life: register with a stake → wait for activation → open the credential →
 * join (k3s agent or a simulated node) → heartbeat on chain every period → leave
 * (deregister; the control plane drains and removes the node) → withdraw after unbonding.
 */
export class WorkerAgent {
  readonly nodeId: string;
  capId: string | undefined;
  credential: JoinCredential | undefined;
  readonly #o: WorkerAgentOptions;
  #heartbeating: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(options: WorkerAgentOptions) {
    this.#o = options;
    this.nodeId = options.nodeId;
  }

  async register(stakeMist: bigint): Promise<string> {
    this.capId = await this.#o.chain.register(this.nodeId, this.#o.key.publicKey, stakeMist);
    return this.capId;
  }

  /** Finds this worker's cap when it registered in an earlier run. */
  async resume(): Promise<string> {
    this.capId = await this.#o.chain.capOf(this.nodeId);
    if (!this.capId)
      throw new WorkerError(
        "WORKER_NOT_REGISTERED",
        `${this.#o.chain.address} holds no WorkerCap for ${this.nodeId} on this cluster`,
      );
    return this.capId;
  }

  /** Waits for the activation and opens the credential with this worker's key. */
  async awaitCredential(): Promise<JoinCredential> {
    const watcher =
      this.#o.watcher ??
      new ActivationWatcher(this.#o.client, this.#o.packageId, this.#o.clusterId);
    try {
      const sealed = await watcher.activation(this.nodeId, this.#o.activationTimeoutMs ?? 300_000);
      this.credential = openJoinCredential(this.#o.key, sealed, {
        clusterId: this.#o.clusterId,
        nodeId: this.nodeId,
      });
      return this.credential;
    } finally {
      if (!this.#o.watcher) await watcher.close();
    }
  }

  async join(): Promise<void> {
    const credential = this.credential ?? (await this.awaitCredential());
    await this.#o.joiner.join(this.nodeId, credential);
  }

  heartbeat(): Promise<string> {
    return this.#o.chain.heartbeat(this.#requireCap()).then((result) => result.digest);
  }

  /** Heartbeats every interval until `stopHeartbeats` (a failed one is reported, not fatal). */
  async startHeartbeats(): Promise<void> {
    if (this.#heartbeating) return;
    const capId = this.#requireCap();
    const interval =
      this.#o.heartbeatIntervalMs ??
      Math.max(
        1_000,
        Math.floor(
          Number(
            (await readClusterObject(this.#o.client, this.#o.clusterId)).config.heartbeat_period_ms,
          ) / 3,
        ),
      );
    const stop = new AbortController();
    const done = (async () => {
      while (!stop.signal.aborted) {
        try {
          const { digest } = await this.#o.chain.heartbeat(capId);
          this.#o.onHeartbeat?.({ nodeId: this.nodeId, digest });
        } catch (error) {
          if (error instanceof MoveAbortError && error.constantName === "EWorkerNotLive") {
            this.#o.onProblem?.(
              new WorkerError("WORKER_NOT_ACTIVE", `${this.nodeId} is no longer live`),
            );
            return;
          }
          this.#o.onProblem?.(error);
        }
        await sleep(interval, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    })();
    this.#heartbeating = { stop, done };
  }

  async stopHeartbeats(): Promise<void> {
    this.#heartbeating?.stop.abort();
    await this.#heartbeating?.done;
    this.#heartbeating = undefined;
  }

  /** Leaves: stop heart-beating, deregister (unbonding starts), stop the node agent. */
  async leave(): Promise<void> {
    await this.stopHeartbeats();
    await this.#o.chain.deregister(this.#requireCap());
    await this.#o.joiner.stop();
  }

  /** Takes the stake back; the chain refuses before the unbonding period is over. */
  async withdraw(): Promise<void> {
    await this.#o.chain.withdraw(this.#requireCap());
  }

  #requireCap(): string {
    if (!this.capId)
      throw new WorkerError("WORKER_NOT_REGISTERED", `${this.nodeId} has not registered yet`);
    return this.capId;
  }
}
