import type { KubeConfig } from "@kubernetes/client-node";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Logger } from "pino";
import { readClusterObject } from "../chain/cluster-view.ts";
import { type DecodedCursor, decodeCursor, readEventPage } from "../chain/index.ts";
import { findAppliedObjects, listManagedNamespaces, removeTenantNamespace } from "../k8s/index.ts";
import type { NamespaceStore, RequestStore } from "./inbox/index.ts";
import type { ControlMetrics } from "./metrics.ts";
import type { RequestPipeline } from "./pipeline/index.ts";

export interface ReconcilerOptions {
  requests: RequestStore;
  namespaces: NamespaceStore;
  pipeline: RequestPipeline;
  client: SuiGrpcClient;
  kubeConfig: KubeConfig;
  packageId: string;
  clusterId: string;
  metrics: ControlMetrics;
  log: Logger;
}

/** What one pass found and repaired, by kind (also counted in /metrics). */
export type DriftReport = Record<string, number>;

const PAGE = 500;

/**
 * A level-triggered pass that makes the cluster agree with the chain whatever events were
 * missed or crashes interrupted (the gap Akash's provider leaves, support#515):
 * - a namespace released on chain but still in the cluster is emptied and removed, and so is
 *   one provisioned for an earlier claim of a name claimed again (even when the release
 *   event itself was missed): a new claim always starts empty;
 * - request events the inbox never saw (it holds fewer requests than the chain's request
 *   counter, or the cluster holds objects stamped with an unknown request id) are re-read
 *   from the chain, then run (idempotently: an applied object is applied again, not twice)
 *   and answered;
 * - outcomes persisted but not yet confirmed on chain are posted.
 * Tenant namespaces it does not recognize are counted, never deleted on a guess.
 */
export class Reconciler {
  readonly #o: ReconcilerOptions;
  /** The inbox lacked requests at the previous pass (lag if it persists only once). */
  #chainAheadBefore = false;

  constructor(options: ReconcilerOptions) {
    this.#o = options;
  }

  async pass(signal?: AbortSignal): Promise<DriftReport> {
    const { drift, count } = this.#drift();
    await this.#namespaces(count, signal);
    await this.#missedRequests(count, signal);
    const unreported = this.#o.requests.inState(["done"]).length;
    if (unreported > 0) {
      count("unreported_result", unreported);
      this.#o.pipeline.kickReporter();
    }
    if (Object.keys(drift).length > 0) this.#o.log.warn({ drift }, "reconciliation repaired drift");
    return drift;
  }

  /** Only the namespace part of a pass: run as soon as a release is seen on chain. */
  async removeReleasedNamespaces(signal?: AbortSignal): Promise<DriftReport> {
    const { drift, count } = this.#drift();
    await this.#namespaces(count, signal);
    return drift;
  }

  #drift() {
    const drift: DriftReport = {};
    const count = (kind: string, n = 1) => {
      if (n <= 0) return;
      drift[kind] = (drift[kind] ?? 0) + n;
      this.#o.metrics.drift.inc({ kind }, n);
    };
    return { drift, count };
  }

  async #namespaces(
    count: (kind: string, n?: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const { namespaces, kubeConfig, clusterId } = this.#o;
    const managed = await listManagedNamespaces(kubeConfig, {
      clusterId,
      ...(signal ? { signal } : {}),
    });
    for (const found of managed) {
      if (found.terminating) continue;
      const claim = namespaces.get(found.namespace);
      if (!claim) {
        count("namespace_unknown");
        continue;
      }
      const stale = found.claimId !== undefined && found.claimId !== claim.capId;
      if (!claim.released && !stale) continue;
      // Only if it still holds the claim seen above: the pipeline may have just replaced a
      // stale namespace with the new claim's.
      const removed = await removeTenantNamespace(kubeConfig, found.namespace, {
        onlyForClaim: found.claimId,
        ...(signal ? { signal } : {}),
      });
      this.#o.pipeline.forgetNamespace(found.namespace);
      if (removed) count(claim.released ? "namespace_released" : "namespace_previous_claim");
    }
  }

  async #missedRequests(
    count: (kind: string, n?: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const { requests, client, clusterId, kubeConfig } = this.#o;
    const cluster = await readClusterObject(client, clusterId, signal);
    const chainHighest = BigInt(cluster.next_request_id) - 1n;
    // The chain numbers a cluster's requests 1, 2, 3, …: knowing fewer than the highest means
    // the chain is ahead, or an event below the highest one was never delivered.
    const missing = () => chainHighest - requests.count();
    const chainAhead = missing() > 0n;
    const applied = await findAppliedObjects(kubeConfig, {
      clusterId,
      ...(signal ? { signal } : {}),
    });
    const unknownApplied = applied.filter((object) => requests.get(object.requestId) === undefined);
    // One pass behind can be follower lag; two in a row, or objects we never heard of, is a gap.
    if ((chainAhead && this.#chainAheadBefore) || unknownApplied.length > 0) {
      const recovered = await this.#reread(signal);
      count("missed_request_event", recovered);
    }
    this.#chainAheadBefore = chainAhead && missing() > 0n;
    for (const object of applied) {
      const request = requests.get(object.requestId);
      if (request?.state === "running" && !this.#o.pipeline.isRunning(object.requestId)) {
        count("interrupted_request");
      }
    }
  }

  /** Re-reads every request event from the chain; the inbox keeps only the ones it lacked. */
  async #reread(signal?: AbortSignal): Promise<number> {
    let after: DecodedCursor | null = null;
    let added = 0;
    for (;;) {
      const page = await readEventPage(this.#o.client, {
        eventTypes: [`${this.#o.packageId}::events`],
        limit: PAGE,
        after,
        signal: signal ?? new AbortController().signal,
      });
      added += await this.#o.pipeline.ingest(page.events, null);
      if (!page.hasNextPage || page.nextCursor === null) break;
      after = decodeCursor(page.nextCursor);
    }
    this.#o.log.warn({ added }, "re-read request events from the chain");
    return added;
  }
}
