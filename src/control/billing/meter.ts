import type { Logger } from "pino";
import type { BillingView, BillingViewQuery } from "../../chain/index.ts";
import { MoveAbortError } from "../../chain/index.ts";
import { clusterLabelValue, type KubeApiClient, LABEL_CLUSTER } from "../../k8s/index.ts";
import { hourlyCostMist } from "../../protocol/index.ts";
import { CoalescingLoop } from "../../shared/coalescing-loop.ts";
import type { EnclavePoster } from "../enclave-poster.ts";
import type { BillingConfig } from "./config.ts";
import type { BillingMetrics } from "./metrics.ts";
import type { BillingStore, PeriodUsage, Usage } from "./period-store.ts";
import { type PodItem, type PvcItem, type Snapshot, takeSnapshot } from "./snapshot.ts";
import { resumeWorkloads, suspendWorkloads } from "./suspension.ts";

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

  /** One sample, the reports it makes due, and the suspension check when due. */
  async pass(signal?: AbortSignal): Promise<void> {
    const { store, config } = this.#o;
    if (!this.#aligned) {
      const view = await this.#o.readView({}, signal);
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

  /** Lists what runs now in tenant namespaces of this cluster. */
  async sample(signal?: AbortSignal): Promise<Snapshot> {
    const { kube, clusterId, log } = this.#o;
    const options = signal ? { signal } : {};
    const selector = `${LABEL_CLUSTER}=${clusterLabelValue(clusterId)}`;
    const [namespaces, pods, pvcs] = await Promise.all([
      kube.request("GET", "/api/v1/namespaces", { ...options, query: { labelSelector: selector } }),
      kube.request("GET", "/api/v1/pods", {
        ...options,
        query: { fieldSelector: "status.phase=Running" },
      }),
      kube.request("GET", "/api/v1/persistentvolumeclaims", options),
    ]);
    const tenant = new Set(
      ((namespaces.body as { items?: { metadata?: { name?: string } }[] }).items ?? []).map(
        (item) => item.metadata?.name ?? "",
      ),
    );
    const snapshot = takeSnapshot(
      (pods.body as { items?: PodItem[] }).items ?? [],
      (pvcs.body as { items?: PvcItem[] }).items ?? [],
      (namespace) => tenant.has(namespace),
    );
    if (snapshot.invalid.length > 0)
      log.warn({ invalid: snapshot.invalid.slice(0, 10) }, "unreadable resource quantities");
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  /** Posts every closed period the chain lacks, oldest first; returns how many it posted. */
  async reportPending(signal?: AbortSignal): Promise<number> {
    const { store, poster, log } = this.#o;
    let posted = 0;
    for (const period of store.pending()) {
      try {
        await poster.post("report_usage", reportFields(period), signal);
        store.markReported(period.period);
        this.#o.metrics?.reports.inc();
        posted++;
        log.info({ period: period.period, namespaces: period.namespaces.size }, "usage reported");
      } catch (error) {
        if (error instanceof MoveAbortError && error.constantName === "EPeriodOutOfOrder") {
          // The chain has it already (an earlier process posted it): line up and go on.
          const view = await this.#o.readView({}, signal);
          store.align(view, this.#now(), this.#o.config.periodMs);
          if (view.reportedPeriods >= BigInt(period.period)) continue;
        }
        // The chain clock may not have reached the period's end yet, or the chain is
        // unreachable: the period stays closed and is posted on a later pass.
        throw error;
      }
    }
    return posted;
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
    for (const [namespace, escrow] of view.escrows) {
      this.#watchRunOut(namespace, escrow.balanceMist, view);
      this.#o.metrics?.suspended.set({ namespace }, escrow.suspended ? 1 : 0);
      const local = this.#suspended.has(namespace);
      if (escrow.suspended) {
        // Idempotent: scaled down again each check, in case something scaled it up.
        const changed = await suspendWorkloads(kube, namespace, signal);
        if (!local) {
          store.setSuspended(namespace, true, this.#now());
          this.#suspended.add(namespace);
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

/** The `report_usage` arguments of a period (namespaces and nodes that used nothing left out). */
export function reportFields(period: PeriodUsage) {
  const used = (usage: Usage) =>
    usage.cpuMilliCoreMs > 0n || usage.memoryByteMs > 0n || usage.storageByteMs > 0n;
  const flat = (entries: [string, Usage][]) => ({
    names: entries.map(([name]) => name),
    values: entries.flatMap(([, u]) => [u.cpuMilliCoreMs, u.memoryByteMs, u.storageByteMs]),
  });
  const namespaces = flat([...period.namespaces].filter(([, usage]) => used(usage)));
  const nodes = flat([...period.nodes].filter(([, usage]) => used(usage)));
  return {
    period: BigInt(period.period),
    period_start_ms: BigInt(period.startMs),
    period_end_ms: BigInt(period.endMs),
    namespaces: namespaces.names,
    namespace_usage: namespaces.values,
    node_ids: nodes.names,
    node_usage: nodes.values,
  };
}
