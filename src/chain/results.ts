import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { eventType, K8sAPIResultEvent } from "../protocol/index.ts";
import { sleep } from "../shared/backoff.ts";

export type ResultEventValue = ReturnType<typeof K8sAPIResultEvent.parse>;

/** A `K8sAPIResultEvent` and the transaction that posted it. */
export interface FoundResult {
  readonly event: ResultEventValue;
  readonly txDigest: string;
}

/**
 * Finds the on-chain results of a cluster's requests: reads `K8sAPIResultEvent`s in ledger
 * order with a cursor it keeps, so each poll only reads what is new since the last one.
 * This is the tenant's view: it needs the chain only, not the control plane.
 */
export class ResultWatcher {
  readonly #client: SuiGrpcClient;
  readonly #type: string;
  readonly #clusterId: string;
  readonly #found = new Map<string, FoundResult>();
  #cursor: string | null = null;

  constructor(client: SuiGrpcClient, packageId: string, clusterId: string) {
    this.#client = client;
    this.#type = eventType(packageId, "K8sAPIResultEvent");
    this.#clusterId = clusterId;
  }

  /** Reads every result event posted since the last call; returns the ones found so far. */
  async poll(signal?: AbortSignal): Promise<ReadonlyMap<string, FoundResult>> {
    for (;;) {
      const page = await this.#client.listEvents({
        filter: { eventType: this.#type },
        limit: 50,
        ...(this.#cursor ? { after: this.#cursor } : {}),
        ...(signal ? { signal } : {}),
      });
      for (const entry of page.events) {
        const event = K8sAPIResultEvent.parse(entry.bcs);
        if (event.cluster_id === this.#clusterId) {
          this.#found.set(event.request_id, { event, txDigest: entry.transactionDigest });
        }
      }
      if (page.endCursor) this.#cursor = page.endCursor;
      if (!page.hasNextPage) return this.#found;
    }
  }

  /**
   * Resolves with the results of all `requestIds`, polling every `intervalMs`; `onPoll` is
   * told how many are still pending. Rejects only when `signal` aborts or the chain fails.
   */
  async waitFor(
    requestIds: readonly bigint[],
    options: {
      intervalMs?: number;
      signal?: AbortSignal;
      onPoll?: (pending: number) => void;
    } = {},
  ): Promise<FoundResult[]> {
    for (;;) {
      const found = await this.poll(options.signal);
      const results = requestIds.map((id) => found.get(String(id)));
      const pending = results.filter((result) => result === undefined).length;
      options.onPoll?.(pending);
      if (pending === 0) return results as FoundResult[];
      await sleep(options.intervalMs ?? 250, options.signal);
    }
  }
}
