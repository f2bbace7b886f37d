import { Counter, Gauge, type Registry } from "prom-client";
import type { Snapshot } from "./snapshot.ts";

/**
 * What billing shows on /metrics: metered usage and charges per namespace, pods metered,
 * reports and report parts posted, and per namespace the escrow left and when it runs out
 * at what runs now (a warning is logged below one period).
 */
export class BillingMetrics {
  readonly usage: Counter<"namespace" | "resource">;
  readonly charged: Counter<"namespace">;
  readonly meteredPods: Gauge;
  readonly reports: Counter;
  readonly reportParts: Counter;
  readonly escrowMist: Gauge<"namespace">;
  readonly runOutSeconds: Gauge<"namespace">;
  readonly suspended: Gauge<"namespace">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.usage = new Counter({
      name: "k8s_daas_billing_usage_total",
      help: "Metered usage per namespace: cpu in core-seconds, memory and storage in GiB-seconds",
      labelNames: ["namespace", "resource"],
      registers,
    });
    this.charged = new Counter({
      name: "k8s_daas_billing_charged_mist_total",
      help: "What the usage reports this process landed charge each namespace (MIST, at the prices last read; the chain's arithmetic)",
      labelNames: ["namespace"],
      registers,
    });
    this.meteredPods = new Gauge({
      name: "k8s_daas_billing_metered_pods",
      help: "Running pods in tenant namespaces counted by the last metering sample",
      registers,
    });
    this.reports = new Counter({
      name: "k8s_daas_billing_reports_total",
      help: "Billing periods reported on chain by this process",
      registers,
    });
    this.reportParts = new Counter({
      name: "k8s_daas_billing_report_parts_total",
      help: "Usage report parts landed on chain by this process (a period too big for one transaction goes in several)",
      registers,
    });
    this.escrowMist = new Gauge({
      name: "k8s_daas_billing_escrow_mist",
      help: "A namespace's escrow balance as last read from the chain (MIST)",
      labelNames: ["namespace"],
      registers,
    });
    this.runOutSeconds = new Gauge({
      name: "k8s_daas_billing_escrow_run_out_seconds",
      help: "When a namespace's escrow runs out at the rate of what runs now (absent when nothing is billed)",
      labelNames: ["namespace"],
      registers,
    });
    this.suspended = new Gauge({
      name: "k8s_daas_billing_suspended",
      help: "1 while a namespace is suspended for an unpaid charge",
      labelNames: ["namespace"],
      registers,
    });
  }

  /** Adds one sample's usage (`snapshot` held for `durationMs`). */
  addUsage(snapshot: Snapshot, durationMs: number): void {
    this.meteredPods.set(snapshot.pods);
    const seconds = durationMs / 1000;
    const gib = 1024 ** 3;
    for (const [namespace, rates] of snapshot.namespaces) {
      this.usage.inc(
        { namespace, resource: "cpu" },
        (Number(rates.cpuMilliCores) / 1000) * seconds,
      );
      this.usage.inc(
        { namespace, resource: "memory" },
        (Number(rates.memoryBytes) / gib) * seconds,
      );
      this.usage.inc(
        { namespace, resource: "storage" },
        (Number(rates.storageBytes) / gib) * seconds,
      );
    }
  }
}
