// Pay for what runs: metering of running pods and bound claims per namespace and node,
// crash-safe billing periods in billing.sqlite, the enclave-signed usage report, and
// suspension (scale to zero) of namespaces whose escrow cannot pay.
export {
  type BillingConfig,
  BillingConfigError,
  DEFAULT_BILLING_CONFIG,
  resolveBillingConfig,
} from "./config.ts";
export {
  BillingMeter,
  type BillingMeterOptions,
  NAMESPACE_SUSPENDED,
} from "./meter.ts";
export { BillingMetrics } from "./metrics.ts";
export {
  BillingStore,
  type ChainLedger,
  type MeteringRules,
  type PeriodRow,
  type PeriodUsage,
  periodEndAfter,
  type Usage,
} from "./period-store.ts";
export { type ReportPart, reportParts } from "./report-parts.ts";
export {
  type PodItem,
  type PvcItem,
  type Rates,
  type Snapshot,
  SnapshotBuilder,
  takeSnapshot,
} from "./snapshot.ts";
export {
  ANNOTATION_SUSPENDED_CRONJOB,
  ANNOTATION_SUSPENDED_REPLICAS,
  resumeWorkloads,
  suspendWorkloads,
} from "./suspension.ts";
export {
  BillingNotReadyError,
  type OpenPeriodUsage,
  projectCharge,
  type UsageDocument,
  usageDocument,
} from "./usage-now.ts";
