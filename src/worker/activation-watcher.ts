import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { EventFollower } from "../chain/index.ts";
import { eventType, WORKER_ACTION, WorkerNodeEvent } from "../protocol/index.ts";
import { WorkerError } from "./errors.ts";

type WorkerEvent = ReturnType<typeof WorkerNodeEvent.parse>;

/** What the chain last said about a worker that matters to its agent. */
export type WorkerVerdict =
  | { kind: "activated"; credential: Uint8Array }
  | { kind: "slashed"; reason: string }
  | { kind: "refused"; reason: string };

/**
 * Follows the cluster's WorkerNodeEvents and tells agents when their worker was activated
 * (with its sealed credential), refused (its node name is taken) or slashed. One watcher serves any number of agents in a
 * process (the scale benchmark runs hundreds).
 */
export class ActivationWatcher {
  readonly #clusterId: string;
  readonly #follower: EventFollower<WorkerEvent>;
  readonly #verdicts = new Map<string, WorkerVerdict>();
  readonly #waiters = new Map<string, ((verdict: WorkerVerdict) => void)[]>();
  readonly #stop = new AbortController();
  readonly #running: Promise<void>;

  constructor(client: SuiGrpcClient, packageId: string, clusterId: string) {
    this.#clusterId = clusterId;
    this.#follower = new EventFollower<WorkerEvent>({
      client,
      eventTypes: [eventType(packageId, "WorkerNodeEvent")],
      cursor: null,
      decode: (_type, bcs) => WorkerNodeEvent.parse(bcs),
      onBatch: async (events) => {
        for (const event of events) {
          if (event.decoded.ok) this.#take(event.decoded.value);
        }
      },
    });
    this.#running = this.#follower.run(this.#stop.signal).catch(() => undefined);
  }

  #take(event: WorkerEvent): void {
    if (event.cluster_id !== this.#clusterId) return;
    let verdict: WorkerVerdict | undefined;
    if (event.action === WORKER_ACTION.activated)
      verdict = { kind: "activated", credential: new Uint8Array(event.data) };
    else if (event.action === WORKER_ACTION.slashed)
      verdict = { kind: "slashed", reason: Buffer.from(event.data).toString("utf8") };
    else if (event.action === WORKER_ACTION.refused)
      verdict = { kind: "refused", reason: Buffer.from(event.data).toString("utf8") };
    else if (event.action === WORKER_ACTION.registered) this.#verdicts.delete(event.node_id);
    if (!verdict) return;
    this.#verdicts.set(event.node_id, verdict);
    for (const resolve of this.#waiters.get(event.node_id) ?? []) resolve(verdict);
    this.#waiters.delete(event.node_id);
  }

  /** Resolves with the worker's activation; rejects when it is slashed, refused or on timeout. */
  async activation(nodeId: string, timeoutMs: number): Promise<Uint8Array> {
    const verdict = await this.verdict(nodeId, timeoutMs);
    if (verdict.kind === "slashed")
      throw new WorkerError("WORKER_SLASHED", `worker ${nodeId} was slashed: ${verdict.reason}`);
    if (verdict.kind === "refused") {
      throw new WorkerError(
        "WORKER_REFUSED",
        `worker ${nodeId} was refused by the cluster's enclave: ${verdict.reason}; its stake can be withdrawn at once (k8s-daas worker withdraw)`,
      );
    }
    return verdict.credential;
  }

  verdict(nodeId: string, timeoutMs: number): Promise<WorkerVerdict> {
    const known = this.#verdicts.get(nodeId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new WorkerError(
            "WORKER_ACTIVATION_TIMEOUT",
            `worker ${nodeId} was not activated within ${timeoutMs} ms (is nautilus-control running, and is the stake enough?)`,
          ),
        );
      }, timeoutMs);
      const list = this.#waiters.get(nodeId) ?? [];
      list.push((verdict) => {
        clearTimeout(timer);
        resolve(verdict);
      });
      this.#waiters.set(nodeId, list);
    });
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }
}
