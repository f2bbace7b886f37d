import type { Logger } from "pino";
import type { BillingView, BillingViewQuery } from "../../chain/index.ts";
import { MoveAbortError } from "../../chain/index.ts";
import { clusterLabelValue, type KubeApiClient, LABEL_CLUSTER } from "../../k8s/index.ts";
import {
  type BillingPrices,
  hourlyCostMist,
  noRates,
  usageAt,
  usageValueMist,
} from "../../protocol/index.ts";
import { CoalescingLoop } from "../../shared/coalescing-loop.ts";
import type { EnclavePoster } from "../enclave-poster.ts";
import type { BillingConfig } from "./config.ts";
import type { BillingMetrics } from "./metrics.ts";
import type { BillingStore } from "./period-store.ts";
import { type ReportPart, reportParts } from "./report-parts.ts";
import { type PodItem, type PvcItem, type Snapshot, SnapshotBuilder } from "./snapshot.ts";
import { resumeWorkloads, suspendWorkloads } from "./suspension.ts";
import { BillingNotReadyError, type OpenPeriodUsage } from "./usage-now.ts";

export interface BillingMeterOptions {
  store: BillingStore;
  /** The admin client (lists every namespace's pods and claims, scales workloads). */
  kube: Pick<KubeApiClient, "request">;
  poster: Pick<EnclavePoster, "post">;
  /** Reads prices, the report ledger and escrows on chain (`readBillingView`). */
  readView: (query: BillingViewQuery, signal?: AbortSignal) => Promise<BillingView>;
  clusterId: string;
  config: BillingConfig;
  log: Logger;
  /** Wall clock (ms); tests move it. */
  now?: () => number;
  metrics?: BillingMetrics;
}

/** Items per page of the pod and claim lists a sample reads. */
const LIST_PAGE = 500;

/** Aborts that mean the chain has the part (or the whole period) already. */
const ALREADY_ON_CHAIN = new Set(["EPeriodOutOfOrder", "EPartOutOfOrder"]);

/** Thrown by admission (through `isSuspended`) for a write to a suspended namespace. */
export const NAMESPACE_SUSPENDED = "NAMESPACE_SUSPENDED";

/**
 * Meters what runs and bills it: every `sampleIntervalMs` it lists running pods and bound
 * claims in tenant namespaces (labelled for this cluster) and adds their requests times the
 * elapsed time to the open period (`BillingStore`); every closed period is posted, oldest
 * first, as the enclave-signed `report_usage`. The chain's ledger decides what was
 * reported: after a crash, periods the chain already has are marked, never posted twice,
 * and a period the chain does not have is posted again (the chain refuses a second report
 * of one period with `EPeriodOutOfOrder` in any case). Escrows are read after each report
 * and every `suspensionCheckMs`: a namespace the chain suspended is scaled to zero, one a
 * top-up resumed gets its replicas back.
 */
export class BillingMeter {
  readonly #o: BillingMeterOptions;
  readonly #now: () => number;
  readonly #loop: CoalescingLoop;
  #suspended: Set<string>;
  #aligned = false;
  #lastSuspensionCheck = 0;
  #timer: NodeJS.Timeout | undefined;
  /** What the last sample counted, for metrics and the CLI. */
  lastSnapshot: Snapshot | undefined;
  /** The prices of the last billing view read (for the usage route). */
  #prices: BillingPrices | undefined;

  constructor(options: BillingMeterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#suspended = options.store.suspended();
    this.#loop = new CoalescingLoop({
      pass: (signal) => this.pass(signal),
      onError: (error) => options.log.warn({ err: error }, "billing pass failed"),
    });
  }

  start(): void {
    this.#loop.kick();
    this.#timer = setInterval(() => this.#loop.kick(), this.#o.config.sampleIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#loop.stop();
    this.#o.store.close();
  }

  /**
   * True while the chain has the namespace suspended for an unpaid charge. Admission
   * refuses writes to it with `NAMESPACE_SUSPENDED` (reads and deletes stay allowed).
   */
  isSuspended(namespace: string): boolean {
    return this.#suspended.has(namespace);
  }

  /**
   * What the open period has metered for `namespace` so far, what it holds now and the
   * prices (read from the chain when no pass has read them yet). Ownership is the caller's
   * check. Throws `BillingNotReadyError` before the first sample.
   */
  async openUsage(namespace: string, signal?: AbortSignal): Promise<OpenPeriodUsage> {
    const { store } = this.#o;
    const period = store.openPeriod();
    const meteredUntilMs = store.lastSampleMs();
    if (!period || meteredUntilMs === undefined)
      throw new BillingNotReadyError("the meter has not taken its first sample yet");
    this.#prices ??= (await this.#o.readView({}, signal)).prices;
    return {
      namespace,
      period,
      meteredUntilMs,
      usage: store.namespaceUsage(period.period, namespace),
      rates: this.lastSnapshot?.namespaces.get(namespace) ?? noRates(),
      prices: this.#prices,
    };
  }

  /** One sample, the reports it makes due, and the suspension check when due. */
  async pass(signal?: AbortSignal): Promise<void> {
    const { store, config } = this.#o;
    if (!this.#aligned) {
      const view = await this.#o.readView({}, signal);
      this.#prices = view.prices;
      store.align(view, this.#now(), config.periodMs);
      this.#aligned = true;
    }
    const snapshot = await this.sample(signal);
    const now = this.#now();
    const since = Math.max(store.lastSampleMs() ?? now, now - config.maxGapMs);
    this.#o.metrics?.addUsage(snapshot, Math.max(0, now - since));
    const closed = store.accumulate(snapshot, now, {
      periodMs: config.periodMs,
      maxGapMs: config.maxGapMs,
    });
    const reported = await this.reportPending(signal);
    const due = this.#now() - this.#lastSuspensionCheck >= config.suspensionCheckMs;
    if (closed.length > 0 || reported > 0 || due) await this.syncSuspensions(signal);
  }

  /**
   * Lists what runs now in tenant namespaces of this cluster. Pods and claims are read in
   * pages of `LIST_PAGE` (the API server's `limit`/`continue`), each folded into the
   * snapshot before the next is read: memory stays at one page, not the whole cluster.
   */
  async sample(signal?: AbortSignal): Promise<Snapshot> {
    const { kube, clusterId, log } = this.#o;
    const options = signal ? { signal } : {};
    const selector = `${LABEL_CLUSTER}=${clusterLabelValue(clusterId)}`;
    const namespaces = await kube.request("GET", "/api/v1/namespaces", {
      ...options,
      query: { labelSelector: selector },
    });
    const tenant = new Set(
      ((namespaces.body as { items?: { metadata?: { name?: string } }[] }).items ?? []).map(
        (item) => item.metadata?.name ?? "",
      ),
    );
    const builder = new SnapshotBuilder((namespace) => tenant.has(namespace));
    await this.#pages("/api/v1/pods", { fieldSelector: "status.phase=Running" }, signal, (items) =>
      builder.addPods(items as PodItem[]),
    );
    await this.#pages("/api/v1/persistentvolumeclaims", {}, signal, (items) =>
      builder.addClaims(items as PvcItem[]),
    );
    const snapshot = builder.build();
    if (snapshot.invalid.length > 0)
      log.warn({ invalid: snapshot.invalid.slice(0, 10) }, "unreadable resource quantities");
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  /** Reads a list in pages, handing each page's items to `take`. */
  async #pages(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    take: (items: unknown[]) => void,
  ): Promise<void> {
    let token: string | undefined;
    do {
      const { body } = await this.#o.kube.request("GET", path, {
        ...(signal ? { signal } : {}),
        query: { ...query, limit: String(LIST_PAGE), ...(token ? { continue: token } : {}) },
      });
      const list = body as { items?: unknown[]; metadata?: { continue?: string } };
      take(list.items ?? []);
      token = list.metadata?.continue || undefined;
    } while (token);
  }

  /**
   * Posts every closed period the chain lacks, oldest first, each in as many parts as its
   * size needs (`reportParts`), the parts in order, each marked in the store once it landed;
   * returns how many periods it completed. A part the chain already has (`EPartOutOfOrder`,
   * or `EPeriodOutOfOrder` for the whole period: an earlier process posted it and died
   * before marking it) lines the store up with the chain and the next part follows.
   */
  async reportPending(signal?: AbortSignal): Promise<number> {
    const { store, poster, log } = this.#o;
    let completed = 0;
    for (const period of store.pending()) {
      const parts = reportParts(period);
      let next = store.partsReported(period.period);
      while (next < parts.length) {
        const part = parts[next] as ReportPart;
        try {
          await poster.post("report_usage", part, signal);
        } catch (error) {
          if (!(error instanceof MoveAbortError) || !ALREADY_ON_CHAIN.has(error.constantName ?? ""))
            // The chain clock may not have reached the period's end yet, or the chain is
            // unreachable: the part stays unposted and is posted on a later pass.
            throw error;
          const view = await this.#o.readView({}, signal);
          this.#prices = view.prices;
          store.align(view, this.#now(), this.#o.config.periodMs);
          if (view.reportedPeriods >= BigInt(period.period)) break;
          const onChain = store.partsReported(period.period);
          if (onChain <= next) throw error;
          next = onChain;
          continue;
        }
        next++;
        this.#countCharges(part);
        if (next < parts.length) {
          store.markPartsReported(period.period, next);
          log.info(
            { period: period.period, part: next - 1, parts: parts.length },
            "usage part reported",
          );
        } else {
          store.markReported(period.period);
          this.#o.metrics?.reports.inc();
          completed++;
          log.info(
            { period: period.period, parts: parts.length, namespaces: period.namespaces.size },
            "usage reported",
          );
        }
      }
    }
    return completed;
  }

  /** What a landed part charged each of its namespaces (the chain's arithmetic). */
  #countCharges(part: ReportPart): void {
    const metrics = this.#o.metrics;
    if (!metrics) return;
    metrics.reportParts.inc();
    const prices = this.#prices;
    if (!prices) return;
    part.namespaces.forEach((namespace, i) => {
      const charge = usageValueMist(prices, usageAt(part.namespace_usage, i));
      metrics.charged.inc({ namespace }, Number(charge));
    });
  }

  /** Escrow and run-out gauges; a warning when the escrow lasts less than one period. */
  #watchRunOut(namespace: string, balanceMist: bigint, view: BillingView): void {
    const { metrics, log, config } = this.#o;
    metrics?.escrowMist.set({ namespace }, Number(balanceMist));
    const rates = this.lastSnapshot?.namespaces.get(namespace);
    const hourly = rates ? hourlyCostMist(view.prices, rates) : 0n;
    if (hourly === 0n) {
      metrics?.runOutSeconds.remove({ namespace });
      return;
    }
    const seconds = (Number(balanceMist) / Number(hourly)) * 3600;
    metrics?.runOutSeconds.set({ namespace }, seconds);
    if (seconds * 1000 < config.periodMs)
      log.warn(
        { namespace, runOutSeconds: Math.floor(seconds) },
        "escrow runs out within a period",
      );
  }

  /** Mirrors the chain's suspensions onto the cluster's workloads. */
  async syncSuspensions(signal?: AbortSignal): Promise<void> {
    const { store, kube, log } = this.#o;
    this.#lastSuspensionCheck = this.#now();
    // The namespaces billed lately (the open period and the last closed ones) and those
    // suspended (a top-up resumes them).
    const recent = store.periods().slice(-3);
    const namespaces = [
      ...new Set([
        ...recent.flatMap((period) => [...store.usage(period.period).namespaces.keys()]),
        ...this.#suspended,
      ]),
    ];
    if (namespaces.length === 0) return;
    const view = await this.#o.readView({ namespaces }, signal);
    this.#prices = view.prices;
    for (const [namespace, escrow] of view.escrows) {
      this.#watchRunOut(namespace, escrow.balanceMist, view);
      this.#o.metrics?.suspended.set({ namespace }, escrow.suspended ? 1 : 0);
      const local = this.#suspended.has(namespace);
      if (escrow.suspended) {
        // Writes are refused from the moment the chain's suspension is seen, before the
        // (slower) scale-down, so nothing can scale a workload back up in between.
        if (!local) {
          store.setSuspended(namespace, true, this.#now());
          this.#suspended.add(namespace);
        }
        // Idempotent: scaled down again each check, in case something scaled it up.
        const changed = await suspendWorkloads(kube, namespace, signal);
        if (!local) {
          log.warn(
            { namespace, debtMist: String(escrow.debtMist), changed },
            "namespace suspended",
          );
        }
      } else if (local) {
        const changed = await resumeWorkloads(kube, namespace, signal);
        store.setSuspended(namespace, false, this.#now());
        this.#suspended.delete(namespace);
        log.info({ namespace, changed }, "namespace resumed");
      }
    }
  }
}
