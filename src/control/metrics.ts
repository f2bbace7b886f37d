import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Everything nautilus-control exposes on /metrics, in one registry per instance. */
export class ControlMetrics {
  readonly registry = new Registry();

  readonly eventsIngested = new Counter({
    name: "k8s_daas_events_ingested_total",
    help: "Chain events committed to the inbox, by event type",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });

  readonly duplicateEvents = new Counter({
    name: "k8s_daas_events_duplicate_total",
    help: "Events delivered again and dropped by their (digest, index) identity",
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: "k8s_daas_queue_depth",
    help: "Requests waiting to run, by priority",
    labelNames: ["priority"] as const,
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: "k8s_daas_requests_in_flight",
    help: "Requests executing now",
    registers: [this.registry],
  });

  readonly executions = new Counter({
    name: "k8s_daas_executions_total",
    help: "Finished requests by outcome (status class and stable error code)",
    labelNames: ["status", "code"] as const,
    registers: [this.registry],
  });

  readonly executionSeconds = new Histogram({
    name: "k8s_daas_execution_seconds",
    help: "From taking a request off the queue to its persisted outcome",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly pipelineOverheadSeconds = new Histogram({
    name: "k8s_daas_pipeline_overhead_seconds",
    help: "The pipeline's own time per request: its share of ingest, admission and recording the outcome (neither queueing nor the Kubernetes call)",
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  readonly executionRetries = new Counter({
    name: "k8s_daas_execution_retries_total",
    help: "Executions retried after an unexpected failure",
    registers: [this.registry],
  });

  readonly endToEndSeconds = new Histogram({
    name: "k8s_daas_request_seconds",
    help: "From the request entering the inbox to its result being posted on chain",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly reported = new Counter({
    name: "k8s_daas_results_reported_total",
    help: "Results confirmed on chain",
    registers: [this.registry],
  });

  readonly reportProblems = new Counter({
    name: "k8s_daas_report_problems_total",
    help: "Times posting results was blocked, by reason",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  readonly drift = new Counter({
    name: "k8s_daas_reconcile_drift_total",
    help: "Differences between chain and cluster found and repaired by reconciliation, by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly gasBalance = new Gauge({
    name: "k8s_daas_operator_gas_balance_mist",
    help: "SUI balance of the operator key that pays for result transactions",
    registers: [this.registry],
  });

  readonly followerReconnects = new Counter({
    name: "k8s_daas_follower_reconnects_total",
    help: "Event follower reconnects",
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
